"""Units and accounts created by the bureau (from an Excel import or elsewhere).

`unit_create` is the one function that creates a unit: anything every unit must get (e.g. the
bureau it belongs to, once units are grouped under city and district bureaus) is set here.
`account_create` makes a login with a one-time initial password that must be changed at first
login; the password is returned once and never stored in clear.
"""
import re
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from ..models import Bureau, BureauKind, Role, Unit, UnitAlias, UnitKind, User
from ..models.core import short_bureau_name
from .tasks import MoveRefused

# No 0/O, 1/l/I: initial passwords are read off a printed slip.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _may_manage(user):
    if not (user and user.is_authenticated and user.is_bureau_admin):
        raise MoveRefused("只有局文明办可以管理单位和账号。")


def next_unit_code(kind):
    """A free code such as school031 / section012 (codes name files; letters and digits only)."""
    taken = set(Unit.objects.filter(code__startswith=kind).values_list("code", flat=True))
    n = len(taken) + 1
    while f"{kind}{n:03d}" in taken:
        n += 1
    return f"{kind}{n:03d}"


def _name_free(bureau_id, name, unit_pk=None):
    """A unit's name is unique within its bureau: say so by name (the constraint's message does not)."""
    if Unit.objects.filter(bureau=bureau_id, name=(name or "").strip()).exclude(pk=unit_pk).exists():
        raise ValidationError({"name": f"本局已有名为“{name.strip()}”的单位，请换一个名称。"})


def _may_act_on(user, unit):
    if not user.may_act_on_unit(unit):
        raise MoveRefused(f"{unit.name} 不属于本局，不能在此修改。")


def unit_create(*, name, kind, user, code="", contact_name="", contact_phone="", aliases=(), sort_order=None,
                is_active=True, bureau=None, head_name=""):
    """Create one unit (and its aliases). The single place units are created (imports and the admin).

    The unit belongs to `bureau`, by default the creating admin's own (`user.owning_bureau()`);
    only the city's admins (and superusers) may create units for another bureau."""
    _may_manage(user)
    own = user.owning_bureau()
    bureau = bureau or own
    if bureau.pk != own.pk and not user.is_city:
        raise MoveRefused("只能为本局添加单位。")
    with transaction.atomic():
        if sort_order is None:
            sort_order = (Unit.objects.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0) + 1
        _name_free(bureau.pk, name)
        unit = Unit(bureau=bureau, name=name, kind=kind, code=code or next_unit_code(kind), contact_name=contact_name,
                    contact_phone=contact_phone, head_name=head_name, sort_order=sort_order, is_active=is_active)
        unit.full_clean()
        unit.save()
        for alias in aliases:
            UnitAlias.objects.get_or_create(name=alias, unit__bureau=unit.bureau_id, defaults={"unit": unit})
    return unit


def unit_update(*, unit, user, aliases=(), **fields):
    _may_manage(user)
    _may_act_on(user, unit)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(unit, name, value)
        _name_free(unit.bureau_id, unit.name, unit.pk)
        unit.full_clean()
        unit.save()
        for alias in aliases:
            UnitAlias.objects.get_or_create(name=alias, unit__bureau=unit.bureau_id, defaults={"unit": unit})
    return unit


def initial_password(length=10):
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


def free_username(base):
    base = re.sub(r"[^\w.@+-]", "", base)[:140] or "user"
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}_{n}"
    return name


def new_username(phone, unit, name):
    """A login name for a new account: the 11-digit mobile number when free, else `<unit code>_<name>`."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and not User.objects.filter(username=digits).exists():
        return digits
    return free_username(f"{unit.code}_{name}" if unit else name)


def account_create(*, username, name, unit, role=Role.LIAISON, phone="", email="", user):
    """(account, initial password): the account must change the password at first login."""
    _may_manage(user)
    _may_act_on(user, unit)
    password = initial_password()
    return _new_account(username=username, name=name, unit=unit, role=role, phone=phone, email=email,
                        password=password), password


def _new_account(*, username, name, unit, role, password, phone="", email=""):
    account = User(username=username, name=name, unit=unit, role=role, phone=phone, email=email,
                   must_change_password=True)
    account.set_password(password)
    account.full_clean(exclude=["password"])
    account.save()
    return account


# --- a new district and its first admin, in one go (the city's admin) --------------------------

def next_bureau_code():
    taken = set(Bureau.objects.values_list("code", flat=True))
    n = Bureau.objects.districts().count() + 1
    while f"district{n}" in taken:
        n += 1
    return f"district{n}"


def district_create(*, user, name, admin_username, admin_name, admin_password, short_name="", office_name=""):
    """The city's admin creates a district bureau (区县教育局), its office (the unit its staff
    belong to) and its first admin, who must change the typed initial password at first login.

    All or nothing, in one transaction. Refusals are a ValidationError keyed by form field (Chinese
    messages): a name, short name or username already taken, a weak password.
    Returns (district, office, admin)."""
    if not (user and user.is_authenticated and user.is_bureau_admin and user.is_city):
        raise MoveRefused("只有市教育局管理员可以新建区县。")
    city = Bureau.objects.city()
    if city is None:
        raise MoveRefused("尚未设置市教育局，不能新建区县。")
    name, admin_username, admin_name = name.strip(), admin_username.strip(), admin_name.strip()
    short_name = short_name.strip() or short_bureau_name(name)
    office_name = office_name.strip() or f"{short_name}教育局办公室"
    errors = {}
    if not name:
        errors["name"] = "请填写区县教育局名称。"
    elif Bureau.objects.filter(name=name).exists():
        errors["name"] = f"已有名为“{name}”的教育局，请勿重复新建。"
    if short_name and Bureau.objects.filter(short_name=short_name).exists():
        errors["short_name"] = f"简称“{short_name}”已被其他区县使用，请换一个。"
    if not admin_username:
        errors["admin_username"] = "请填写管理员登录用户名。"
    elif User.objects.filter(username__iexact=admin_username).exists():
        errors["admin_username"] = f"用户名“{admin_username}”已被使用，请换一个。"
    if not admin_name:
        errors["admin_name"] = "请填写管理员姓名。"
    try:
        password_validation.validate_password(admin_password, User(username=admin_username, name=admin_name))
    except ValidationError as weak:
        errors["admin_password"] = weak.messages
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            district = Bureau(kind=BureauKind.DISTRICT, parent=city, name=name, short_name=short_name,
                              code=next_bureau_code(),
                              sort_order=(Bureau.objects.districts().aggregate(n=Max("sort_order"))["n"] or 0) + 1)
            district.full_clean()
            district.save()
            office = unit_create(name=office_name, kind=UnitKind.SECTION, user=user, bureau=district)
            admin = _new_account(username=admin_username, name=admin_name, unit=office, role=Role.ADMIN,
                                 password=admin_password)
    except IntegrityError:
        # Someone took the same name or username in the same instant.
        raise ValidationError("区县名称或用户名刚被他人使用，请核对后重新提交。")
    return district, office, admin
