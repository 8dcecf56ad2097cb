"""问责 (accountability): "跟踪问效、严格督查、严格问责".

- `AccountabilityRule`: a rule the bureau sets (e.g. 一个月内被督查通报批评 2 次, 问题逾期超过 7 天,
  任务未按期报送 2 次); one per kind and bureau, with its number N and an on/off switch.
- `AccountabilityCase`: a 问责提示 raised for a unit by a rule (the daily scan or 立即检查 in
  `ledgers.services.accountability`), once per unit and cause (`key`): the 问责台账's entries.
  Status 待处理 → 处理中 (an action recorded) → 已办结 (closed with a note).
- `AccountabilityAction`: what the bureau did — 提醒谈话, 约谈, 通报批评, 问责 — with the date, who
  conducted it, the attendees, notes, and attachments (`AccountabilityAttachment`, ledgers.files).

Who sees what: a unit's entries its own liaisons and the bureau (visible_to, as every unit-owned
record); only the bureau's admins record and close them.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import files
from ..pk_urls import pk_url
from .core import Bureau, BureauOwned, CampaignYear, Unit, UnitOwnedQuerySet
from .files import StoredFile


class TriggerKind(models.TextChoices):
    CRITICISED = "criticised", _("被督查通报批评")
    PROBLEM_OVERDUE = "problem_overdue", _("问题逾期未整改")
    TASK_MISSED = "task_missed", _("任务未按期完成或报送")


# The bureau's rules until it sets its own (the examples).
DEFAULT_THRESHOLDS = {TriggerKind.CRITICISED: 2, TriggerKind.PROBLEM_OVERDUE: 7, TriggerKind.TASK_MISSED: 2}


def rule_text(kind, threshold):
    """The rule in the bureau's words."""
    return {
        TriggerKind.CRITICISED: f"一个自然月内在督查通报中被通报批评 {threshold} 次及以上",
        TriggerKind.PROBLEM_OVERDUE: f"交办问题逾期未整改超过 {threshold} 天",
        TriggerKind.TASK_MISSED: f"本年度任务（含周期性任务各期）未按期完成或报送累计 {threshold} 次及以上",
    }[kind]


class AccountabilityRuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(bureau__in=Bureau.objects.visible_to(user))

    def active(self):
        return self.filter(is_active=True)


class AccountabilityRule(BureauOwned, models.Model):
    bureau = models.ForeignKey(Bureau, verbose_name=_("教育局"), on_delete=models.CASCADE,
                               related_name="accountability_rules")
    kind = models.CharField(_("情形"), max_length=30, choices=TriggerKind.choices)
    threshold = models.PositiveSmallIntegerField(_("次数/天数"), help_text=_("达到（或超过）即生成问责提示"))
    is_active = models.BooleanField(_("启用"), default=True)

    objects = AccountabilityRuleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("问责规则")
        verbose_name_plural = _("问责规则")
        ordering = ["bureau", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "kind"], name="one_accountability_rule_per_kind"),
            models.CheckConstraint(condition=models.Q(threshold__gte=1), name="accountability_threshold_positive"),
        ]

    def __str__(self):
        return self.text

    @property
    def text(self):
        return rule_text(self.kind, self.threshold)


class CaseStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    HANDLING = "handling", _("处理中")
    CLOSED = "closed", _("已办结")


class AccountabilityCaseQuerySet(UnitOwnedQuerySet):
    def open(self):
        return self.exclude(status=CaseStatus.CLOSED)

    def for_year(self, year):
        return self.filter(year=year)

    def raised_in(self, first_day, last_day):
        return self.filter(raised_on__gte=first_day, raised_on__lte=last_day)

    def open_first(self):
        return self.annotate(closed_rank=models.Case(models.When(status=CaseStatus.CLOSED, then=models.Value(1)),
                                                     default=models.Value(0))).order_by(
            "closed_rank", "-raised_on", "-pk")


class AccountabilityCase(models.Model):
    """A 问责提示: one unit, one cause (`key`), raised once; what was done about it and its closing."""

    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                             related_name="accountability_cases")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="accountability_cases")
    kind = models.CharField(_("情形"), max_length=30, choices=TriggerKind.choices)
    threshold = models.PositiveSmallIntegerField(_("规则次数/天数"))
    key = models.CharField(_("触发依据"), max_length=80, editable=False,
                           help_text=_("同一单位同一依据只提示一次"))
    reason = models.TextField(_("问责事由"))
    raised_on = models.DateField(_("提示日期"), default=timezone.localdate)
    status = models.CharField(_("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN,
                              db_index=True)
    closing_note = models.TextField(_("办结情况"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办结人"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = AccountabilityCaseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("问责提示")
        verbose_name_plural = _("问责台账")
        ordering = ["-raised_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["unit", "key"], name="one_case_per_unit_and_cause")]

    def __str__(self):
        return f"{self.unit}：{self.get_kind_display()}（{self.raised_on:%Y-%m-%d}）"

    def get_absolute_url(self):
        return pk_url("ledgers:case_detail", self.pk)

    @property
    def is_closed(self):
        return self.status == CaseStatus.CLOSED

    @property
    def rule_text(self):
        return rule_text(self.kind, self.threshold)


class ActionKind(models.TextChoices):
    REMINDER = "reminder", _("提醒谈话")
    INTERVIEW = "interview", _("约谈")
    CRITICISM = "criticism", _("通报批评")
    ACCOUNTABILITY = "accountability", _("问责")


class AccountabilityActionQuerySet(UnitOwnedQuerySet):
    unit_lookup = "case__unit"


class AccountabilityAction(models.Model):
    case = models.ForeignKey(AccountabilityCase, verbose_name=_("问责提示"), on_delete=models.CASCADE,
                             related_name="actions")
    kind = models.CharField(_("处理方式"), max_length=20, choices=ActionKind.choices)
    date = models.DateField(_("日期"), default=timezone.localdate)
    conducted_by = models.CharField(_("实施人"), max_length=100, help_text=_("谁谈话、约谈或作出决定，如 局长 李国伟"))
    attendees = models.CharField(_("参加人员"), max_length=300, blank=True)
    notes = models.TextField(_("情况记录"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = AccountabilityActionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("问责处理记录")
        verbose_name_plural = _("问责处理记录")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"


class AccountabilityAttachmentQuerySet(UnitOwnedQuerySet):
    unit_lookup = "action__case__unit"


class AccountabilityAttachment(StoredFile):
    upload_folder = "accountability"
    allowed_kinds = {files.IMAGE, files.PDF, files.WORD, files.EXCEL}

    action = models.ForeignKey(AccountabilityAction, verbose_name=_("处理记录"), on_delete=models.CASCADE,
                               related_name="attachments")

    objects = AccountabilityAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("问责附件")
        verbose_name_plural = _("问责附件")
        ordering = ["pk"]

    def get_absolute_url(self):
        return pk_url("ledgers:case_file", self.pk)
