"""领导包抓 · 督导组包督查 pages: 包抓分工 (who answers for which unit, set several at once or by an
Excel import), the 督导组 of the year and each group's 本组单位 with this period's coverage.

Everyone of the bureau reads them (the city's roles every district's: ?bureau=); the bureau's admin
sets them (ledgers.services.oversight). A leader's own 我包抓的单位 is reports' (it shows the month's
figures): reports/views/oversight.py and the home panel.
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ..access import get_visible_or_404, role_required, selected_bureau
from ..forms.oversight import CLEAR, GroupForm, OversightBulkForm, OversightFilterForm
from ..models import InspectionGroup, Oversight, Role, Unit
from ..services import oversight as service
from ..services.tasks import MoveRefused
from .imports import import_upload, selected_year
from .people import into_form, refused

BUREAU_ROLES = (Role.ADMIN, Role.INSPECTOR, Role.LEADER)


def _groups(bureau, year):
    return InspectionGroup.objects.filter(bureau=bureau, year=year).prefetch_related("members")


@role_required(*BUREAU_ROLES)
def oversight_list(request):
    year, bureau, user = selected_year(request), selected_bureau(request), request.user
    may_set = service.may_organise(user) and (user.is_superuser or bureau.pk == user.bureau_id)
    leaders, groups = list(service.leaders_of(bureau)), list(_groups(bureau, year))
    units = Unit.objects.visible_to(user).in_bureau_id(bureau.pk).active().prefetch_related(
        Prefetch("oversights", Oversight.objects.filter(year=year).select_related("leader", "group"), to_attr="this_year"))
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied("您无权设置领导包抓和督导组。")
        form = OversightBulkForm(request.POST, units=units, leaders=leaders, groups=groups)
        if form.is_valid():
            try:
                n = service.oversight_set(user=user, year=year, units=form.cleaned_data["units"],
                                          leader=form.picked("leader"), group=form.picked("group"))
            except (MoveRefused, ValidationError) as error:
                for message in refused(error):
                    messages.error(request, message)
            else:
                messages.success(request, f"已设置 {n} 个单位的包抓领导/督导组。" if n else "所选单位已是这样设置，没有变化。")
            return redirect(request.get_full_path())
        for message in [m for errors in form.errors.values() for m in errors]:
            messages.error(request, message)
        return redirect(request.get_full_path())
    filters = OversightFilterForm(request.GET or None, leaders=leaders, groups=groups)
    if filters.is_valid():
        units = _filtered(units, filters.cleaned_data, year)
    units = list(units)
    rows = [(u, u.this_year[0] if u.this_year else None) for u in units]
    return render(request, "ledgers/oversight/list.html", {
        "year": year, "bureau": bureau, "rows": rows, "filters": filters, "may_set": may_set,
        "bulk": OversightBulkForm(units=Unit.objects.none(), leaders=leaders, groups=groups) if may_set else None,
        "leaders": _counts(rows, "leader", leaders), "groups": _counts(rows, "group", groups),
        "unassigned": sum(1 for _, o in rows if o is None or not (o.leader_id and o.group_id)),
    })


def _filtered(units, data, year):
    if data["q"]:
        units = units.filter(name__contains=data["q"])
    for field in ("leader", "group"):
        value = data[field]
        if value == CLEAR:
            taken = Oversight.objects.filter(year=year, **{f"{field}__isnull": False}).values("unit_id")
            units = units.exclude(pk__in=taken)
        elif value:
            units = units.filter(pk__in=Oversight.objects.filter(year=year, **{f"{field}_id": value}).values("unit_id"))
    return units


def _counts(rows, field, people):
    """[(leader or group, number of units)] among the rows shown."""
    counts = {}
    for _, o in rows:
        if o is not None and getattr(o, f"{field}_id"):
            counts[getattr(o, f"{field}_id")] = counts.get(getattr(o, f"{field}_id"), 0) + 1
    return [(p, counts.get(p.pk, 0)) for p in people]


@role_required(Role.ADMIN)
def oversight_import(request):
    return import_upload(request, "oversights")


# --- 督导组 -----------------------------------------------------------------------------------------

@require_safe
@role_required(*BUREAU_ROLES)
def group_list(request):
    year, bureau, user = selected_year(request), selected_bureau(request), request.user
    groups = list(_groups(bureau, year))
    return render(request, "ledgers/oversight/group_list.html", {
        "year": year, "bureau": bureau, "coverage": service.coverage(groups, timezone.localdate()),
        "may_set": service.may_organise(user) and (user.is_superuser or bureau.pk == user.bureau_id),
        "mine": {g.pk for g in groups if user in g.members.all()},
    })


@role_required(*BUREAU_ROLES)
def group_detail(request, pk):
    group = get_visible_or_404(InspectionGroup.objects.select_related("year", "bureau").prefetch_related(
        "members__unit"), request.user, pk=pk)
    if request.method == "POST":
        raise PermissionDenied("您无权修改督导组。")
    today = timezone.localdate()
    (coverage,) = service.coverage([group], today)
    return render(request, "ledgers/oversight/group_detail.html", {
        "group": group, "c": coverage, "today": today,
        "may_set": service.may_organise(request.user) and (request.user.is_superuser
                                                            or group.bureau_id == request.user.bureau_id),
        "may_check": request.user.has_role(Role.ADMIN, Role.INSPECTOR) and group.bureau_id == request.user.bureau_id,
    })


def _group_form(request, group=None):
    user = request.user
    bureau = group.bureau if group else user.owning_bureau()
    year = group.year if group else selected_year(request)
    initial = ({"name": group.name, "rhythm": group.rhythm, "members": list(group.members.all()),
                "sort_order": group.sort_order} if group else {})
    form = GroupForm(request.POST or None, inspectors=service.inspectors_of(bureau).select_related("unit"),
                     initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = service.group_save(user=user, year=year, group=group, name=data["name"], rhythm=data["rhythm"],
                                       members=data["members"], sort_order=data["sort_order"])
        except (MoveRefused, ValidationError) as error:
            into_form(form, error)
        else:
            messages.success(request, f"已保存：{group.name}。")
            return redirect(group)
    return render(request, "ledgers/oversight/group_form.html", {"form": form, "group": group, "year": year},
                  status=400 if form.errors else 200)


@role_required(Role.ADMIN)
def group_create(request):
    return _group_form(request)


@role_required(Role.ADMIN)
def group_edit(request, pk):
    group = get_visible_or_404(InspectionGroup.objects.select_related("year", "bureau"), request.user, pk=pk)
    if group.bureau_id != request.user.bureau_id and not request.user.is_superuser:
        raise PermissionDenied("只有本局文明办可以修改督导组。")
    return _group_form(request, group)


@role_required(Role.ADMIN)
@require_POST
def group_delete(request, pk):
    group = get_visible_or_404(InspectionGroup, request.user, pk=pk)
    try:
        service.group_delete(user=request.user, group=group)
    except MoveRefused as error:
        messages.error(request, error.message)
        return redirect(group)
    messages.success(request, f"已删除：{group.name}。")
    return redirect(reverse("ledgers:group_list") + f"?year={group.year.year}")
