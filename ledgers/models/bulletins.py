"""The weekly bulletin (每周督查通报): one per ISO week, numbered 第N期 when published.

A draft shows live figures (from `ledgers.services.bulletins.bulletin_data`); publishing takes
a JSON snapshot of everything the bulletin shows, and a published bulletin renders from that
snapshot only, so later corrections to checks never change what was sent out.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import rules
from ..pk_urls import pk_url
from .core import Bureau, BureauKind, BureauOwned, CampaignYear


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class BulletinQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Bulletins are the bureau's: admins, inspectors and leaders of the bureau that issues
        # them; the city's roles read every district's too. The city's published bulletins are
        # sent to every district (市教育局 → 各区县教育局), so a district's roles read those as
        # well, never the city's drafts (live city-wide figures) nor another district's own.
        # Liaisons read no bulletin here (they see their own unit's records only).
        if not getattr(user, "is_authenticated", False) or not user.is_active or not user.sees_all_units:
            return self.none()
        if user.is_city:
            return self
        if not user.bureau_id:
            return self.none()
        return self.filter(models.Q(bureau_id=user.bureau_id)
                           | models.Q(bureau__kind=BureauKind.CITY, status=BulletinStatus.PUBLISHED))

    def actable_by(self, user):
        qs = self.visible_to(user)
        if getattr(user, "is_superuser", False) and not user.bureau_id:
            return qs
        return qs.filter(bureau_id=user.bureau_id)

    def published(self):
        return self.filter(status=BulletinStatus.PUBLISHED)


class Bulletin(BureauOwned, models.Model):
    bureau = models.ForeignKey(Bureau, verbose_name=_("发布单位"), on_delete=models.PROTECT,
                               related_name="bulletins")
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                             related_name="bulletins")
    iso_year = models.PositiveSmallIntegerField(_("周次年份"))
    iso_week = models.PositiveSmallIntegerField(_("周次"))
    number = models.PositiveIntegerField(_("期号"), null=True, blank=True, editable=False)
    foreword = models.TextField(_("按语"), blank=True, help_text=_("通报开头的简短说明，可编辑"))
    status = models.CharField(_("状态"), max_length=20, choices=BulletinStatus.choices,
                              default=BulletinStatus.DRAFT)
    snapshot = models.JSONField(_("发布内容"), default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("起草人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    objects = BulletinQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督查通报")
        verbose_name_plural = _("督查通报")
        ordering = ["-iso_year", "-iso_week"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "iso_year", "iso_week"], name="one_bulletin_per_week"),
            models.UniqueConstraint(fields=["bureau", "year", "number"], name="unique_bulletin_number_per_year"),
        ]

    def __str__(self):
        if self.number:
            return f"每周督查通报 第{self.number}期（{self.week_label}）"
        return f"每周督查通报（{self.week_label}，草稿）"

    def get_absolute_url(self):
        return pk_url("ledgers:bulletin_detail", self.pk)

    @property
    def is_published(self):
        return self.status == BulletinStatus.PUBLISHED

    @property
    def week_label(self):
        return f"{self.iso_year}年第{self.iso_week}周"

    @property
    def week_start(self):
        return rules.week_bounds(self.iso_year, self.iso_week)[0]

    @property
    def week_end(self):
        return rules.week_bounds(self.iso_year, self.iso_week)[1]
