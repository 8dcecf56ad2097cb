"""Weekly checks (每周督查): check templates with scored items, and the checks inspectors record.

A check scores one unit against one template on one date; its ISO week is derived from the
date (the weekly bulletin ranks units by week). A check is a draft until submitted; after that
only a bureau admin may correct it, and every correction is kept (`CheckCorrection`).
Status moves and score writes go through `ledgers.services.checks`.
"""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..pk_urls import pk_url
from .core import Bureau, BureauOwned, CampaignYear, Unit, UnitOwnedQuerySet
from .files import StoredPhoto
from .indicators import Indicator


class CheckKind(models.TextChoices):
    ROUTINE = "routine", _("常规督查")
    SANITATION = "sanitation", _("卫生检查评比")
    UNANNOUNCED = "unannounced", _("暗访")
    MOCK = "mock", _("模拟测评")


class CheckStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


def format_points(value):
    """20.00 -> "20", 7.50 -> "7.5": points as people write them."""
    value = Decimal(value)
    return format(value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize(), "f")


class CheckTemplateQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_year(self, year):
        return self.filter(year=year)

    def with_items(self):
        return self.prefetch_related(models.Prefetch("items", CheckItem.objects.select_related("indicator")))

    def for_bureau(self, bureau):
        """The templates a bureau checks with: the city's and its own."""
        if bureau is None:
            return self.filter(bureau__kind="city")
        if bureau.is_city:
            return self.filter(bureau=bureau)
        return self.filter(models.Q(bureau__kind="city") | models.Q(bureau=bureau))

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_city:
            return self
        return self.for_bureau(user.bureau)

    def actable_by(self, user):
        """Templates the user may edit: their own bureau's."""
        bureau_id = getattr(user, "bureau_id", None)
        if getattr(user, "is_superuser", False) and not bureau_id:
            return self
        return self.visible_to(user).filter(bureau_id=bureau_id) if bureau_id else self.none()


