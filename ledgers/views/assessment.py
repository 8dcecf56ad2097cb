"""The assessment scheme pages (考核方案) for the bureau: grade thresholds and one scoring rule
per indicator; 加分/扣分 items and manual scores; their attachments.

Each bureau has its own scheme per year: pages show the scheme of `?bureau=` (the city's roles
read a district's), by default the user's own; changes always go to the admin's own bureau's
scheme, and manual scores / 加分扣分 only to units the admin may act on.

The scores themselves are shown by reports (reports.views.assessment)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from ..access import get_visible_or_404, role_required, selected_bureau
from ..files import serve_file
from ..forms.assessment import AdjustmentForm, ManualScoreForm, RuleForm, ThresholdForm
from ..models import (
    Adjustment, CampaignYear, Indicator, IndicatorRule, ManualScore, Role, RuleKind, Unit,
)
from ..models.assessment import ALL_KINDS
from ..services import assessment as service
from ..services.tasks import MoveRefused
from .imports import selected_year

BUREAU = (Role.ADMIN, Role.INSPECTOR, Role.LEADER)


def _year(request):
    """?year=2026 (in the query string, also on POSTs), else the current year."""
    return selected_year(request)


def _to(name, year, anchor=""):
    return redirect(f"{reverse(name)}?year={year.year}{anchor}")


def _bureau_query(request, bureau):
    """"&bureau=<id>" when the page shows another bureau than the user's own (the city drilling down)."""
    return "" if bureau.pk == request.user.owning_bureau().pk else f"&bureau={bureau.pk}"


def _message(error):
    return error.message if isinstance(error, MoveRefused) else "；".join(error.messages)


def _rule_initial(rule):
    if rule is None:
        return {"kind": "", "unit_kinds": list(ALL_KINDS), "partial": "0.5", "deduction": "1", "required": 1,
                "period": "semester", "target": "90"}
    return {"kind": rule.kind, "unit_kinds": rule.unit_kinds, "partial": rule.partial, "deduction": rule.deduction,
            "required": rule.required, "period": rule.period, "target": rule.target, "note": rule.note}


def _scheme_page(request, year, bureau, scheme, *, threshold_form=None, failed=None):
    rules = IndicatorRule.objects.filter(scheme=scheme) if scheme else IndicatorRule.objects.none()
    indicators = list(Indicator.objects.for_year(year).for_bureau(bureau)
                      .prefetch_related(Prefetch("rules", queryset=rules, to_attr="scheme_rules")))
    parents = {i.parent_id for i in indicators if i.parent_id}
    rows = []
    for i in indicators:
        rule = i.scheme_rules[0] if i.scheme_rules else None
        form = None
        if i.pk not in parents and i.points > 0:
            form = failed[1] if failed and failed[0] == i.pk else RuleForm(initial=_rule_initial(rule),
                                                                          prefix=f"i{i.pk}")
        rows.append({"indicator": i, "rule": rule, "form": form, "leaf": i.pk not in parents})
    if threshold_form is None and scheme is not None:
        threshold_form = ThresholdForm(initial={"title": scheme.title, "excellent": scheme.excellent,
                                                "good": scheme.good, "passing": scheme.passing})
    ruled = sum(1 for r in rows if r["rule"])
    return render(request, "ledgers/assessment/scheme.html", {
        "year": year, "bureau": bureau, "bureau_query": _bureau_query(request, bureau), "scheme": scheme,
        "rows": rows, "threshold_form": threshold_form,
        "can_edit": service.may_manage(request.user, bureau), "ruled": ruled,
        "leaves": sum(1 for r in rows if r["form"] is not None), "years": CampaignYear.objects.all(),
    }, status=400 if failed or (threshold_form is not None and threshold_form.errors) else 200)


@require_safe
@role_required(*BUREAU)
def scheme(request):
    year = _year(request)
    bureau = selected_bureau(request)
    return _scheme_page(request, year, bureau, service.scheme_for(year=year, bureau=bureau))


@role_required(Role.ADMIN)
@require_POST
def scheme_create(request):
    year = _year(request)
    try:
        service.scheme_for(year=year, user=request.user, create=True)
    except MoveRefused as e:
        messages.error(request, e.message)
    return _to("ledgers:assessment_scheme", year)


def _own_scheme_or_404(request, year):
    """The admin's own bureau's scheme of the year (what the admin may change)."""
    bureau = request.user.owning_bureau()
    scheme = service.scheme_for(year=year, bureau=bureau)
    if scheme is None:
        raise Http404("本年度还没有考核方案")
    return bureau, scheme


@role_required(Role.ADMIN)
@require_POST
def scheme_thresholds(request):
    year = _year(request)
    bureau, scheme = _own_scheme_or_404(request, year)
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            service.scheme_update(scheme=scheme, user=request.user, **form.cleaned_data)
            messages.success(request, "已保存等次分数线。")
            return _to("ledgers:assessment_scheme", year)
        except (ValidationError, MoveRefused) as e:
            form.add_error(None, _message(e))
    return _scheme_page(request, year, bureau, scheme, threshold_form=form)


