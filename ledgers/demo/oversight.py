"""Demo 领导包抓 · 督导组包督查 · 问责: every demo leader answers for some units, 郾城区's inspectors
work in two groups (第一督导组, 第二督导组) that share its schools, each other bureau has one group, and
the 问责 rules have been run once over the demo ledgers, so some units have an open 问责提示 (one of
them with a 提醒谈话 recorded). Written through the services, like a bureau admin would; idempotent.
"""
from django.utils import timezone

from ..models import AccountabilityCase, Bureau, CampaignYear, InspectionGroup, Oversight, Role, Unit, UnitKind, User
from ..services import accountability, oversight

PER_LEADER = 8  # a leader answers for a handful of schools: they fit on one phone screen

# 郾城区's second leader and inspector (the first ones are core.USERS' leader and inspector)
YANCHENG_MORE = [("leader2", "张爱华", Role.LEADER, "局办公室（文明办）"),
                 ("inspector2", "刘卫东", Role.INSPECTOR, "督导室")]


def _more_logins(bureau):
    from .core import password_hash

    for username, name, role, unit_name in YANCHENG_MORE:
        if not User.objects.filter(username=username).exists():
            User.objects.create(username=username, name=name, role=role, password=password_hash(),
                                unit=Unit.objects.get(bureau=bureau, name=unit_name))


def _organise(bureau, year):
    admin = User.objects.filter(role=Role.ADMIN, unit__bureau=bureau, is_active=True).order_by("pk").first()
    if admin is None or InspectionGroup.objects.filter(bureau=bureau, year=year).exists():
        return 0  # no admin to do it, or done before: the bureau's own changes are kept
    schools = list(Unit.objects.filter(bureau=bureau, is_active=True, kind=UnitKind.SCHOOL)
                   .order_by("sort_order", "name"))
    inspectors = list(oversight.inspectors_of(bureau).order_by("pk"))  # the first login the first group
    names = ["第一督导组", "第二督导组"][:max(1, min(2, len(inspectors)))]
    size = -(-len(schools) // len(names))
    for i, name in enumerate(names):
        group = oversight.group_save(user=admin, year=year, name=name, rhythm="weekly", members=inspectors[i::len(names)])
        if schools[i * size:(i + 1) * size]:
            oversight.oversight_set(user=admin, year=year, units=schools[i * size:(i + 1) * size], group=group)
    for i, leader in enumerate(oversight.leaders_of(bureau).order_by("pk")):
        units = schools[i * PER_LEADER:(i + 1) * PER_LEADER]
        if units:
            oversight.oversight_set(user=admin, year=year, units=units, leader=leader)
    return len(names)


def load(out):
    from .core import city_and_yancheng

    year = CampaignYear.objects.current()
    _, yancheng = city_and_yancheng()
    _more_logins(yancheng)
    groups = sum(_organise(bureau, year) for bureau in Bureau.objects.order_by("pk"))
    today = timezone.localdate()
    accountability.scan(today)
    case = AccountabilityCase.objects.filter(unit__bureau=yancheng, kind="problem_overdue").order_by("pk").first()
    admin = User.objects.get(username="admin")
    if case is not None and not case.actions.exists():
        accountability.action_add(case=case, user=admin, kind="reminder", date=today, conducted_by="王建华（局文明办）",
                                  attendees=f"{case.unit.head_name}（校长）、{case.unit.contact_name}（联络员）",
                                  notes="提醒按时整改，明日前报送整改照片。")
    closed = AccountabilityCase.objects.filter(unit__bureau=yancheng, kind="task_missed").order_by("pk").first()
    if closed is not None and not closed.actions.exists():
        accountability.action_add(case=closed, user=admin, kind="interview", date=today,
                                  conducted_by=f"{yancheng.deputy_head_name}（分管副局长）",
                                  attendees=f"{closed.unit.head_name}（校长）", notes="约谈单位主要负责人，明确补报时限。")
        accountability.case_close(case=closed, user=admin, note="已补报全部逾期任务，经核实办结。")
    out(f"包抓分工 {Oversight.objects.count()} 个单位，新建督导组 {groups} 个，"
        f"问责提示 {AccountabilityCase.objects.open().count()} 条未办结")