class CheckTemplate(BureauOwned, models.Model):
    bureau = models.ForeignKey(Bureau, verbose_name=_("发布单位"), on_delete=models.PROTECT,
                               related_name="check_templates")
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                             related_name="check_templates")
    name = models.CharField(_("检查表名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CheckTemplateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")
        ordering = ["year", "name"]
        constraints = [models.UniqueConstraint(fields=["year", "bureau", "name"], name="unique_check_template_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return pk_url("ledgers:template_edit", self.pk)

    @property
    def max_total(self):
        return sum((item.max_points for item in self.items.all()), Decimal(0))

    @property
    def max_total_text(self):
        return format_points(self.max_total)


class CheckItem(models.Model):
    template = models.ForeignKey(CheckTemplate, verbose_name=_("检查表"), on_delete=models.CASCADE,
                                 related_name="items")
    title = models.CharField(_("检查项目"), max_length=100)
    standard = models.CharField(_("检查要点"), max_length=300, blank=True)
    max_points = models.DecimalField(_("满分"), max_digits=5, decimal_places=1)
    indicator = models.ForeignKey(Indicator, verbose_name=_("测评指标"), on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="check_items")
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("检查项目")
        verbose_name_plural = _("检查项目")
        ordering = ["template", "sort_order", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_points__gt=0), name="check_item_max_points_positive"),
        ]

    def __str__(self):
        return f"{self.title}（{format_points(self.max_points)} 分）"

    def validate_score(self, score):
        """Refuse a score outside 0…max with a message naming the item."""
        if score is None:
            return
        if score < 0:
            raise ValidationError(f"“{self.title}”得分不能为负数。")
        if score > self.max_points:
            raise ValidationError(f"“{self.title}”得分不能超过 {format_points(self.max_points)} 分。")


class CheckQuerySet(UnitOwnedQuerySet):
    def submitted(self):
        return self.filter(status=CheckStatus.SUBMITTED)

    def for_week(self, iso_year, iso_week):
        return self.filter(iso_year=iso_year, iso_week=iso_week)

    def with_related(self):
        return self.select_related("unit", "template", "created_by", "submitted_by").prefetch_related("inspectors")

    def for_list(self):
        """What a row of the check list shows: the unit, the template's name and the inspectors'
        names (not the creator's and submitter's whole accounts)."""
        from .core import User

        return self.select_related("unit", "template").prefetch_related(
            models.Prefetch("inspectors", queryset=User.objects.only("pk", "name", "username")))


class Check(models.Model):
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                             related_name="checks")
    unit = models.ForeignKey(Unit, verbose_name=_("受检单位"), on_delete=models.PROTECT, related_name="checks")
    date = models.DateField(_("检查日期"))
    iso_year = models.PositiveSmallIntegerField(_("周次年份"), editable=False, db_index=True)
    iso_week = models.PositiveSmallIntegerField(_("周次"), editable=False, db_index=True)
    kind = models.CharField(_("督查类型"), max_length=20, choices=CheckKind.choices, default=CheckKind.ROUTINE)
    template = models.ForeignKey(CheckTemplate, verbose_name=_("检查表"), on_delete=models.PROTECT,
                                 related_name="checks")
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("检查人"), blank=True,
                                        related_name="checks_inspected")
    remarks = models.TextField(_("检查情况"), blank=True)
    total = models.DecimalField(_("得分"), max_digits=6, decimal_places=1, default=0)
    max_total = models.DecimalField(_("满分"), max_digits=6, decimal_places=1, default=0)
    status = models.CharField(_("状态"), max_length=20, choices=CheckStatus.choices, default=CheckStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = CheckQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督查记录")
        verbose_name_plural = _("督查记录")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["iso_year", "iso_week", "unit"], name="check_week_unit")]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0), name="check_total_not_negative"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.unit} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        self.iso_year, self.iso_week = self.date.isocalendar()[:2]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return pk_url("ledgers:check_detail", self.pk)

    @property
    def is_draft(self):
        return self.status == CheckStatus.DRAFT

    @property
    def week_label(self):
        return f"{self.iso_year}年第{self.iso_week}周"

    @property
    def percent(self):
        """Score as a percentage of the template's maximum, so that templates compare (the one
        rounding of score rates: ledgers.rules.score_rate)."""
        from .. import rules

        return rules.score_rate(self.total, self.max_total)


class CheckScore(models.Model):
    check_record = models.ForeignKey(Check, verbose_name=_("督查记录"), on_delete=models.CASCADE,
                                     related_name="scores", db_column="check_id")
    item = models.ForeignKey(CheckItem, verbose_name=_("检查项目"), on_delete=models.PROTECT, related_name="scores")
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目得分")
        verbose_name_plural = _("项目得分")
        ordering = ["item__sort_order", "item__pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=0), name="check_score_not_negative"),
            models.UniqueConstraint(fields=["check_record", "item"], name="unique_score_per_item"),
        ]

    def __str__(self):
        return f"{self.item.title} {format_points(self.score)}"

    def clean(self):
        self.item.validate_score(self.score)


class CheckPhotoQuerySet(UnitOwnedQuerySet):
    unit_lookup = "check_record__unit"


class CheckPhoto(StoredPhoto):
    upload_folder = "checks"

    check_record = models.ForeignKey(Check, verbose_name=_("督查记录"), on_delete=models.CASCADE,
                                     related_name="photos", db_column="check_id")

    objects = CheckPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("督查照片")
        verbose_name_plural = _("督查照片")
        ordering = ["pk"]


class CheckCorrection(models.Model):
    check_record = models.ForeignKey(Check, verbose_name=_("督查记录"), on_delete=models.CASCADE,
                                     related_name="corrections", db_column="check_id")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("更正人"), on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField(_("更正时间"), auto_now_add=True)
    reason = models.TextField(_("更正理由"))
    before = models.JSONField(_("更正前"), default=dict)
    after = models.JSONField(_("更正后"), default=dict)

    class Meta:
        verbose_name = _("督查记录更正")
        verbose_name_plural = _("督查记录更正")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.check_record} 更正于 {self.at:%Y-%m-%d %H:%M}"
