"""The cases of issue 27 and ordinary records beside them, built through the app's own services.

Everything is dated relative to today (the pages read the real date). Where a case needs time to
have passed (a rectification submitted five days ago, a month already over), the records are made
through the services and then moved back in time (`travel`), as if they had been made then.

Units: A 郾城区第一实验小学 (liaison), B 郾城区第二实验小学 (liaison2), C 郾城区第三实验小学, S 局办公室.

Problems (the inspector raises them; N = RECHECK_WAIT_DAYS = 2)
  P1 A  deadline today-5, rectified today-6 (on time), still 待复查      → the inspectors' wait, not A's
  P2 A  deadline today-4, 整改中                                          → A overdue 4 days
  P3 A  first deadline today-3, rectified on time, 复查不通过 at today-3,
        new deadline today-2 (日结日清: the day after), 整改中              → A overdue 2 days (not 3)
  P4 A  deadline today-6, rectified today-3 (late), 待复查               → late for the assessment only
  P5 B  deadline today+1, 待整改                                          → nothing yet
  P6 B  deadline today-4, rectified today-5, 销号 today-4                → nothing
  P7 B  deadline today-2, 待整改                                          → B overdue 2 days
Checks this week (template T1 of 100 points, T2 of 40; issue 29's kinds: T3 of every kind, T4 of
40 points and a 一票否决 item, T5 of ten 达标 items without points)
  A  T1 90 and T1 60 the same day, T2 32/40, a T1 draft of 50   → (75 + 80) / 2 = 77.5 (three checks: 76.7)
  B  T4 32.9/40 and its 一票否决 item 不达标                      → 82.25 → 82.3 everywhere, but 不合格:
                                                                    ranked after every other unit
  C  T3: group of 60 over 33 + 30 (capped: 60), 扣分 20 − 6 × 0.5, 不适用 30 left out, 抽查 2 of 5
     (3 needed: 0 of 20)                                         → 77 of 100 = 77.0, between A's figures;
     linked to 2.1 (the group too): its 考核 2.1 = 6 × 77 / 100 = 4.62
  S  T5 7 of 10 达标                                               → 达标率 70.0
A 每月 task for A and B made with the task form's service: B reported every month so far on time, A
every month but the last one. A 目标责任书 for A and B: both upload a blank image; the bureau confirms
B's. An activity of A with no photo, linked to an indicator without its own evidence rule; one of B
with a captioned photo.
"""
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from ledgers.models import (
    ActivityCategory, ActivityPhoto, AssessmentScheme, CheckItem, CheckTemplate, Frequency, Indicator, IndicatorRule,
    LetterTarget, ProblemAction, ProblemEvent, Problem, ProgressEntry, ResponsibilityLetter, Task, Unit, UnitKind,
)
from ledgers.services import activities as activity_service
from ledgers.services import letters as letter_service
from ledgers.services import problems as problem_service
from ledgers.services import tasks as task_service
from ledgers.rules import Answer
from tests.ledgers.checks.factories import jpeg, kinds_answers, make_check, make_kinds_template

DAY = datetime.timedelta(days=1)


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@dataclass
class Scenario:
    today: datetime.date
    year: object
    units: dict
    users: dict
    problems: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)
    templates: dict = field(default_factory=dict)
    indicators: dict = field(default_factory=dict)
    tasks: dict = field(default_factory=dict)
    letters: dict = field(default_factory=dict)
    activities: dict = field(default_factory=dict)
    refusals: dict = field(default_factory=dict)

    @property
    def missed_month(self):
        """The month A did not report in (the last one over), or None in January."""
        return self.today.month - 1 or None


def travel(problem, days):
    """Move a problem and its timeline `days` back in time, as if it had all happened then."""
    shift = datetime.timedelta(days=days)
    p = Problem.objects.get(pk=problem.pk)
    p.found_on -= shift
    p.deadline -= shift
    for name in ("rectified_at", "closed_at"):
        if getattr(p, name):
            setattr(p, name, getattr(p, name) - shift)
    p.save()
    for event in ProblemEvent.objects.filter(problem=p):
        event.at -= shift
        if getattr(event, "deadline", None):
            event.deadline -= shift
        event.save()
    return p


def submitted_on(problem, day):
    """The rectification (and its timeline entry) dated `day` instead of now."""
    Problem.objects.filter(pk=problem.pk).update(rectified_at=at(day, 14))
    ProblemEvent.objects.filter(problem=problem, action=ProblemAction.SUBMIT).update(at=at(day, 14))


def build(*, year, school_a, school_b, section, admin_user, inspector, inspector2, liaison, liaison2):
    today = timezone.localdate()
    school_c = Unit.objects.create(name="郾城区第三实验小学", kind=UnitKind.SCHOOL, code="school03")
    for order, unit in enumerate([school_a, school_b, school_c, section]):
        Unit.objects.filter(pk=unit.pk).update(sort_order=order)
    units = {"A": school_a, "B": school_b, "C": school_c, "S": section}
    for unit in units.values():
        unit.refresh_from_db()
    s = Scenario(today=today, year=year, units=units,
                 users={"admin": admin_user, "inspector": inspector, "inspector2": inspector2,
                        "liaison": liaison, "liaison2": liaison2})
    _heads(s)
    _indicators(s)
    _problems(s)
    _checks(s)
    _monthly_task(s)
    _letters(s)
    _activities(s)
    return s


