"""Units and accounts created by the bureau (from an Excel import or elsewhere).

`unit_create` is the one function that creates a unit: anything every unit must get (e.g. the
bureau it belongs to, once units are grouped under city and district bureaus) is set here.
`account_create` makes a login with a one-time initial password that must be changed at first
login; the password is returned once and never stored in clear.
"""
import re
import secrets

from django.db import transaction

from ..models import Role, Unit, UnitAlias, User
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


def _may_act_on(user, unit):
    if not user.may_act_on_unit(unit):
        raise MoveRefused(f"{unit.name} 不属于本局，不能在此修改。")


def unit_create(*, name, kind, user, code="", contact_name="", contact_phone="", aliases=(), sort_order=None,
                is_active=True, bureau=None):
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
        unit = Unit(bureau=bureau, name=name, kind=kind, code=code or next_unit_code(kind), contact_name=contact_name,
                    contact_phone=contact_phone, sort_order=sort_order, is_active=is_active)
        unit.full_clean()
        unit.save()
        for alias in aliases:
            UnitAlias.objects.get_or_create(name=alias, defaults={"unit": unit})
    return unit


def unit_update(*, unit, user, aliases=(), **fields):
    _may_manage(user)
    _may_act_on(user, unit)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(unit, name, value)
        unit.full_clean()
        unit.save()
        for alias in aliases:
            UnitAlias.objects.get_or_create(name=alias, defaults={"unit": unit})
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


def account_create(*, username, name, unit, role=Role.LIAISON, phone="", user):
    """(account, initial password): the account must change the password at first login."""
    _may_manage(user)
    _may_act_on(user, unit)
    password = initial_password()
    account = User(username=username, name=name, unit=unit, role=role, phone=phone, must_change_password=True)
    account.set_password(password)
    account.full_clean(exclude=["password"])
    account.save()
    return account, password
