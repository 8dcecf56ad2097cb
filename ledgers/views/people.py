"""单位管理 · 用户管理 · 区县管理: the bureau's units and people in the app's own pages (the bureau's
admin; the city's admin for the districts). Writes go through ledgers.services.units / .people.

One-time passwords (a new account, a reset, a district's new admin) wait in the admin's session
(`ACCOUNT_SLIPS`) until printed as login slips (reports:account_slips) and cleared — never stored.
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ..access import get_visible_or_404, role_required, selected_bureau
from ..forms.people import AccountForm, DistrictAdminForm, DistrictForm, UnitFilterForm, UnitForm, UserFilterForm
from ..models import Bureau, Role, Unit, User
from ..params import int_param
from ..services import people as service
from ..services.tasks import MoveRefused
from ..services.units import account_create, new_username, unit_create, unit_update
from .checks import refusal

ACCOUNT_SLIPS = "account_slips"


def refused(error):
    """The Chinese message(s) of a refused write (MoveRefused, ValidationError, PermissionDenied)."""
    return [error.message] if isinstance(error, MoveRefused) else refusal(error)


def into_form(form, error):
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in refused(error):
            form.add_error(None, message)


def keep_slip(request, account, password):
    """The new one-time password waits in this session for the login slip."""
    slips = [s for s in request.session.get(ACCOUNT_SLIPS, []) if s["pk"] != account.pk]
    slips.append({"pk": account.pk, "name": account.display_name, "unit": account.unit.name if account.unit else "",
                  "username": account.username, "password": password, "role": account.get_role_display()})
    request.session[ACCOUNT_SLIPS] = slips


# --- units ----------------------------------------------------------------------------------------

@role_required(Role.ADMIN)
def unit_list(request):
    bureau = selected_bureau(request)
    form = UnitFilterForm(request.GET or None)
    units = Unit.objects.visible_to(request.user).in_bureau_id(bureau.pk).prefetch_related(
        Prefetch("users", User.objects.filter(role=Role.LIAISON, is_active=True).only("pk", "name", "username",
                                                                                     "unit_id"), to_attr="liaisons"))
    active = "1"
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            units = units.filter(Q(name__contains=data["q"]) | Q(head_name__contains=data["q"])
                                 | Q(contact_name__contains=data["q"]))
        if data["kind"]:
            units = units.filter(kind=data["kind"])
        active = data["active"] or "1"
    if active != "all":
        units = units.filter(is_active=active == "1")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "ledgers/people/unit_list.html", {
        "form": form, "page": Paginator(units, 50).get_page(request.GET.get("page")), "query": query.urlencode(),
        "bureau": bureau, "own": bureau.pk == request.user.bureau_id or request.user.is_superuser,
    })


@role_required(Role.ADMIN)
def unit_create_view(request):
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = unit_create(user=request.user, name=data["name"], kind=data["kind"], head_name=data["head_name"],
                               contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                               sort_order=data["sort_order"], is_active=data["is_active"], aliases=data["aliases"])
        except (MoveRefused, ValidationError) as error:
            into_form(form, error)
        else:
            messages.success(request, f"已添加单位：{unit.name}。下一步可为它添加联络员。")
            return redirect("ledgers:unit_detail", pk=unit.pk)
    return render(request, "ledgers/people/unit_form.html", {"form": form}, status=400 if form.errors else 200)


@role_required(Role.ADMIN)
def unit_detail(request, pk):
    unit = get_visible_or_404(Unit.objects.select_related("bureau"), request.user, pk=pk)
    may_edit = request.user.may_act_on_unit(unit)
    form = UnitForm(request.POST or None, instance=unit) if may_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("您无权修改其他教育局的单位。")
        if form.is_valid():
            data = form.cleaned_data
            fields = {k: data[k] for k in ("name", "kind", "head_name", "contact_name", "contact_phone", "is_active")}
            if data["sort_order"] is not None:
                fields["sort_order"] = data["sort_order"]
            try:
                unit_update(unit=Unit.objects.get(pk=unit.pk), user=request.user, aliases=data["aliases"], **fields)
            except (MoveRefused, ValidationError) as error:
                into_form(form, error)
            else:
                messages.success(request, f"已保存：{fields['name']}。")
                return redirect("ledgers:unit_detail", pk=unit.pk)
    people = list(User.objects.filter(unit=unit).order_by("-is_active", "role", "username"))
    locked = service.locked_usernames([u.username for u in people])
    return render(request, "ledgers/people/unit_detail.html", {
        "unit": unit, "form": form, "people": [(u, u.username in locked) for u in people],
    }, status=400 if form is not None and form.errors else 200)


# --- accounts -------------------------------------------------------------------------------------

ROLE_HINTS = {Role.LIAISON: "单位联络员：只管本单位", Role.INSPECTOR: "督导组：督查、交办、复查",
              Role.LEADER: "局领导：只看不改，可包抓单位", Role.ADMIN: "局文明办：管理全部"}


@role_required(Role.ADMIN)
def user_list(request):
    bureau = selected_bureau(request)
    units = Unit.objects.visible_to(request.user).in_bureau_id(bureau.pk)
    form = UserFilterForm(request.GET or None, units=units)
    people = (User.objects.visible_to(request.user).filter(unit__bureau=bureau).select_related("unit")
              .order_by("unit__sort_order", "unit__name", "role", "username"))
    state = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            people = people.filter(Q(name__contains=data["q"]) | Q(username__icontains=data["q"])
                                   | Q(phone__contains=data["q"]))
        if data["role"]:
            people = people.filter(role=data["role"])
        if data["unit"]:
            people = people.filter(unit=data["unit"])
        state = data["state"]
    if state == "locked":
        people = people.filter(username__in=service.locked_usernames())
    elif state == "must_change":
        people = people.filter(must_change_password=True, is_active=True)
    elif state == "inactive":
        people = people.filter(is_active=False)
    elif state != "all":
        people = people.filter(is_active=True)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    locked = service.locked_usernames([u.username for u in page])
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "ledgers/people/user_list.html", {
        "form": form, "page": page, "rows": [(u, u.username in locked) for u in page], "query": query.urlencode(),
        "bureau": bureau, "own": bureau.pk == request.user.bureau_id or request.user.is_superuser,
        "waiting": len(request.session.get(ACCOUNT_SLIPS, [])),
    })


@role_required(Role.ADMIN)
def user_create(request):
    units = service.units_for(request.user)
    initial = {}
    unit_pk = int_param(request, "unit")
    if unit_pk is not None:
        initial["unit"] = get_visible_or_404(units, request.user, pk=unit_pk)
    form = AccountForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, password = account_create(
                username=data["username"] or new_username(data["phone"], data["unit"], data["name"]),
                name=data["name"], unit=data["unit"], role=data["role"], phone=data["phone"], email=data["email"],
                user=request.user)
        except (MoveRefused, ValidationError) as error:
            into_form(form, error)
        else:
            keep_slip(request, account, password)
            messages.success(request, f"已为{account.unit.name}添加{account.get_role_display()} {account.display_name}"
                                      f"（用户名 {account.username}）。请打印登录条交给本人。")
            return redirect("ledgers:account_credentials")
    return render(request, "ledgers/people/user_form.html", {"form": form, "role_hints": ROLE_HINTS},
                  status=400 if form.errors else 200)


@role_required(Role.ADMIN)
def user_detail(request, pk):
    account = get_visible_or_404(User.objects.select_related("unit__bureau"), request.user, pk=pk)
    may_manage = service.may_manage(request.user, account)
    form = None
    if may_manage:
        units = Unit.objects.filter(pk=account.unit_id)
        if not (request.user.is_city and account.unit.bureau_id != request.user.bureau_id):
            units = units | service.units_for(request.user)  # a district's admin stays in their district
        initial = {"name": account.name, "phone": account.phone, "email": account.email, "role": account.role,
                   "unit": account.unit}
        form = AccountForm(request.POST or None, units=units, initial=initial, existing=account)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("您无权修改这个账号。")
        if form.is_valid():
            data = form.cleaned_data
            try:
                service.account_save(account=account, user=request.user, name=data["name"], phone=data["phone"],
                                     email=data["email"], role=data["role"], unit=data["unit"])
            except (MoveRefused, ValidationError) as error:
                into_form(form, error)
            else:
                messages.success(request, f"已保存 {account.display_name} 的账号。")
                return redirect("ledgers:user_detail", pk=account.pk)
    return render(request, "ledgers/people/user_detail.html", {
        "account": account, "form": form, "may_manage": may_manage and account.pk != request.user.pk,
        "locked": bool(service.locked_usernames([account.username])),
        "made": _records_made(account) if account.role == Role.LIAISON else None,
    }, status=400 if form is not None and form.errors else 200)


def _records_made(account):
    """What a liaison made, by the unit that owns it: moving them moves none of it."""
    from ..models import Activity, ProgressEntry

    rows = {}
    for unit_name, n in (Activity.objects.filter(created_by=account).values_list("unit__name")
                         .annotate(n=Count("pk")).order_by()):
        rows.setdefault(unit_name, {})["activities"] = n
    for unit_name, n in (ProgressEntry.objects.filter(author=account).values_list("assignment__unit__name")
                         .annotate(n=Count("pk")).order_by()):
        rows.setdefault(unit_name, {})["progress"] = n
    return sorted(rows.items())


def _account_move(request, pk, move, done):
    account = get_visible_or_404(User.objects.select_related("unit__bureau"), request.user, pk=pk)
    try:
        result = move(account=account, user=request.user)
    except (MoveRefused, ValidationError, PermissionDenied) as error:
        for message in refused(error):
            messages.error(request, message)
        return redirect("ledgers:user_detail", pk=account.pk)
    return done(account, result)


@role_required(Role.ADMIN)
@require_POST
def user_password_reset(request, pk):
    def done(account, password):
        keep_slip(request, account, password)
        messages.success(request, f"已为 {account.display_name} 重置密码，并解除了登录锁定。新密码仅显示这一次，"
                                  "请打印登录条交给本人；本人首次登录须修改密码。")
        return redirect("ledgers:account_credentials")
    return _account_move(request, pk, service.password_reset, done)


@role_required(Role.ADMIN)
@require_POST
def user_unlock(request, pk):
    def done(account, was_locked):
        messages.success(request, f"已解除 {account.display_name} 的登录锁定，可以重新登录。" if was_locked
                         else f"{account.display_name} 的账号未被锁定，无需解锁。")
        return redirect("ledgers:user_detail", pk=account.pk)
    return _account_move(request, pk, service.account_unlock, done)


@role_required(Role.ADMIN)
@require_POST
def user_set_active(request, pk):
    active = request.POST.get("active") == "1"

    def done(account, _result):
        messages.success(request, f"已{'启用' if active else '停用'} {account.display_name} 的账号。"
                         + ("" if active else "其填报的记录仍归原单位所有。"))
        return redirect("ledgers:user_detail", pk=account.pk)
    return _account_move(request, pk, lambda **kw: service.account_set_active(active=active, **kw), done)


@role_required(Role.ADMIN)
def account_credentials(request):
    """The one-time passwords waiting in this session, with 打印登录条 and 已打印，清除."""
    if request.method == "POST":
        request.session.pop(ACCOUNT_SLIPS, None)
        messages.success(request, "初始密码已从本次会话中清除。")
        return redirect("ledgers:user_list")
    return render(request, "ledgers/people/credentials.html", {"slips": request.session.get(ACCOUNT_SLIPS, [])})


# --- the city's districts ---------------------------------------------------------------------------

def _districts_for(user):
    return Bureau.objects.visible_to(user).districts()


@role_required(Role.ADMIN)
def district_list(request):
    if not request.user.is_city:
        raise PermissionDenied("只有市教育局管理员可以管理区县。")
    districts = _districts_for(request.user).annotate(
        unit_count=Count("units", filter=Q(units__is_active=True), distinct=True)).order_by("sort_order", "pk")
    admins = {}
    for u in User.objects.filter(role=Role.ADMIN, unit__bureau__in=districts).select_related("unit").order_by("pk"):
        admins.setdefault(u.unit.bureau_id, []).append(u)
    return render(request, "ledgers/people/district_list.html", {
        "districts": [(d, admins.get(d.pk, [])) for d in districts]})


@role_required(Role.ADMIN)
def district_detail(request, pk):
    district = get_object_or_404(_districts_for(request.user).select_related("parent"), pk=pk)
    if not request.user.is_city:
        raise PermissionDenied("只有市教育局管理员可以管理区县。")
    form = DistrictForm(request.POST or None, instance=Bureau.objects.get(pk=district.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service.district_update(district=district, user=request.user, **data)
        except (MoveRefused, ValidationError) as error:
            into_form(form, error)
        else:
            messages.success(request, f"已保存：{district.name}。")
            return redirect("ledgers:district_detail", pk=district.pk)
    admins = list(User.objects.filter(role=Role.ADMIN, unit__bureau=district).select_related("unit").order_by("pk"))
    locked = service.locked_usernames([u.username for u in admins])
    return render(request, "ledgers/people/district_detail.html", {
        "district": district, "form": form, "admin_form": DistrictAdminForm(),
        "admins": [(u, u.username in locked) for u in admins],
    }, status=400 if form.errors else 200)


@role_required(Role.ADMIN)
@require_POST
def district_admin_add(request, pk):
    district = get_object_or_404(_districts_for(request.user), pk=pk)
    form = DistrictAdminForm(request.POST)
    if form.is_valid():
        try:
            account, password = service.district_admin_add(district=district, user=request.user, **form.cleaned_data)
        except (MoveRefused, ValidationError) as error:
            for message in refused(error):
                messages.error(request, message)
        else:
            keep_slip(request, account, password)
            messages.success(request, f"已为{district.name}添加管理员 {account.display_name}（用户名 {account.username}）。")
            return redirect("ledgers:account_credentials")
    else:
        messages.error(request, "请填写管理员姓名。")
    return redirect("ledgers:district_detail", pk=district.pk)


# --- 本局设置 ------------------------------------------------------------------------------------------

@role_required(Role.ADMIN)
def bureau_settings(request):
    from ..forms.people import BureauSettingsForm, YearForm
    from ..models import CampaignYear

    bureau = request.user.owning_bureau()
    form = BureauSettingsForm(request.POST or None, instance=Bureau.objects.get(pk=bureau.pk))
    if request.method == "POST" and form.is_valid():
        try:
            service.bureau_settings_save(user=request.user, bureau=bureau, **form.cleaned_data)
        except (MoveRefused, ValidationError) as error:
            into_form(form, error)
        else:
            messages.success(request, "本局设置已保存。")
            return redirect("ledgers:bureau_settings")
    return render(request, "ledgers/people/settings.html", {
        "bureau": bureau, "form": form, "years": CampaignYear.objects.order_by("-year"),
        "year_form": YearForm() if request.user.is_city else None,
    }, status=400 if form.errors else 200)


@role_required(Role.ADMIN)
@require_POST
def year_save(request):
    from ..forms.people import YearForm

    form = YearForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("ledgers:bureau_settings")
    try:
        year = service.year_save(user=request.user, **form.cleaned_data)
    except (MoveRefused, ValidationError) as error:
        for message in refused(error):
            messages.error(request, message)
    else:
        messages.success(request, f"已保存：{year}{'（当前年度）' if year.is_current else ''}。")
    return redirect("ledgers:bureau_settings")
