"""问责台账 pages: the 问责提示 the bureau's rules raised, what was done about each, and its closing;
the rules themselves (问责规则) and 立即检查. A unit's liaisons read their own unit's entries; the
bureau reads all (a 包抓 leader may show only their units'); its admins record and close.
The printed 问责台账 is reports' (reports:accountability_pdf).
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe
from django.contrib.auth.decorators import login_required

from .. import files
from ..access import get_visible_or_404, role_required, selected_bureau
from ..forms.oversight import ActionForm, CaseFilterForm, CloseForm, RuleForm
from ..models import AccountabilityAttachment, AccountabilityCase, CaseStatus, Oversight, Role, Unit
from ..services import accountability as service
from .imports import selected_year
from .people import into_form, refused


def filtered_cases(request, year):
    user = request.user
    units = Unit.objects.visible_to(user) if user.sees_all_units else None
    leads = user.is_leader and Oversight.objects.for_year(year).of_leader(user).exists()
    form = CaseFilterForm(request.GET or None, units=units, leader=leads,
                          initial={"mine": True} if leads else None)
    cases = AccountabilityCase.objects.visible_to(user).for_year(year)
    if request.GET.get("bureau"):
        cases = cases.in_bureau_id(selected_bureau(request).pk)
    status, mine = "", leads and not request.GET  # a 包抓 leader first sees their own units'
    if form.is_valid():
        data = form.cleaned_data
        status, mine = data["status"], data.get("mine", False)
        if data.get("unit"):
            cases = cases.filter(unit=data["unit"])
    if mine:
        cases = cases.filter(unit__in=Oversight.objects.for_year(year).of_leader(user).values("unit_id"))
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    elif status != "all":
        cases = cases.open()
    return form, cases, mine


@require_safe
@login_required
def case_list(request):
    year = selected_year(request)
    form, cases, mine = filtered_cases(request, year)
    query = request.GET.copy()
    query.pop("page", None)
    page = Paginator(cases.select_related("unit").open_first(), 50).get_page(request.GET.get("page"))
    return render(request, "ledgers/accountability/list.html", {
        "year": year, "form": form, "page": page, "query": query.urlencode(), "mine": mine,
        "can_handle": service.can_handle(request.user),
    })


@login_required
def case_detail(request, pk):
    case = get_visible_or_404(AccountabilityCase.objects.select_related("unit__bureau", "year", "closed_by"),
                              request.user, pk=pk)
    may_handle = service.can_handle(request.user, case.unit) and not case.is_closed
    form = ActionForm(request.POST or None, request.FILES or None,
                      initial={"conducted_by": request.user.display_name})
    if request.method == "POST":
        if not may_handle:
            raise PermissionDenied("您无权记录问责处理情况（只能查看）。")
        if form.is_valid():
            data = form.cleaned_data
            try:
                service.action_add(case=case, user=request.user, kind=data["kind"], date=data["date"],
                                   conducted_by=data["conducted_by"], attendees=data["attendees"], notes=data["notes"],
                                   uploads=data["files"])
            except (ValidationError, PermissionDenied) as error:
                into_form(form, error)
            else:
                messages.success(request, "已记录处理情况。")
                return redirect(case)
    actions = list(case.actions.select_related("recorded_by").prefetch_related("attachments"))
    return render(request, "ledgers/accountability/detail.html", {
        "case": case, "actions": actions, "form": form if may_handle else None,
        "close_form": CloseForm() if may_handle and actions else None,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def case_close(request, pk):
    case = get_visible_or_404(AccountabilityCase, request.user, pk=pk)
    if not service.can_handle(request.user, case.unit):
        raise PermissionDenied("您无权办结问责提示（只能查看）。")
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写办结情况。")
        return redirect(case)
    try:
        service.case_close(case=case, user=request.user, note=form.cleaned_data["note"])
    except (ValidationError, PermissionDenied) as error:
        for message in refused(error):
            messages.error(request, message)
    else:
        messages.success(request, "已办结。")
    return redirect(case)


@require_safe
@login_required
def case_file(request, pk):
    attachment = get_visible_or_404(AccountabilityAttachment, request.user, pk=pk)
    return files.serve_file(request, attachment.file, download_name=attachment.original_name,
                            as_attachment=not attachment.is_image)


@role_required(Role.ADMIN, Role.INSPECTOR, Role.LEADER)
def accountability_rules(request):
    """The bureau's rules: each kind's number and on/off (its admins change them)."""
    bureau = request.user.owning_bureau()
    rules = service.rules_for(bureau)
    may_set = service.can_handle(request.user)
    forms = [(rule, RuleForm(request.POST if request.POST.get("kind") == rule.kind else None, prefix=rule.kind,
                             initial={"threshold": rule.threshold, "is_active": rule.is_active})) for rule in rules]
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied("您无权设置问责规则（只能查看）。")
        for rule, form in forms:
            if form.is_bound and form.is_valid():
                try:
                    saved = service.rule_save(user=request.user, rule=rule, **form.cleaned_data)
                except (ValidationError, PermissionDenied) as error:
                    into_form(form, error)
                else:
                    messages.success(request, f"已保存问责规则：{saved.text}{'' if saved.is_active else '（已停用）'}。")
                    return redirect("ledgers:accountability_rules")
    return render(request, "ledgers/accountability/rules.html", {"forms": forms, "may_set": may_set, "bureau": bureau},
                  status=400 if any(f.errors for _, f in forms) else 200)


@role_required(Role.ADMIN)
@require_POST
def accountability_scan(request):
    """立即检查: the bureau's rules against its ledgers now (the daily run does it every morning)."""
    raised = service.scan(bureau=request.user.owning_bureau())
    messages.success(request, f"已按问责规则检查，新生成 {len(raised)} 条问责提示。" if raised
                     else "已按问责规则检查，没有新的问责提示。")
    return redirect("ledgers:case_list")