def _heads(s):
    """The heads the letters propose (issue 27's 5th case)."""
    Unit.objects.filter(pk=s.units["A"].pk).update(head_name="刘校长")
    Unit.objects.filter(pk=s.units["B"].pk).update(head_name="赵校长")
    bureau = s.units["A"].bureau
    bureau.head_name, bureau.deputy_head_name = "李局长", "张副局长"
    bureau.save()


def _indicators(s):
    made = {}
    for code, title, points in [("1", "组织领导", 10), ("1.1", "任务落实", 5), ("1.2", "目标责任", 5),
                                ("2", "环境与整改", 10), ("2.1", "环境卫生", 6), ("2.2", "问题整改", 4),
                                ("3", "活动", 6), ("3.1", "主题活动", 6)]:
        made[code] = Indicator.objects.create(year=s.year, code=code, title=title, points=Decimal(points),
                                              parent=made.get(code.rpartition(".")[0]))
    scheme = AssessmentScheme.objects.create(year=s.year)
    for code, kind, extra in [("1.1", "tasks", {"partial": Decimal("0.5")}), ("1.2", "letter", {"partial": Decimal("0.5")}),
                              ("2.1", "checks", {}), ("2.2", "problems", {"deduction": Decimal(1)}),
                              ("3.1", "activities", {"required": 1, "period": "year"})]:
        IndicatorRule.objects.create(scheme=scheme, indicator=made[code], kind=kind, **extra)
    s.indicators = made


def _raise(s, key, unit, *, found, deadline):
    problem = problem_service.problem_raise(
        user=s.users["inspector"], unit=unit, description=f"{key} 校园环境问题（{unit.name}）",
        found_on=found, deadline=deadline, indicator=s.indicators["2.2"])
    s.problems[key] = problem
    return problem


def _rectify(s, problem, user):
    problem_service.problem_submit_rectification(problem=problem, user=user, note="已整改完毕", photos=[jpeg()])


def _problems(s):
    t, A, B = s.today, s.units["A"], s.units["B"]
    liaison, liaison2 = s.users["liaison"], s.users["liaison2"]
    p1 = _raise(s, "P1", A, found=t - 6 * DAY, deadline=t - 5 * DAY)
    _rectify(s, p1, liaison)
    submitted_on(p1, t - 6 * DAY)
    p2 = _raise(s, "P2", A, found=t - 6 * DAY, deadline=t - 4 * DAY)
    problem_service.problem_start(problem=p2, user=liaison)
    # P3: raised yesterday, due today, answered at once and rejected today (the new deadline is the
    # default, tomorrow: 日结日清); then the whole story moved three days back.
    p3 = _raise(s, "P3", A, found=t - DAY, deadline=t)
    _rectify(s, p3, liaison)
    problem_service.problem_reject(problem=p3, user=s.users["inspector"], reason="垃圾桶周边仍有散落垃圾")
    s.problems["P3"] = travel(p3, 3)
    p4 = _raise(s, "P4", A, found=t - 8 * DAY, deadline=t - 6 * DAY)
    _rectify(s, p4, liaison)
    submitted_on(p4, t - 3 * DAY)
    _raise(s, "P5", B, found=t, deadline=t + DAY)
    p6 = _raise(s, "P6", B, found=t - 5 * DAY, deadline=t - 4 * DAY)
    _rectify(s, p6, liaison2)
    submitted_on(p6, t - 5 * DAY)
    problem_service.problem_close(problem=p6, user=s.users["inspector"])
    Problem.objects.filter(pk=p6.pk).update(closed_at=at(t - 4 * DAY, 16))
    _raise(s, "P7", B, found=t - 3 * DAY, deadline=t - 2 * DAY)
    for key, problem in s.problems.items():
        s.problems[key] = Problem.objects.get(pk=problem.pk)


