"""Writes to the assessment scheme (年度考核方案): the scheme and its thresholds, one rule per
indicator, the bureau's manual scores and 加分/扣分 items.

Keyword-only functions, each in one transaction; only the admin of the scheme's bureau may write
(`MoveRefused` otherwise): a district admin their district's scheme, the city admin the city's (for
the city's own units). Manual scores and 加分/扣分 only for units of the scheme's bureau that the
admin may act on. Bad input raises `ValidationError` with a Chinese message and saves nothing.
"""
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import files
from ..access import can_edit
from ..models import (
    Adjustment, AdjustmentKind, AssessmentScheme, Bureau, Indicator, IndicatorRule, ManualScore, Period, RuleKind,
    UnitKind,
)
from .tasks import MoveRefused


def may_manage(user, bureau=None):
    """May `user` change the scheme of `bureau` (by default: the user's own bureau's)?"""
    if not (user.is_authenticated and user.is_bureau_admin and can_edit(user)):
        return False
    if bureau is None or user.is_superuser:
        return True
    return user.owning_bureau().pk == bureau.pk


def _require_admin(user, bureau=None):
    if not may_manage(user, bureau):
        raise MoveRefused("只有本局文明办可以修改本局的考核方案。")


def _require_unit(user, scheme, unit):
    if unit.bureau_id != scheme.bureau_id:
        raise ValidationError(f"{unit.name}不属于{scheme.bureau.label}，不能在本方案中评分。")
    if not user.may_act_on_unit(unit):
        raise MoveRefused(f"您无权为{unit.name}评分。")


def _decimal(value, label, *, minimum=None, maximum=None):
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(f"“{label}”须填写数字。")
    if not number.is_finite():
        raise ValidationError(f"“{label}”须填写数字。")
    if minimum is not None and number < minimum:
        raise ValidationError(f"“{label}”不能小于 {minimum}。")
    if maximum is not None and number > maximum:
        raise ValidationError(f"“{label}”不能大于 {maximum}。")
    return number


def scheme_for(*, year, bureau=None, user=None, create=False):
    """The bureau's scheme of the year (bureau: by default the user's own, else the first
    district); with create=True (that bureau's admin) it is made on first use."""
    if bureau is None:
        bureau = user.owning_bureau() if user is not None else Bureau.objects.default_district()
    scheme = AssessmentScheme.objects.filter(year=year, bureau=bureau).select_related("bureau", "year").first()
    if scheme is None and create:
        _require_admin(user, bureau)
        scheme, _ = AssessmentScheme.objects.get_or_create(year=year, bureau=bureau)
    return scheme


def scheme_update(*, scheme, user, excellent, good, passing, title=""):
    _require_admin(user, scheme.bureau)
    excellent = _decimal(excellent, "优秀线", minimum=0, maximum=100)
    good = _decimal(good, "良好线", minimum=0, maximum=100)
    passing = _decimal(passing, "合格线", minimum=0, maximum=100)
    if not excellent >= good >= passing:
        raise ValidationError("分数线须满足：优秀线 ≥ 良好线 ≥ 合格线。")
    with transaction.atomic():
        scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
        scheme.excellent, scheme.good, scheme.passing = excellent, good, passing
        scheme.title = (title or "").strip()[:100]
        scheme.save()
    return scheme


