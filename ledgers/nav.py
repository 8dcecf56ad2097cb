"""Navigation shown to each role: one list, filtered by role and by URLs that exist.

An entry whose URL name is not (yet) routed is left out, so an area appears in the menu
as soon as its pages exist.
"""
import functools

from django.conf import settings
from django.db import connection
from django.utils.functional import SimpleLazyObject

from ledgers.models import Role
from ledgers.pk_urls import route_key, route_url

ALL = (Role.ADMIN, Role.INSPECTOR, Role.LIAISON, Role.LEADER)
BUREAU = (Role.ADMIN, Role.INSPECTOR, Role.LEADER)

# (label, url name, roles that see it, group)
ENTRIES = [
    ("首页", "home", ALL, None),
    ("工作看板", "reports:dashboard", BUREAU, None),
    ("测评指标", "ledgers:indicator_list", ALL, "任务台账"),
    ("任务分解表", "ledgers:task_matrix", BUREAU, "任务台账"),
    ("我的任务", "ledgers:my_tasks", (Role.LIAISON,), "任务台账"),
    ("目标责任书", "ledgers:letter_list", ALL, "任务台账"),
    ("督查记录", "ledgers:check_list", BUREAU, "督查整改"),
    ("整改台账", "ledgers:problem_list", ALL, "督查整改"),
    ("督查通报", "ledgers:bulletin_list", BUREAU, "督查整改"),
    ("检查表", "ledgers:template_list", (Role.ADMIN,), "督查整改"),
    ("活动档案", "ledgers:activity_list", ALL, "活动档案"),
    ("档案统计", "ledgers:activity_stats", BUREAU, "活动档案"),
    ("分析小结", "reports:monthly_index", ALL, "报表"),
    ("我的下载", "reports:downloads", ALL, "报表"),

    ("年度考核", "reports:assessment_index", ALL, "报表"),
    ("考核方案", "ledgers:assessment_scheme", (Role.ADMIN,), "报表"),
    ("单位管理", "admin:ledgers_unit_changelist", (Role.ADMIN,), "系统"),
    ("数据导入", "ledgers:import_index", (Role.ADMIN,), "系统"),
    ("用户管理", "admin:ledgers_user_changelist", (Role.ADMIN,), "系统"),
    ("区县管理", "admin:ledgers_bureau_changelist", (Role.ADMIN,), "系统"),
    ("群机器人", "admin:ledgers_webhook_changelist", (Role.ADMIN,), "系统"),
    ("发送记录", "admin:ledgers_delivery_changelist", (Role.ADMIN,), "系统"),
]

# Pages only the city's roles use (the city admin creates the districts).
CITY_ONLY = {"admin:ledgers_bureau_changelist"}

ROLE_SETS = tuple(dict.fromkeys(roles for _, _, roles, _ in ENTRIES))  # the distinct "roles that see it"


def entries_for(user):
    """[(group or None, [(label, url), ...]), ...] in menu order."""
    if not user.is_authenticated:
        return []
    # What the menu depends on: which entries' roles the user has (User.has_role decides), city or
    # district, and what the routes are reversed against (as in route_url).
    seen = frozenset(roles for roles in ROLE_SETS if user.has_role(*roles))
    return _entries(seen, user.is_city, *route_key())


@functools.lru_cache(maxsize=64)
def _entries(seen, city, *where):
    groups = []
    for label, name, roles, group in ENTRIES:
        if roles not in seen or (name in CITY_ONLY and not city):
            continue
        url = route_url(name)  # reversed once, not on every page; None when not routed
        if url is None:
            continue
        if groups and groups[-1][0] == group and group is not None:
            groups[-1][1].append((label, url))
        else:
            groups.append((group, [(label, url)]))
    return tuple((group, tuple(items)) for group, items in groups)  # shared: not to be changed


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    # The signed-in user's own bureau (a district's or the city's); the default before login.
    name = user.bureau_name if user.is_authenticated else settings.BUREAU_NAME
    context = {"nav_groups": entries_for(user), "BUREAU_NAME": name}
    if user.is_authenticated:
        # The bell: one COUNT on an index, run only if the page's template shows it.
        context["notification_bell"] = SimpleLazyObject(lambda: unread_label(user))
    return context


def unread_label(user):
    """"" without unread messages, else the count ("99+" beyond 99)."""
    count = _unread_count(user.pk)
    return "" if not count else ("99+" if count > 99 else str(count))


def _unread_count(user_id):
    """`Notification.objects.filter(recipient=…, read_at__isnull=True).count()` as one prepared SQL
    statement: it runs on every page, and building it through the ORM cost ten times running it."""
    from ledgers.models import Notification

    sql = _UNREAD_SQL.get(connection.vendor)
    if sql is None:
        meta, q = Notification._meta, connection.ops.quote_name
        sql = _UNREAD_SQL[connection.vendor] = (
            f"SELECT COUNT(*) FROM {q(meta.db_table)} WHERE {q(meta.get_field('recipient').column)} = %s "
            f"AND {q(meta.get_field('read_at').column)} IS NULL")
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        return cursor.fetchone()[0]


_UNREAD_SQL = {}
