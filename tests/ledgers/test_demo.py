"""The demo (`load_demo`, what `bin/serve` shows): a believable city — 漯河市教育局 with 郾城区 (the
README's logins) and two more districts, each with its units, a year of ledgers, checks, problems,
bulletins and an assessment scheme — and loading it again changes nothing.

Loading the demo city is the slowest fixture of the suite, so one test loads it once and checks
each part (one helper per part below), then loads it again."""
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from ledgers.models import (
    AssessmentScheme, Bulletin, Bureau, CampaignYear, Check, CheckTemplate, IndicatorRule, Problem, ProblemStatus,
    Role, Task, Unit, UnitKind, User,
)
from reports.assessment import assessment, unit_sheet


def counts():
    return {model.__name__: model.objects.count()
            for model in (Unit, User, CampaignYear, CheckTemplate, Check, Problem, Bulletin, Task, AssessmentScheme)}


def test_demo_is_a_believable_city_with_the_readme_logins_and_loads_once(db, client_for):
    call_command("load_demo")
    first = counts()
    check_units_and_logins()
    check_checks_problems_and_bulletins()
    check_assessment()
    check_last_months_tasks()
    check_city_logins_districts_and_walls(client_for)
    check_rules_at_work(client_for)
    check_oversight_and_accountability(client_for)
    call_command("load_demo")
    assert counts() == first
    # --if-empty leaves a loaded database alone (units with records cannot be deleted: PROTECT,
    # so one is marked by editing it instead).
    Unit.objects.filter(name="人事股").update(contact_name="已修改")
    call_command("load_demo", if_empty=True)
    assert Unit.objects.get(name="人事股").contact_name == "已修改"


def check_units_and_logins():
    assert Unit.objects.filter(kind=UnitKind.SCHOOL).count() >= 30
    assert Unit.objects.exclude(kind=UnitKind.SCHOOL).count() >= 10
    assert CampaignYear.objects.current() is not None
    expected = {"admin": Role.ADMIN, "inspector": Role.INSPECTOR, "leader": Role.LEADER,
                "liaison": Role.LIAISON, "liaison2": Role.LIAISON}
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password("wenming2026")
    assert User.objects.get(username="liaison").unit.name == "郾城区第一实验小学"
    assert User.objects.get(username="liaison2").unit != User.objects.get(username="liaison").unit


def check_last_months_tasks():
    """Finished tasks were marked done when they were reported (mostly by their deadlines), not when the
    demo was loaded: last month's summary counts some of its due tasks as done, and not all of them late."""
    from django.utils import timezone

    from ledgers.models import AssignmentStatus, TaskAssignment
    from reports.summaries import Month, monthly_summary

    totals = monthly_summary(Month.containing(timezone.localdate()).previous(), lists=False).totals
    assert 0 < totals.tasks_done < totals.tasks_due
    done = TaskAssignment.objects.filter(status=AssignmentStatus.DONE, task__deadline__lt=timezone.localdate())
    on_time = [a for a in done.select_related("task") if timezone.localdate(a.completed_at) <= a.task.deadline]
    assert 0 < len(on_time) < done.count()
    assert all(a.events.get(to_status=AssignmentStatus.DONE).at == a.completed_at for a in done[:20])


def check_rules_at_work(client_for):
    """Issue 27's rules on the demo liaison's school: an answer in time waiting for the re-check, a
    rejected problem with its new deadline, a 每月 task with last month missed, the letter waiting
    for the bureau's confirmation (liaison2's returned with a reason) — and what the pages say."""
    import datetime

    from django.utils import timezone

    from ledgers.models import LetterStatus, ProblemAction, ResponsibilityLetter, TaskAssignment

    today = timezone.localdate()
    liaison, liaison2 = User.objects.get(username="liaison"), User.objects.get(username="liaison2")
    mine = Problem.objects.filter(unit=liaison.unit)
    waiting = mine.recheck_overdue(today).filter(rectified_at__date__lte=F("deadline"))
    assert waiting.exists() and not mine.overdue(today).filter(pk__in=waiting).exists()
    rejected = mine.filter(events__action=ProblemAction.REJECT, deadline__gte=today).distinct().get()
    assert rejected.events.get(action=ProblemAction.REJECT).deadline == rejected.deadline
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).month
    missed = [item.missed_label for a in TaskAssignment.objects.filter(unit=liaison.unit).with_items()
              .select_related("task") for item in a.items(today) if item.overdue and item.label]
    assert f"{last_month}月 未报" in missed
    assert ResponsibilityLetter.objects.get(unit=liaison.unit).status == LetterStatus.PENDING
    returned = ResponsibilityLetter.objects.get(unit=liaison2.unit)
    assert returned.status == LetterStatus.ISSUED and returned.return_reason
    page = client_for(liaison).get(reverse("ledgers:my_tasks")).content.decode()
    assert f"{last_month}月 未报" in page
    home = client_for(liaison).get("/").content.decode()
    assert "待确认：等待局文明办确认" in home and "已提交、待复查" in home


