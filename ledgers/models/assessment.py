"""The year-end assessment scheme (年度考核方案): how each indicator's points are scored from the
ledgers, plus the bureau's manual scores and 加分/扣分 items.

- `AssessmentScheme`: one per campaign year, with the grade thresholds (优秀/良好/合格, as a
  percentage of the unit's full marks).
- `IndicatorRule`: for one indicator with points, a rule from a fixed menu (`RuleKind`) with its
  parameters and the unit kinds it applies to; `explain()` is the Chinese explanation users see.
- `ManualScore`: the bureau's score of one unit on a manual indicator, with reason and attachment.
- `Adjustment`: a 加分 or 扣分 item of one unit, with reason, date and evidence attachment.

Writes go through `ledgers.services.assessment`; scores are computed in `reports.assessment`.
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .checks import format_points
from .core import Bureau, BureauOwned, CampaignYear, Unit, UnitKind, UnitOwnedQuerySet
from .indicators import Indicator


class RuleKind(models.TextChoices):
    TASKS = "tasks", _("任务按时完成")
    CHECKS = "checks", _("督查得分率")
    PROBLEMS = "problems", _("整改超期扣分")
    ACTIVITIES = "activities", _("活动档案")
    LETTER = "letter", _("目标责任书")
    MANUAL = "manual", _("局文明办评分")
    SURVEY = "survey", _("问卷知晓率")


class Period(models.TextChoices):
    SEMESTER = "semester", _("每学期")
    MONTH = "month", _("每月")
    YEAR = "year", _("全年")


class AssessmentSchemeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Bureau roles see their own bureau's scheme; the city's roles every bureau's."""
        return self.filter(bureau__in=Bureau.objects.visible_to(user))


class AssessmentScheme(BureauOwned, models.Model):
    bureau = models.ForeignKey(Bureau, verbose_name=_("教育局"), on_delete=models.PROTECT,
                               related_name="assessment_schemes")
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                             related_name="assessment_schemes")
    title = models.CharField(_("方案名称"), max_length=100, blank=True)
    excellent = models.DecimalField(_("优秀线（%）"), max_digits=5, decimal_places=1, default=Decimal(90))
    good = models.DecimalField(_("良好线（%）"), max_digits=5, decimal_places=1, default=Decimal(80))
    passing = models.DecimalField(_("合格线（%）"), max_digits=5, decimal_places=1, default=Decimal(60))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AssessmentSchemeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year__year", "bureau__kind", "bureau__sort_order", "bureau_id"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "year"], name="one_assessment_scheme_per_bureau_year"),
            models.CheckConstraint(
                condition=models.Q(excellent__gte=models.F("good")) & models.Q(good__gte=models.F("passing"))
                & models.Q(passing__gte=0) & models.Q(excellent__lte=100),
                name="assessment_thresholds_ordered"),
        ]

    def __str__(self):
        return self.title or f"{self.bureau.label}{self.year.year}年度文明创建考核方案"

    def grade(self, percent):
        """优秀/良好/合格/不合格 for a score as a percentage of full marks (None: 未评定)."""
        if percent is None:
            return "未评定"
        if percent >= self.excellent:
            return "优秀"
        if percent >= self.good:
            return "良好"
        if percent >= self.passing:
            return "合格"
        return "不合格"


ALL_KINDS = [UnitKind.SCHOOL.value, UnitKind.SECTION.value, UnitKind.AFFILIATE.value]


def all_kinds():
    return list(ALL_KINDS)


