"""领导包抓 · 督导组包督查: who is answerable for which unit in a campaign year.

The bureau "实行领导包抓、督导组包督查工作机制": each bureau leader (局领导) answers for a set of
units, and each inspection group (督导组, e.g. 第一督导组) must visit the units it is given, at its
rhythm (每周 by default).

- `InspectionGroup`: a bureau's named group of inspectors for one campaign year, with its rhythm.
- `Oversight`: one row per unit and campaign year holding its 包抓领导 and its 督导组 — so a unit
  has at most one of each per year (a database constraint). Changes are kept (audit trail).

Writes go through `ledgers.services.oversight`; what a group has covered is worked out there from
the checks (ledgers.rules: the rhythm's period, submitted checks only).
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..pk_urls import pk_url
from .core import Bureau, BureauOwned, CampaignYear, Role, Unit, UnitOwnedQuerySet
from .notifications import BureauScopedQuerySet


class Rhythm(models.TextChoices):
    WEEKLY = "weekly", _("每周")
    FORTNIGHTLY = "fortnightly", _("每两周")
    MONTHLY = "monthly", _("每月")


class InspectionGroupQuerySet(BureauScopedQuerySet):
    """A bureau's groups: its admins, inspectors and leaders read them (the city's roles every
    district's); liaisons none. Only the owning bureau changes them."""

    def for_year(self, year):
        return self.filter(year=year)


class InspectionGroup(BureauOwned, models.Model):
    bureau = models.ForeignKey(Bureau, verbose_name=_("所属教育局"), on_delete=models.PROTECT,
                               related_name="inspection_groups")
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                             related_name="inspection_groups")
    name = models.CharField(_("督导组名称"), max_length=50, help_text=_("如 第一督导组"))
    rhythm = models.CharField(_("督查频次"), max_length=20, choices=Rhythm.choices, default=Rhythm.WEEKLY,
                              help_text=_("本组对所包单位至少督查一次的周期"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("组员"), blank=True,
                                     related_name="inspection_groups")
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = InspectionGroupQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督导组")
        verbose_name_plural = _("督导组")
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["bureau", "year", "name"], name="unique_group_name_per_year",
                                               violation_error_message=_("本年度已有同名督导组，请换一个名称。"))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return pk_url("ledgers:group_detail", self.pk)


class OversightQuerySet(UnitOwnedQuerySet):
    def for_year(self, year):
        return self.filter(year=year)

    def of_leader(self, user):
        return self.filter(leader=user)


class Oversight(models.Model):
    """A unit's 包抓领导 and 督导组 in one campaign year."""

    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                             related_name="oversights")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="oversights")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("包抓领导"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="overseen",
                               limit_choices_to={"role": Role.LEADER})
    group = models.ForeignKey(InspectionGroup, verbose_name=_("督导组"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="oversights")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OversightQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("包抓包督查")
        verbose_name_plural = _("包抓包督查")
        ordering = ["unit__sort_order", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["year", "unit"], name="one_oversight_per_unit_year")]

    def __str__(self):
        return f"{self.unit}：{self.leader or '—'} / {self.group or '—'}"

    def clean(self):
        unit = self.unit if self.unit_id else None
        if self.leader_id and unit is not None:
            if self.leader.role != Role.LEADER:
                raise ValidationError({"leader": f"{self.leader} 不是局领导，不能包抓单位。"})
            if self.leader.bureau_id != unit.bureau_id:
                raise ValidationError({"leader": f"{self.leader} 不是{unit.name}所属教育局的领导。"})
        if self.group_id and unit is not None:
            if self.group.bureau_id != unit.bureau_id:
                raise ValidationError({"group": f"{self.group} 不是{unit.name}所属教育局的督导组。"})
            if self.year_id and self.group.year_id != self.year_id:
                raise ValidationError({"group": f"{self.group} 不是本年度的督导组。"})