def check_checks_problems_and_bulletins():
    """Templates, weeks of checks, problems in every status and two bulletins."""
    assert CheckTemplate.objects.count() == 4
    points = CheckTemplate.objects.get(name="中小学校点位测评督查标准")  # pass/fail, by 达标率 (issue 29)
    assert points.max_total_text == "6 项，按达标率" and points.items.filter(kind="sampling").count() == 2
    assert Check.objects.values("iso_week").distinct().count() >= 12
    assert set(Problem.objects.values_list("status", flat=True)) == set(ProblemStatus.values)
    assert Problem.objects.overdue().exists()
    assert not Problem.objects.filter(status__in=["review", "closed"], photos__stage="after").count() == 0
    # Each district numbers its own bulletins (郾城区's inspector drafted 郾城区's).
    assert sorted(Bulletin.objects.published().filter(created_by__username="inspector").values_list(
        "number", flat=True)) == [1, 2]
    assert Problem.objects.filter(unit__users__username="liaison").open().exists()


def check_assessment():
    """Every active unit has a score, and the demo liaison has points to win back."""
    year = CampaignYear.objects.current()
    yancheng = Bureau.objects.get(name__contains="郾城区")
    scheme = AssessmentScheme.objects.get(year=year, bureau=yancheng)
    assert IndicatorRule.objects.filter(scheme=scheme).values("kind").distinct().count() == 7  # every kind, 问卷知晓率 included
    from ledgers.models import Question, Survey, SurveyResponse
    assert Question.objects.filter(bureau__kind="city").count() >= 10
    survey = Survey.objects.get(bureau=yancheng)
    assert survey.is_open() and SurveyResponse.objects.filter(survey=survey).count() >= 200
    result = assessment(year, bureau=yancheng)
    assert {r.unit for r in result.rows} == set(Unit.objects.filter(bureau=yancheng, is_active=True)
                                                .values_list("name", flat=True))
    assert result.rows and all(r.percent is not None for r in result.rows)
    assert len({r.percent for r in result.rows}) > 5  # scores differ between units
    liaison = User.objects.get(username="liaison")
    sheet = unit_sheet(year, liaison.unit)
    assert 0 < sheet.row.total < sheet.row.full
    assert any(a.fixable for a in sheet.actions)
    # The demo's other districts have their own schemes, scoring their own units.
    schemes = AssessmentScheme.objects.filter(year=year)
    assert schemes.count() >= 3
    for other in schemes.exclude(bureau=yancheng).select_related("bureau"):
        rows = assessment(year, bureau=other.bureau).rows
        assert rows and all(Unit.objects.filter(name=r.unit, bureau=other.bureau).exists() for r in rows)


def check_city_logins_districts_and_walls(client_for):
    """漯河市教育局 with 郾城区 (the logins unchanged) and two more districts, walled off."""
    city = Bureau.objects.city()
    assert city.name == "漯河市教育局"
    districts = {b.short_name: b for b in Bureau.objects.districts()}
    assert set(districts) >= {"郾城区", "源汇区", "召陵区"}
    expected = {"city": (Role.ADMIN, city), "city_inspector": (Role.INSPECTOR, city),
                "district2": (Role.ADMIN, districts["源汇区"]), "admin": (Role.ADMIN, districts["郾城区"]),
                "liaison": (Role.LIAISON, districts["郾城区"])}
    for username, (role, bureau) in expected.items():
        user = User.objects.get(username=username)
        assert (user.role, user.bureau) == (role, bureau), username
        assert user.check_password("wenming2026")
    for short in ("源汇区", "召陵区"):
        bureau = districts[short]
        assert Unit.objects.filter(bureau=bureau).count() >= 6
        assert Task.objects.filter(bureau=bureau).exists()
        assert Check.objects.filter(unit__bureau=bureau).exists()
        assert Problem.objects.filter(unit__bureau=bureau).exists()

    district2 = User.objects.get(username="district2")
    assert not Unit.objects.visible_to(district2).exclude(bureau=districts["源汇区"]).exists()
    html = client_for(User.objects.get(username="city_inspector")).get(reverse("reports:dashboard")).content.decode()
    for short in ("郾城区", "源汇区", "召陵区"):
        assert short in html
    html = client_for(district2).get(reverse("ledgers:problem_list")).content.decode()
    assert "源汇区" in html and "郾城区第一实验小学" not in html


def check_oversight_and_accountability(client_for):
    """Every demo leader answers for some units (and sees them on the home page), 郾城区's inspectors
    work in two groups, and a unit has an open 问责提示 in the 问责台账."""
    from ledgers.models import AccountabilityCase, InspectionGroup, Oversight

    year = CampaignYear.objects.current()
    for leader in User.objects.filter(role=Role.LEADER, is_active=True):
        assert Oversight.objects.filter(year=year, leader=leader).exists(), leader.username
    groups = InspectionGroup.objects.filter(year=year, bureau__name="漯河市郾城区教育局")
    assert {g.name: sorted(m.username for m in g.members.all()) for g in groups} == {
        "第一督导组": ["inspector"], "第二督导组": ["inspector2"]}
    assert not Oversight.objects.filter(year=year, group__isnull=True, unit__kind=UnitKind.SCHOOL).exists()
    page = client_for(User.objects.get(username="leader")).get(reverse("home")).content.decode()
    assert "我包抓的单位（8）" in page and "郾城区第一实验小学" in page
    case = AccountabilityCase.objects.open().filter(unit__bureau__name="漯河市郾城区教育局").first()
    assert case is not None
    admin = client_for(User.objects.get(username="admin"))
    assert "待处理" in admin.get(reverse("ledgers:case_list")).content.decode()
    assert case.reason in admin.get(case.get_absolute_url()).content.decode()