class IndicatorRule(models.Model):
    scheme = models.ForeignKey(AssessmentScheme, verbose_name=_("考核方案"), on_delete=models.CASCADE,
                               related_name="rules")
    indicator = models.ForeignKey(Indicator, verbose_name=_("测评指标"), on_delete=models.CASCADE,
                                  related_name="rules")
    kind = models.CharField(_("评分规则"), max_length=20, choices=RuleKind.choices)
    unit_kinds = models.JSONField(_("适用单位类别"), default=all_kinds,
                                  help_text=_("不适用的单位不计此项满分"))
    partial = models.DecimalField(
        _("部分得分比例"), max_digits=3, decimal_places=2, default=Decimal("0.5"),
        help_text=_("任务：逾期完成按此比例计分；责任书：已签订未归档按此比例计分"))
    deduction = models.DecimalField(_("每项扣分"), max_digits=5, decimal_places=2, default=Decimal(1),
                                    help_text=_("整改：每项超期问题扣的分数"))
    required = models.PositiveSmallIntegerField(_("要求次数"), default=1,
                                                help_text=_("活动档案：每个周期要求的次数"))
    period = models.CharField(_("统计周期"), max_length=20, choices=Period.choices, default=Period.SEMESTER)
    target = models.DecimalField(_("知晓率目标（%）"), max_digits=4, decimal_places=1, default=Decimal(90),
                                 help_text=_("问卷：知晓率达到此值得满分，低于按比例计分"))
    note = models.TextField(_("补充说明"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("指标评分规则")
        verbose_name_plural = _("指标评分规则")
        ordering = ["indicator__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "indicator"], name="one_rule_per_scheme_indicator"),
            models.CheckConstraint(condition=models.Q(partial__gte=0) & models.Q(partial__lte=1),
                                   name="rule_partial_0_1"),
            models.CheckConstraint(condition=models.Q(deduction__gte=0), name="rule_deduction_not_negative"),
            models.CheckConstraint(condition=models.Q(target__gt=0) & models.Q(target__lte=100),
                                   name="rule_target_0_100"),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.get_kind_display()}"

    def applies_to(self, kind):
        return kind in (self.unit_kinds or [])

    @property
    def unit_kinds_text(self):
        labels = dict(UnitKind.choices)
        kinds = [str(labels[k]) for k in ALL_KINDS if k in (self.unit_kinds or [])]
        return "、".join(kinds) if kinds else "无"

    def explain(self):
        """The rule in one Chinese sentence, as users read it on the score sheet."""
        points = format_points(self.indicator.points)
        partial = f"{(self.partial * 100).normalize():f}%"
        if self.kind == RuleKind.TASKS:
            text = (f"本指标下到期任务（周期性任务每一期计一项，期末前须填报落实情况）按时完成的比例 × {points} 分；"
                    f"逾期完成的按 {partial} 计，到期未完成的不得分；尚未到期的任务不计。")
        elif self.kind == RuleKind.CHECKS:
            text = (f"已提交督查中本指标检查项目的得分率（实得分合计 ÷ 满分合计；同一周同一检查表多次督查取平均）"
                    f"× {points} 分；尚无督查的暂按满分计。")
        elif self.kind == RuleKind.PROBLEMS:
            text = (f"本指标下整改问题在现行整改时限内未提交整改的（含超期后才提交的），每项扣 "
                    f"{format_points(self.deduction)} 分，扣完 {points} 分为止；按时提交、等待复查的不扣分。")
        elif self.kind == RuleKind.ACTIVITIES:
            rule = self.indicator.evidence_rule_text() or "本局默认佐证要求"
            period = {Period.SEMESTER: "每学期", Period.MONTH: "每月", Period.YEAR: "全年"}[self.period]
            text = (f"{period}至少 {self.required} 次符合佐证要求{f'（{rule}）' if rule else ''}的已提交活动档案；"
                    f"各周期完成比例的平均 × {points} 分（当前周期按已有次数计）。")
        elif self.kind == RuleKind.LETTER:
            text = f"目标责任书已归档得 {points} 分；已签订未归档按 {partial} 计；未签订不得分。"
        elif self.kind == RuleKind.SURVEY:
            target = f"{self.target.normalize():f}%"
            text = (f"本年度各轮问卷调查中本单位的知晓率（答题正确率达到问卷知晓标准的答卷占比，各轮合计）达到 {target} "
                    f"得 {points} 分，低于按比例计（知晓率 ÷ {target} × {points} 分）；答卷少于该轮最少样本的一轮不计，"
                    f"各轮均样本不足的不得分；尚未开展问卷调查的暂按满分计。")
        else:
            text = f"由局文明办评分（须填写理由并附佐证），满分 {points} 分；尚未评分的暂不计入满分。"
        return f"{text}{self.note}" if self.note else text


class ManualScoreQuerySet(UnitOwnedQuerySet):
    pass


class ManualScore(models.Model):
    rule = models.ForeignKey(IndicatorRule, verbose_name=_("指标评分规则"), on_delete=models.CASCADE,
                             related_name="manual_scores")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="manual_scores")
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    date = models.DateField(_("评分日期"), default=timezone.localdate)
    reason = models.TextField(_("评分理由"))
    attachment = models.FileField(_("佐证附件"), max_length=255, blank=True)
    attachment_name = models.CharField(_("附件原文件名"), max_length=255, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评分人"), on_delete=models.PROTECT,
                                   related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    objects = ManualScoreQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        ordering = ["rule__indicator__sort_key", "unit__sort_order", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "unit"], name="one_manual_score_per_unit"),
            models.CheckConstraint(condition=models.Q(score__gte=0), name="manual_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.rule.indicator.code} {self.unit} {format_points(self.score)}"


class AdjustmentKind(models.TextChoices):
    BONUS = "bonus", _("加分")
    PENALTY = "penalty", _("扣分")


class AdjustmentQuerySet(UnitOwnedQuerySet):
    pass


class Adjustment(models.Model):
    scheme = models.ForeignKey(AssessmentScheme, verbose_name=_("考核方案"), on_delete=models.CASCADE,
                               related_name="adjustments")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="adjustments")
    kind = models.CharField(_("类型"), max_length=10, choices=AdjustmentKind.choices)
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    date = models.DateField(_("日期"), default=timezone.localdate)
    reason = models.TextField(_("理由"))
    attachment = models.FileField(_("佐证附件"), max_length=255, blank=True)
    attachment_name = models.CharField(_("附件原文件名"), max_length=255, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT,
                                   related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = AdjustmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("加分扣分")
        verbose_name_plural = _("加分扣分")
        ordering = ["date", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(points__gt=0), name="adjustment_points_positive")]

    def __str__(self):
        return f"{self.unit} {self.get_kind_display()} {format_points(self.points)}"

    @property
    def signed_points(self):
        return self.points if self.kind == AdjustmentKind.BONUS else -self.points
