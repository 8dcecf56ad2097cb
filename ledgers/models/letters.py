"""Target responsibility letters (目标责任书): one per unit and year, signed and archived.

The bureau edits the year's target items (LetterTarget); generating letters copies them into
each unit's letter (LetterItem), so later edits change only letters still in 草稿. Status moves
草稿 → 已下发 → 待确认 → 已签订 → 已归档 go through `ledgers.services.letters`: the unit uploads the
signed scan (SignedScan: PDF or image) and the letter waits for the bureau (待确认), which confirms
it (已签订, completing the unit's letter task) or returns it with a reason (back to 已下发).
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..pk_urls import pk_url
from .. import files
from .core import Bureau, BureauOwned, CampaignYear, Unit, UnitOwnedQuerySet
from .files import StoredFile


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已下发")
    PENDING = "pending", _("待确认")
    SIGNED = "signed", _("已签订")
    ARCHIVED = "archived", _("已归档")


class LetterTarget(BureauOwned, models.Model):
    """One target item of a year's letter template, edited by the bureau (each bureau its own)."""

    bureau = models.ForeignKey(Bureau, verbose_name=_("教育局"), on_delete=models.PROTECT,
                               related_name="letter_targets")
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.CASCADE,
                             related_name="letter_targets")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    text = models.TextField(_("目标内容"))
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("责任书目标条目")
        verbose_name_plural = _("责任书目标条目")
        ordering = ["year", "order", "pk"]

    def __str__(self):
        return self.text[:40]


class ResponsibilityLetterQuerySet(UnitOwnedQuerySet):
    def visible_to(self, user):
        qs = super().visible_to(user)
        if getattr(user, "is_authenticated", False) and not user.sees_all_units:
            # A unit sees its letter once the bureau has issued it.
            qs = qs.exclude(status=LetterStatus.DRAFT)
        return qs

    def for_year(self, year):
        return self.filter(year=year)

    def unsigned(self):
        """Not 已签订 yet: a scan waiting for the bureau (待确认) is not signed."""
        return self.filter(status__in=[LetterStatus.DRAFT, LetterStatus.ISSUED, LetterStatus.PENDING])

    def signed(self):
        return self.filter(status__in=[LetterStatus.SIGNED, LetterStatus.ARCHIVED])

    def with_items(self):
        return self.select_related("unit", "year").prefetch_related(
            Prefetch("items", queryset=LetterItem.objects.order_by("order", "pk")), "scans")


class ResponsibilityLetter(models.Model):
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                             related_name="letters")
    unit = models.ForeignKey(Unit, verbose_name=_("乙方单位"), on_delete=models.PROTECT, related_name="letters")
    status = models.CharField(_("状态"), max_length=20, choices=LetterStatus.choices, default=LetterStatus.DRAFT)
    bureau_signatory = models.CharField(_("甲方负责人"), max_length=50, blank=True)
    unit_signatory = models.CharField(_("乙方负责人"), max_length=50, blank=True)
    issued_at = models.DateTimeField(_("下发时间"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("下发人"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(_("扫描件上传时间"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传签字件人"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    signed_at = models.DateTimeField(_("确认签订时间"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"),
                                  on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("退回人"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    return_reason = models.TextField(_("退回原因"), blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    archived_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("归档人"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    objects = ResponsibilityLetterQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("目标责任书")
        verbose_name_plural = _("目标责任书")
        ordering = ["year", "unit__sort_order", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["year", "unit"], name="one_letter_per_unit_year")]

    def __str__(self):
        return f"{self.year.year}年度目标责任书 · {self.unit}"

    def get_absolute_url(self):
        return pk_url("ledgers:letter_detail", self.pk)

    @property
    def title(self):
        return f"{self.year.year}年度文明创建目标责任书"

    def total_points(self):
        return sum((item.points for item in self.items.all()), Decimal(0))

    def latest_scan(self):
        scans = list(self.scans.all())
        return scans[-1] if scans else None

    def badge_class(self):
        return {
            LetterStatus.DRAFT: "text-bg-secondary",
            LetterStatus.ISSUED: "text-bg-warning",
            LetterStatus.PENDING: "text-bg-info",
            LetterStatus.SIGNED: "text-bg-success",
            LetterStatus.ARCHIVED: "text-bg-dark",
        }[self.status]


class LetterItem(models.Model):
    """A target item as copied into one letter: issued letters never change with the template."""

    letter = models.ForeignKey(ResponsibilityLetter, verbose_name=_("目标责任书"), on_delete=models.CASCADE,
                               related_name="items")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    text = models.TextField(_("目标内容"))
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("目标条目")
        verbose_name_plural = _("目标条目")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text[:40]


class SignedScanQuerySet(UnitOwnedQuerySet):
    unit_lookup = "letter__unit"


class SignedScan(StoredFile):
    upload_folder = "letters"
    allowed_kinds = {files.PDF, files.IMAGE}

    letter = models.ForeignKey(ResponsibilityLetter, verbose_name=_("目标责任书"), on_delete=models.CASCADE,
                               related_name="scans")

    objects = SignedScanQuerySet.as_manager()

    class Meta:
        verbose_name = _("签字扫描件")
        verbose_name_plural = _("签字扫描件")
        ordering = ["uploaded_at", "pk"]