def _checks(s):
    t1 = CheckTemplate.objects.create(year=s.year, name="校园环境卫生检查表")
    CheckItem.objects.create(template=t1, title="校园环境卫生", max_points=100, indicator=s.indicators["2.1"])
    t2 = CheckTemplate.objects.create(year=s.year, name="文明校园测评表")
    CheckItem.objects.create(template=t2, title="创建氛围", max_points=40, indicator=s.indicators["2.1"])
    t3, t3_items = make_kinds_template(s.year, indicator=s.indicators["2.1"])
    CheckItem.objects.filter(pk=t3_items["group"].pk).update(indicator=s.indicators["2.1"])  # its subtotal counts
    t4 = CheckTemplate.objects.create(year=s.year, name="创文考评表（含一票否决）")
    CheckItem.objects.create(template=t4, title="创建氛围", max_points=40, indicator=s.indicators["2.1"], sort_order=1)
    veto = CheckItem.objects.create(template=t4, kind="veto", title="无重大安全责任事故（一票否决）", sort_order=2)
    t5 = CheckTemplate.objects.create(year=s.year, name="中小学校点位测评督查标准")
    points = [CheckItem.objects.create(template=t5, kind="passfail", title=f"点位 {n}", sort_order=n) for n in range(10)]
    s.templates = {"T1": t1, "T2": t2, "T3": t3, "T4": t4, "T5": t5}
    inspector, day = s.users["inspector"], s.today
    A, B, C, S = (s.units[k] for k in "ABCS")
    b_answers = {t4.items.get(sort_order=1).pk: Decimal("32.9"), veto.pk: Answer(passed=False)}
    s.checks = {
        "A90": make_check(inspector, A, t1, [90], date=day),
        "A60": make_check(inspector, A, t1, [60], date=day),
        "A-T2": make_check(inspector, A, t2, [32], date=day),
        "A-draft": make_check(inspector, A, t1, [50], date=day, submit=False),
        "B": _record(inspector, B, t4, b_answers, day),
        "C": _record(inspector, C, t3, kinds_answers(t3_items), day),
        "S": _record(inspector, S, t5, {item.pk: Answer(passed=n < 7) for n, item in enumerate(points)}, day),
    }


def _record(user, unit, template, answers, day):
    from ledgers.models import CheckKind
    from ledgers.services import checks as check_service

    return check_service.check_save(user=user, unit=unit, date=day, kind=CheckKind.ROUTINE, template=template,
                                    scores=answers, submit=True)


def _monthly_task(s):
    admin, A, B = s.users["admin"], s.units["A"], s.units["B"]
    task = Task(year=s.year, title="每月开展文明校园自查", frequency=Frequency.MONTHLY,
                deadline=datetime.date(s.year.year, 12, 31), indicator=s.indicators["1.1"],
                requirement="每月至少一次自查，填报落实情况")
    task = task_service.task_save(task=task, units=[A, B], user=admin)
    # Given at the start of the year (a period over before a task was given is never owed).
    Task.objects.filter(pk=task.pk).update(created_at=at(datetime.date(s.year.year, 1, 1)))
    task.refresh_from_db()
    s.tasks["monthly"] = task
    assignments = {a.unit_id: a for a in task.assignments.all()}
    for month in range(1, s.today.month):
        day = datetime.date(s.year.year, month, 15)
        for unit, user in ((B, s.users["liaison2"]), (A, s.users["liaison"])):
            if unit == A and month == s.missed_month:
                continue  # A missed the last month
            entry = task_service.progress_add(assignment=assignments[unit.pk], user=user, date=day,
                                              content=f"{month}月自查完成")
            ProgressEntry.objects.filter(pk=entry.pk).update(created_at=at(day, 17))
    letter_task = Task(year=s.year, title="签订文明创建目标责任书并上传签字扫描件", deadline=s.today + 10 * DAY,
                       indicator=s.indicators["1.2"], is_letter_task=True)
    s.tasks["letter"] = task_service.task_save(task=letter_task, units=[A, B], user=admin)


def _letters(s):
    admin = s.users["admin"]
    LetterTarget.objects.create(bureau=s.units["A"].bureau, year=s.year, order=1, text="校园环境整洁，问题日结日清",
                                points=Decimal(100))
    letter_service.letters_generate(year=s.year, user=admin)
    for key, user in (("A", s.users["liaison"]), ("B", s.users["liaison2"])):
        letter = ResponsibilityLetter.objects.get(year=s.year, unit=s.units[key])
        letter_service.letter_move(letter=letter, to="issued", user=admin)
        letter_service.letter_upload_scan(letter=letter, user=user, upload=jpeg("空白.jpg", color="white"))
        s.letters[key] = letter
    letter_service.letter_confirm(letter=s.letters["B"], user=admin)
    for key, letter in s.letters.items():
        s.letters[key] = ResponsibilityLetter.objects.get(pk=letter.pk)


def _activities(s):
    category = ActivityCategory.objects.ensure_defaults().first()
    fields = {"title": "", "category": category, "date": s.today, "place": "操场", "participants": "全体师生",
              "organizer": "德育处", "summary": "开展主题教育活动"}
    a = activity_service.activity_save(user=s.users["liaison"], fields={**fields, "title": "A 无照片的主题活动"},
                                       indicators=[s.indicators["3.1"]], unit=s.units["A"])
    try:
        activity_service.activity_submit(activity=a, user=s.users["liaison"])
    except ValidationError as refused:
        s.refusals["activity"] = refused.messages
    photos, _ = activity_service.photos_stage(user=s.users["liaison2"], uploads=[jpeg("活动.jpg")])
    b = activity_service.activity_save(user=s.users["liaison2"], fields={**fields, "title": "B 有照片的主题活动"},
                                       indicators=[s.indicators["3.1"]], unit=s.units["B"], pending=photos)
    ActivityPhoto.objects.filter(activity=b).update(
        caption=f"{s.today:%Y年%m月%d日}上午，学校操场，全体师生，主题升旗仪式，增强了学生的爱国情感")
    activity_service.activity_submit(activity=b, user=s.users["liaison2"])
    s.activities = {"A": a, "B": b}

