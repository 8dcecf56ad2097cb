"""The evaluation system (测评体系) as a coded tree of indicators, one tree per campaign year.

Tasks, check items, problems and activities link to indicators; an indicator's evidence rule
(minimum photos, caption required) decides whether an activity may be submitted.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .core import Bureau, BureauOwned, CampaignYear, SharedDownQuerySet


class Method(models.TextChoices):
    DOCUMENTS = "documents", _("材料审核")
    SITE = "site", _("实地考察")
    SURVEY = "survey", _("问卷调查")


class IndicatorQuerySet(SharedDownQuerySet):
    """The tree a bureau works with (`for_bureau`): the city's indicators and the bureau's own
    beneath them; public to every signed-in user of those bureaus (`visible_to`)."""

    def for_year(self, year):
        return self.filter(year=year)


def code_sort_key(code):
    """'3.10.2' sorts after '3.9.1': compare the numbers, not the text."""
    return tuple(int(part) if part.isdigit() else part for part in code.split("."))


class Indicator(BureauOwned, models.Model):
    bureau = models.ForeignKey(Bureau, verbose_name=_("发布单位"), on_delete=models.PROTECT,
                               related_name="indicators",
                               help_text=_("市教育局发布测评体系；区县可在其下增加本区县的指标"))
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                             related_name="indicators")
    code = models.CharField(_("编号"), max_length=20, help_text=_("如 3.2.1"))
    parent = models.ForeignKey("self", verbose_name=_("上级指标"), on_delete=models.CASCADE,
                               null=True, blank=True, related_name="children")
    title = models.CharField(_("测评项目"), max_length=200)
    standard = models.TextField(_("测评标准"), blank=True)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, default=0)
    method = models.CharField(_("测评方法"), max_length=20, choices=Method.choices, default=Method.DOCUMENTS)
    min_photos = models.PositiveSmallIntegerField(_("最少照片数"), default=0,
                                                  help_text=_("活动档案关联此指标时至少需要的照片张数"))
    caption_required = models.BooleanField(_("照片须有说明"), default=False)
    sort_key = models.CharField(_("排序键"), max_length=60, editable=False, db_index=True, default="")

    objects = IndicatorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("测评指标")
        verbose_name_plural = _("测评指标")
        ordering = ["year", "sort_key"]
        constraints = [models.UniqueConstraint(fields=["year", "bureau", "code"],
                                               name="unique_indicator_code_per_year")]

    def __str__(self):
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        # Zero-padded parts so that the database orders codes numerically.
        self.sort_key = ".".join(part.zfill(4) for part in self.code.split("."))
        super().save(*args, **kwargs)

    @property
    def depth(self):
        return self.code.count(".")

    def evidence_rule_text(self):
        parts = []
        if self.min_photos:
            parts.append(f"至少 {self.min_photos} 张照片")
        if self.caption_required:
            parts.append("每张照片须有说明")
        return "，".join(parts)
