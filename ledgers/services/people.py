"""The bureau's people managed in the app (单位管理 · 用户管理 · 区县管理): every change audited.

Who manages whom (`may_manage`, the same as `User.objects.actable_by`): a district's admin the
accounts of their district; the city's admin the city's own accounts and every district's admins;
a superuser everyone. Nobody but a superuser manages a superuser, and nobody deactivates, resets or
unlocks themself here (修改密码 is on their own menu).

- `account_save`: name, phone, email, role and unit of an account (a liaison moved to another unit
  keeps nothing of the old unit: the records they made stay with that unit, which owns them);
- `account_set_active`: 停用 / 启用 (a deactivated account cannot log in; its records stay);
- `password_reset`: a new one-time password, to be changed at first login (as an import's);
- `account_unlock`: ends a lockout after failed logins (django-axes);
- `district_update`, `district_admin_add`: the city's admin keeps the districts and their admins.

Each change writes the account's audit trail with who made it (django-simple-history's request
user) and, for a reset or an unlock, the reason shown as the operation.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Bureau, Role, Unit, User
from .tasks import MoveRefused
from .units import _new_account, free_username, initial_password


def may_manage(user, account):
    """May `user` change `account`? (No query beyond the two accounts' units and bureaus.)"""
    if not (user.is_authenticated and user.is_active and user.is_bureau_admin):
        return False
    if user.is_superuser:
        return True
    if account.is_superuser or account.unit_id is None:
        return False
    bureau = account.unit.bureau
    if user.is_city:
        return bureau.pk == user.bureau_id or (account.role == Role.ADMIN and bureau.parent_id == user.bureau_id)
    return bureau.pk == user.bureau_id


def _require(user, account, doing):
    if not may_manage(user, account):
        raise MoveRefused(f"您不能{doing}{account.display_name}的账号。")
    if account.pk == user.pk and doing != "修改":
        raise MoveRefused(f"不能{doing}自己的账号；修改自己的密码请用“修改密码”。")


def _save(account, reason=""):
    account._change_reason = reason
    try:
        account.save()
    finally:
        del account._change_reason


def units_for(user):
    """Units an admin may put accounts in: their bureau's active units (the city's: the city's own)."""
    return Unit.objects.actable_by(user).filter(bureau=user.owning_bureau()).active()


def account_save(*, account, user, name, phone="", email="", role=None, unit=None):
    """Change an account: a liaison moved to `unit` from then on sees that unit only; what they made
    stays with the old unit (records belong to units, not to people)."""
    _require(user, account, "修改")
    role = role or account.role
    unit = unit or account.unit
    if role not in Role.values:
        raise ValidationError({"role": "请选择角色。"})
    if unit.pk != account.unit_id and not (user.is_superuser or user.may_act_on_unit(unit)):
        raise MoveRefused(f"{unit.name} 不属于本局，不能把账号调入。")
    if account.pk == user.pk and role != account.role:
        raise MoveRefused("不能修改自己的角色。")
    if user.is_city and not user.is_superuser and unit.bureau_id != user.bureau_id and role != Role.ADMIN:
        raise MoveRefused("区县的其他账号由区县管理员管理。")
    with transaction.atomic():
        moved = unit.pk != account.unit_id
        account.name, account.phone, account.email = name.strip(), phone.strip(), email.strip()
        account.role, account.unit = role, unit
        account.full_clean(exclude=["password"])
        _save(account, "调动单位" if moved else "")
    return account


def account_set_active(*, account, user, active):
    _require(user, account, "启用" if active else "停用")
    with transaction.atomic():
        account.is_active = active
        _save(account, "启用账号" if active else "停用账号")
    return account


def password_reset(*, account, user):
    """A new one-time password (returned once, never stored in clear); the account must change it at
    first login, and any lockout ends (the person is about to log in with the new one)."""
    _require(user, account, "重置")
    password = initial_password()
    with transaction.atomic():
        account.set_password(password)
        account.must_change_password = True
        _save(account, "重置密码")
        _axes_reset(account.username)
    return password


def locked_usernames(usernames=None):
    """The user names locked out now by failed logins (django-axes: LOGIN_FAILURE_LIMIT failures
    within LOGIN_LOCKOUT_MINUTES, from any one address)."""
    from axes.models import AccessAttempt

    qs = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if settings.AXES_COOLOFF_TIME:
        qs = qs.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    if usernames is not None:
        qs = qs.filter(username__in=list(usernames))
    return set(qs.values_list("username", flat=True))


def _axes_reset(username):
    from axes.utils import reset

    return reset(username=username)


def account_unlock(*, account, user):
    """End the lockout of the account (every address it failed from); returns whether it was locked."""
    _require(user, account, "解锁")
    was_locked = bool(locked_usernames([account.username]))
    with transaction.atomic():
        _axes_reset(account.username)
        _save(account, "解除登录锁定")
    return was_locked


# --- the city's districts and their admins ------------------------------------------------------

def _require_city(user):
    if not (user.is_authenticated and user.is_bureau_admin and user.is_city):
        raise MoveRefused("只有市教育局管理员可以管理区县。")


def district_update(*, district, user, name, short_name, head_name="", deputy_head_name=""):
    _require_city(user)
    if district.is_city:
        raise MoveRefused("这是市教育局本身，不是区县。")
    with transaction.atomic():
        district.name, district.short_name = name.strip(), short_name.strip()
        district.head_name, district.deputy_head_name = head_name.strip(), deputy_head_name.strip()
        district.full_clean()
        if short_name and Bureau.objects.exclude(pk=district.pk).filter(short_name=district.short_name).exists():
            raise ValidationError({"short_name": f"简称“{district.short_name}”已被其他区县使用，请换一个。"})
        district.save()
    return district


def district_admin_add(*, district, user, name, username="", phone=""):
    """Another admin for a district, in its office (the unit its first admin belongs to): (account,
    one-time password)."""
    _require_city(user)
    office = (Unit.objects.filter(bureau=district, users__role=Role.ADMIN).order_by("pk").first()
              or Unit.objects.filter(bureau=district).order_by("sort_order", "pk").first())
    if office is None:
        raise MoveRefused(f"{district.name}还没有单位，无法添加管理员。")
    name, username = name.strip(), username.strip()
    if not name:
        raise ValidationError({"name": "请填写姓名。"})
    if username and User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已被使用，请换一个。"})
    password = initial_password()
    with transaction.atomic():
        account = _new_account(username=username or free_username(f"{district.code}_{name}"), name=name, unit=office,
                               role=Role.ADMIN, phone=phone.strip(), password=password)
    return account, password


# --- 本局设置: the bureau's own settings, and the campaign years (city-wide) -------------------------

def bureau_settings_save(*, user, bureau, **fields):
    if not (user.is_authenticated and user.is_bureau_admin and (user.is_superuser or bureau.pk == user.bureau_id)):
        raise MoveRefused("只能修改本局的设置。")
    with transaction.atomic():
        for name, value in fields.items():
            setattr(bureau, name, value)
        bureau.full_clean()
        bureau.save()
    return bureau


def year_save(*, user, year, title="", spring_term_end=None, is_current=False):
    """Add a campaign year or change one (the city's admin: years are the whole city's). A changed
    spring semester end moves the 每学期 tasks' periods with it (services.tasks.year_periods_sync)."""
    from ..models import CampaignYear
    from .tasks import year_periods_sync

    if not (user.is_authenticated and user.is_bureau_admin and user.is_city):
        raise MoveRefused("创建年度由市教育局管理员设置。")
    with transaction.atomic():
        row = CampaignYear.objects.select_for_update().filter(year=year).first() or CampaignYear(year=year)
        moved = row.pk and row.spring_term_end != spring_term_end
        row.title = title.strip() or row.title or f"{year}年度文明创建"
        row.spring_term_end, row.is_current = spring_term_end, is_current or (row.is_current and row.pk is not None)
        if row.is_current:  # one current year: the others step down first (a database constraint)
            CampaignYear.objects.exclude(pk=row.pk).filter(is_current=True).update(is_current=False)
        row.full_clean()
        row.save()
        if moved:
            year_periods_sync(year=row)
    return row
