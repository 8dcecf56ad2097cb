"""The problem rectification ledger (问题整改台账): 发现 → 交办 → 整改 → 复查 → 销号.

A problem is found in a check (or raised directly by the bureau) against one unit. Its status
moves 待整改 → 整改中 → 待复查 → 已销号, and 复查不通过 sends it back to 整改中. Every move is made
by one service in `ledgers.services.problems`, which records a `ProblemEvent` (who, when, note)
for the timeline. Overdue is derived from the deadline in force, never stored: the rule is
`ledgers.rules` (复查不通过 sets a new deadline; a problem answered on time and waiting for the
re-check is not the unit's overdue).
"""
import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import rules
from ..pk_urls import pk_url
from .checks import Check
from .core import CampaignYear, Unit, UnitOwnedQuerySet
from .files import StoredPhoto
from .indicators import Indicator


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFYING = "rectifying", _("整改中")
    REVIEW = "review", _("待复查")
    CLOSED = "closed", _("已销号")


def next_day():
    """日结日清: by default a problem is due the day after it is found."""
    return timezone.localdate() + datetime.timedelta(days=1)


class ProblemQuerySet(UnitOwnedQuerySet):
    def open(self):
        return self.exclude(status=ProblemStatus.CLOSED)

    def awaiting_unit(self):
        """待整改 and 整改中 (复查不通过 included): the unit's to act on."""
        return self.filter(rules.awaiting_unit_q())

    def in_review(self):
        """待复查: answered, waiting for the inspectors."""
        return self.filter(status=ProblemStatus.REVIEW)

    def overdue(self, today=None):
        """逾期未整改: not answered by the deadline in force (ledgers.rules.overdue_q)."""
        return self.filter(rules.overdue_q(today or timezone.localdate()))

    def recheck_overdue(self, today=None):
        """待复查超过 N 天: the inspectors' figure (ledgers.rules.recheck_overdue_q)."""
        return self.filter(rules.recheck_overdue_q(today or timezone.localdate()))

    def for_week(self, iso_year, iso_week):
        return self.filter(iso_year=iso_year, iso_week=iso_week)

    def of_kind(self, kind):
        return self.filter(check_record__kind=kind)

    def with_related(self):
        return self.select_related("unit", "indicator", "check_record", "raised_by", "rectified_by", "closed_by")

    def for_list(self):
        """What a row of the problem list shows: the unit, the indicator and the check's kind (not
        the whole accounts of whoever raised, rectified and closed it)."""
        return self.select_related("unit", "indicator", "check_record")

    def overdue_first(self, today=None):
        """Overdue problems first, then by deadline."""
        today = today or timezone.localdate()
        return self.annotate(
            overdue_rank=Case(
                When(rules.overdue_q(today), then=Value(0)),
                default=Value(1),
            )
        ).order_by("overdue_rank", "deadline", "pk")


class Problem(models.Model):
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                             related_name="problems")
    unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="problems")
    check_record = models.ForeignKey(Check, verbose_name=_("来源督查"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="problems", db_column="check_id")
    indicator = models.ForeignKey(Indicator, verbose_name=_("测评指标"), on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="problems")
    description = models.TextField(_("问题描述"))
    found_on = models.DateField(_("发现日期"), default=timezone.localdate)
    iso_year = models.PositiveSmallIntegerField(_("周次年份"), editable=False, db_index=True)
    iso_week = models.PositiveSmallIntegerField(_("周次"), editable=False, db_index=True)
    deadline = models.DateField(_("整改时限"), default=next_day, help_text=_("默认次日（日结日清），可调整"))
    status = models.CharField(_("状态"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.OPEN,
                              db_index=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("交办人"), on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(_("交办时间"), auto_now_add=True)
    rectification = models.TextField(_("整改情况"), blank=True)
    rectified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("整改人"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    rectified_at = models.DateTimeField(_("整改提交时间"), null=True, blank=True)
    recheck_note = models.TextField(_("复查意见"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("销号人"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)

    objects = ProblemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改问题")
        verbose_name_plural = _("问题整改台账")
        ordering = ["-found_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "status", "deadline"], name="problem_unit_status_deadline"),
            # The month summary's figures (reports.summaries._problem_figures) read only these
            # columns: the database scans this index instead of the table, per unit.
            models.Index(fields=["unit", "found_on", "closed_at", "status", "deadline"], name="problem_month_figures"),
        ]

    def __str__(self):
        return f"{self.unit}：{self.description[:30]}"

    def save(self, *args, **kwargs):
        self.iso_year, self.iso_week = self.found_on.isocalendar()[:2]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return pk_url("ledgers:problem_detail", self.pk)

    @property
    def is_closed(self):
        return self.status == ProblemStatus.CLOSED

    @property
    def is_awaiting_unit(self):
        return rules.is_awaiting_unit(self)

    def is_overdue(self, today=None):
        return self.overdue_days_on(today) > 0

    @property
    def overdue(self):
        return self.is_overdue()

    def overdue_days_on(self, today=None):
        return rules.overdue_days(self, today)

    @property
    def overdue_days(self):
        return self.overdue_days_on()

    @property
    def recheck_waiting_days(self):
        return rules.recheck_waiting_days(self)

    @property
    def week_label(self):
        return f"{self.iso_year}年第{self.iso_week}周"

    @property
    def kind_label(self):
        return self.check_record.get_kind_display() if self.check_record_id else "直接交办"


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("整改前")
    AFTER = "after", _("整改后")


class ProblemPhotoQuerySet(UnitOwnedQuerySet):
    unit_lookup = "problem__unit"


class ProblemPhoto(StoredPhoto):
    upload_folder = "problems"

    problem = models.ForeignKey(Problem, verbose_name=_("整改问题"), on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("阶段"), max_length=10, choices=PhotoStage.choices)

    objects = ProblemPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改照片")
        verbose_name_plural = _("整改照片")
        ordering = ["stage", "pk"]


class ProblemAction(models.TextChoices):
    RAISE = "raise", _("发现交办")
    START = "start", _("开始整改")
    SUBMIT = "submit", _("提交整改")
    REJECT = "reject", _("复查不通过")
    CLOSE = "close", _("复查销号")


class ProblemEvent(models.Model):
    problem = models.ForeignKey(Problem, verbose_name=_("整改问题"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20, choices=ProblemAction.choices)
    from_status = models.CharField(_("原状态"), max_length=20, choices=ProblemStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ProblemStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.TextField(_("说明"), blank=True)
    deadline = models.DateField(_("整改时限"), null=True, blank=True,
                                help_text=_("交办和复查不通过时确定的整改时限"))

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
