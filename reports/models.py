"""Published reports: frozen copies of what was handed out at a meeting.

A monthly summary (bureau-wide or for one unit) can be published: its PDF and Excel are
rendered once and kept in storage with who and when, so the same document can be printed
again unchanged after the data moves on.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ledgers.models import Unit, UnitOwnedQuerySet


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("每月分析小结")
    ASSESSMENT = "assessment", _("年度考核")


class PublishedReportQuerySet(UnitOwnedQuerySet):
    """A liaison sees only their unit's published reports, never the bureau-wide ones."""


class PublishedReport(models.Model):
    kind = models.CharField(_("报表类型"), max_length=20, choices=ReportKind.choices, default=ReportKind.MONTHLY)
    period = models.CharField(_("期间"), max_length=7, help_text=_("如 2026-11"))
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, null=True, blank=True,
                             help_text=_("为空表示全局汇总"))
    title = models.CharField(_("标题"), max_length=200)
    pdf = models.FileField(_("PDF"), max_length=255)
    xlsx = models.FileField(_("Excel"), max_length=255)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    objects = PublishedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("已发布报表")
        verbose_name_plural = _("已发布报表")
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["kind", "period"])]

    def __str__(self):
        return self.title