def rule_save(*, scheme, indicator, user, kind, unit_kinds, partial="0.5", deduction="1", required=1,
              period=Period.SEMESTER, target="90", note=""):
    """Set (create or replace) the scoring rule of one indicator; kind "" removes the rule."""
    _require_admin(user, scheme.bureau)
    if indicator.year_id != scheme.year_id:
        raise ValidationError("该指标不属于本年度。")
    if not Indicator.objects.for_bureau(scheme.bureau).filter(pk=indicator.pk).exists():
        raise ValidationError("该指标不属于本局的测评体系。")
    with transaction.atomic():
        existing = IndicatorRule.objects.select_for_update().filter(scheme=scheme, indicator=indicator).first()
        if not kind:
            if existing:
                existing.delete()
            return None
        if kind not in RuleKind.values:
            raise ValidationError("请从列表中选择评分规则。")
        if Indicator.objects.filter(parent=indicator).exists():
            raise ValidationError(f"指标 {indicator.code} 有下级指标：请在下级指标上设置评分规则，上级指标得分为下级之和。")
        if indicator.points <= 0:
            raise ValidationError(f"指标 {indicator.code} 没有分值，不能设置评分规则。")
        kinds = [k for k in UnitKind.values if k in (unit_kinds or [])]
        if not kinds:
            raise ValidationError("请至少选择一类适用单位。")
        if period not in Period.values:
            raise ValidationError("请从列表中选择统计周期。")
        try:
            required = int(required)
        except (TypeError, ValueError):
            raise ValidationError("“要求次数”须填写整数。")
        if not 1 <= required <= 100:
            raise ValidationError("“要求次数”须在 1 到 100 之间。")
        rule = existing or IndicatorRule(scheme=scheme, indicator=indicator)
        rule.kind, rule.unit_kinds, rule.period, rule.required = kind, kinds, period, required
        rule.partial = _decimal(partial, "部分得分比例", minimum=0, maximum=1)
        rule.deduction = _decimal(deduction, "每项扣分", minimum=0, maximum=indicator.points)
        rule.target = _decimal(target, "知晓率目标", minimum=Decimal("0.1"), maximum=100)
        rule.note = (note or "").strip()
        rule.save()
    return rule


def _attach(instance, upload):
    if upload is None:
        return
    kind, ext = files.check_upload(upload, {files.IMAGE, files.PDF, files.WORD, files.EXCEL})
    instance.attachment_name = files.display_name(upload)
    upload.seek(0)
    instance.attachment.save(files.storage_name("assessment", ext), upload, save=False)


def manual_score_save(*, rule, unit, user, score, reason, date, upload=None):
    """The bureau's score of one unit on a manual indicator (replaces an earlier one)."""
    _require_admin(user, rule.scheme.bureau)
    _require_unit(user, rule.scheme, unit)
    if rule.kind != RuleKind.MANUAL:
        raise ValidationError("该指标不是人工评分指标。")
    if not rule.applies_to(unit.kind):
        raise ValidationError(f"指标 {rule.indicator.code} 不适用于{unit.get_kind_display()}。")
    score = _decimal(score, "得分", minimum=0, maximum=rule.indicator.points)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写评分理由。")
    with transaction.atomic():
        item = ManualScore.objects.select_for_update().filter(rule=rule, unit=unit).first() or \
            ManualScore(rule=rule, unit=unit)
        item.score, item.reason, item.date, item.entered_by = score, reason, date, user
        _attach(item, upload)
        item.save()
    return item


def adjustment_add(*, scheme, unit, user, kind, points, reason, date, upload=None):
    """A 加分 or 扣分 item with its reason, date and evidence (audited through its history)."""
    _require_admin(user, scheme.bureau)
    _require_unit(user, scheme, unit)
    if kind not in AdjustmentKind.values:
        raise ValidationError("请选择加分或扣分。")
    points = _decimal(points, "分值", minimum=Decimal("0.01"), maximum=100)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写加分或扣分的理由。")
    if date is None:
        raise ValidationError("请填写日期。")
    with transaction.atomic():
        item = Adjustment(scheme=scheme, unit=unit, kind=kind, points=points, reason=reason, date=date,
                          entered_by=user)
        _attach(item, upload)
        item.save()
    return item


def adjustment_delete(*, adjustment, user):
    _require_admin(user, adjustment.scheme.bureau)
    if not user.may_act_on_unit(adjustment.unit):
        raise MoveRefused(f"您无权删除{adjustment.unit.name}的加分扣分项。")
    with transaction.atomic():
        adjustment.delete()