@role_required(Role.ADMIN)
@require_POST
def rule_save(request, pk):
    bureau = request.user.owning_bureau()
    # Another district's own indicator is 404; the city's indicators are every district's.
    indicator = get_object_or_404(Indicator.objects.for_bureau(bureau).select_related("year"), pk=pk)
    year = indicator.year
    scheme = service.scheme_for(year=year, bureau=bureau)
    if scheme is None:
        raise Http404("本年度还没有考核方案")
    form = RuleForm(request.POST, prefix=f"i{indicator.pk}")
    if form.is_valid():
        try:
            rule = service.rule_save(scheme=scheme, indicator=indicator, user=request.user, **form.cleaned_data)
            messages.success(request, f"已保存指标 {indicator.code} 的评分规则：{rule.get_kind_display()}。"
                             if rule else f"已取消指标 {indicator.code} 的评分规则。")
            return _to("ledgers:assessment_scheme", year, f"#rule-{indicator.pk}")
        except (ValidationError, MoveRefused) as e:
            form.add_error(None, _message(e))
    reasons = "；".join(form.non_field_errors())
    messages.error(request, f"指标 {indicator.code} 的评分规则没有保存{f'：{reasons}' if reasons else '，请按提示修改'}。")
    return _scheme_page(request, year, bureau, scheme, failed=(indicator.pk, form))


def _actable_units(request, scheme):
    """Units of the scheme's bureau the user may score (a form's choices)."""
    return list(request.user.actable_units().active().filter(bureau=scheme.bureau_id))


def _adjustments_page(request, year, scheme, *, adjustment_form=None, manual_form=None):
    editable = service.may_manage(request.user, scheme.bureau)
    units = _actable_units(request, scheme) if editable else []
    manual_rules = list(IndicatorRule.objects.filter(scheme=scheme, kind=RuleKind.MANUAL).select_related("indicator"))
    return render(request, "ledgers/assessment/adjustments.html", {
        "year": year, "scheme": scheme, "can_edit": editable, "bureau": scheme.bureau,
        "bureau_query": _bureau_query(request, scheme.bureau),
        "adjustments": Adjustment.objects.visible_to(request.user).filter(scheme=scheme)
        .select_related("unit", "entered_by").order_by("-date", "-pk"),
        "manual_scores": ManualScore.objects.visible_to(request.user).filter(rule__scheme=scheme)
        .select_related("unit", "rule__indicator", "entered_by"),
        "adjustment_form": adjustment_form or AdjustmentForm(units=units, prefix="adj"),
        "manual_form": manual_form or ManualScoreForm(rules=manual_rules, units=units, prefix="manual"),
        "manual_rules": manual_rules,
    }, status=400 if (adjustment_form and adjustment_form.errors) or (manual_form and manual_form.errors) else 200)


def _scheme_or_404(year, bureau):
    scheme = service.scheme_for(year=year, bureau=bureau)
    if scheme is None:
        raise Http404("本年度还没有考核方案")
    return scheme


@role_required(*BUREAU)
def adjustments(request):
    year = _year(request)
    if request.method != "POST":
        return _adjustments_page(request, year, _scheme_or_404(year, selected_bureau(request)))
    if not service.may_manage(request.user):
        raise PermissionDenied("您的角色无权使用此功能。")
    _bureau, scheme = _own_scheme_or_404(request, year)
    units = _actable_units(request, scheme)
    if "adj-unit" in request.POST:
        form = AdjustmentForm(request.POST, request.FILES, units=units, prefix="adj")
        if form.is_valid():
            data = form.cleaned_data
            try:
                unit = get_visible_or_404(Unit, request.user, pk=data["unit"])
                item = service.adjustment_add(scheme=scheme, unit=unit, user=request.user, kind=data["kind"],
                                              points=data["points"], reason=data["reason"], date=data["date"],
                                              upload=data["attachment"])
                messages.success(request, f"已录入：{item}。")
                return _to("ledgers:assessment_adjustments", year)
            except (ValidationError, MoveRefused) as e:
                form.add_error(None, _message(e))
        return _adjustments_page(request, year, scheme, adjustment_form=form)
    rules = list(IndicatorRule.objects.filter(scheme=scheme, kind=RuleKind.MANUAL).select_related("indicator"))
    form = ManualScoreForm(request.POST, request.FILES, rules=rules, units=units, prefix="manual")
    if form.is_valid():
        data = form.cleaned_data
        try:
            unit = get_visible_or_404(Unit, request.user, pk=data["unit"])
            rule = get_object_or_404(IndicatorRule.objects.select_related("scheme__bureau", "indicator"),
                                     pk=data["rule"], scheme=scheme)
            item = service.manual_score_save(rule=rule, unit=unit, user=request.user, score=data["score"],
                                             reason=data["reason"], date=data["date"], upload=data["attachment"])
            messages.success(request, f"已保存人工评分：{item}。")
            return _to("ledgers:assessment_adjustments", year)
        except (ValidationError, MoveRefused) as e:
            form.add_error(None, _message(e))
    return _adjustments_page(request, year, scheme, manual_form=form)


@role_required(Role.ADMIN)
@require_POST
def adjustment_delete(request, pk):
    item = get_visible_or_404(Adjustment.objects.select_related("scheme__bureau", "scheme__year", "unit"),
                              request.user, pk=pk)
    year = item.scheme.year
    try:
        service.adjustment_delete(adjustment=item, user=request.user)
        messages.success(request, "已删除该加分扣分项（修改记录保留在历史中）。")
    except MoveRefused as e:
        messages.error(request, e.message)
    return _to("ledgers:assessment_adjustments", year)


def _serve(request, model, pk):
    item = get_visible_or_404(model, request.user, pk=pk)
    return serve_file(request, item.attachment, download_name=item.attachment_name or None)


@require_safe
@login_required
def adjustment_file(request, pk):
    """An adjustment's attachment, for whoever may see its unit."""
    return _serve(request, Adjustment, pk)


@require_safe
@login_required
def manual_file(request, pk):
    """A manual score's attachment, for whoever may see its unit."""
    return _serve(request, ManualScore, pk)
