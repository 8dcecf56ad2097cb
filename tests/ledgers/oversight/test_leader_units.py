"""我包抓的单位: a 包抓 leader's units with the figures of the month summary (one rule each,
ledgers.rules), every figure one tap from its records; a district-2 leader sees nothing of district
1; the page takes the same queries however many units the leader has."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ledgers.models import AccountabilityCase, Activity, ActivityCategory, Problem, ProblemStatus, Task
from ledgers.services import oversight as service
from ledgers.services.tasks import task_save
from reports.leader_units import leader_unit_rows
from tests.conftest import make_user
from tests.ledgers.checks.factories import make_check, make_problem

from .conftest import make_school


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def ledger(year, admin_user, inspector, leader, leader2, group, template, schools, today):
    """school_a: two open problems (one overdue), one closed; checked this week; one archive this month.
    school_b: an overdue task and an open 问责提示. 第三实验小学 is leader2's."""
    school_a, school_b, third, _ = schools
    service.oversight_set(user=admin_user, year=year, units=[school_a, school_b], leader=leader, group=group)
    service.oversight_set(user=admin_user, year=year, units=[third], leader=leader2)
    late = make_problem(inspector, school_a, description="校门口宣传栏破损")
    Problem.objects.filter(pk=late.pk).update(deadline=today - datetime.timedelta(days=3))
    make_problem(inspector, school_a, description="走廊有纸屑", deadline=today + datetime.timedelta(days=2))
    done = make_problem(inspector, school_a, description="已整改的问题")
    Problem.objects.filter(pk=done.pk).update(status=ProblemStatus.CLOSED, closed_at=timezone.now())
    task_save(task=Task(year=year, title="制定创建方案", deadline=today - datetime.timedelta(days=5)), units=[school_b],
              user=admin_user)
    make_check(inspector, school_a, template, [18, 12, 12], date=today)  # 42 / 50 = 84.0%
    Activity.objects.create(unit=school_a, year=year, category=ActivityCategory.objects.ensure_defaults().first(),
                            created_by=admin_user, title="学雷锋志愿服务", date=today, status="submitted")
    AccountabilityCase.objects.create(year=year, unit=school_b, kind="task_missed", threshold=2, key="t", reason="任务未按期")
    return schools


def test_the_leaders_units_and_their_figures_on_a_hand_built_week(ledger, leader, leader2, today):
    school_a, school_b, third, _ = ledger
    data = leader_unit_rows(leader, today)
    figures = [(r.unit, r.problems_open, r.problems_overdue, r.tasks_overdue, r.week_checks, r.week_rate, r.activities,
                r.rank, r.cases_open) for r in data.rows]
    assert [tuple(map(str, f)) for f in figures] == [
        (school_a.name, "2", "1", "0", "1", "84.0", "1", "1", "0"),
        (school_b.name, "0", "0", "1", "0", "None", "0", "None", "1"),
    ]
    assert [r.needs_attention for r in data.rows] == [True, True]
    assert [r.unit for r in leader_unit_rows(leader2, today).rows] == [third]


def test_each_figure_opens_its_records(ledger, leader, client_for, today):
    school_a, school_b = ledger[:2]
    client = client_for(leader)
    html = client.get(reverse("reports:my_units")).content.decode()
    links = {
        "overdue": f"/problems/?unit={school_a.pk}&amp;overdue=on",
        "open": f"/problems/?unit={school_a.pk}&amp;status=unclosed",
        "tasks": f"/tasks/?unit={school_b.pk}&amp;status=overdue",
        "week": f"/checks/?unit={school_a.pk}&amp;week=",
        "activities": f"/activities/?unit={school_a.pk}&amp;month={today:%Y-%m}",
    }
    for figure, href in links.items():
        assert href in html, figure
    overdue = client.get(f"/problems/?unit={school_a.pk}&overdue=on").content.decode()
    assert "校门口宣传栏破损" in overdue and "走廊有纸屑" not in overdue
    unclosed = client.get(f"/problems/?unit={school_a.pk}&status=unclosed").content.decode()
    assert "校门口宣传栏破损" in unclosed and "走廊有纸屑" in unclosed and "已整改的问题" not in unclosed
    tasks = client.get(f"/tasks/?unit={school_b.pk}&status=overdue").content.decode()
    assert "制定创建方案" in tasks and f"只看 <strong>{school_b.name}</strong>" in tasks
    cases = client.get(f"/accountability/?unit={school_b.pk}").content.decode()
    assert "任务未按期" in cases
    # On the leader's home, first.
    home = client.get("/").content.decode()
    assert home.index('data-testid="panel-my-units"') < home.index('data-testid="panel-leader"')


def test_a_leader_without_units_and_a_district2_leader_see_nothing_of_them(ledger, district2_office, client_for):
    d2_leader = make_user("d2-leader", "leader", district2_office, "源汇区领导")
    page = client_for(d2_leader).get(reverse("reports:my_units")).content.decode()
    assert "还没有为您分配包抓单位" in page and "郾城区" not in page
    assert "panel-my-units" not in client_for(d2_leader).get("/").content.decode()
    for name in ("ledgers:case_list", "ledgers:oversight_list", "ledgers:group_list"):
        assert "郾城区第二实验小学" not in client_for(d2_leader).get(reverse(name)).content.decode(), name


def test_the_page_takes_the_same_queries_however_many_units(year, admin_user, inspector, leader, group, template,
                                                            client_for, today):
    client = client_for(leader)

    def add_units(first, n):
        units = [make_school(f"郾城区第{i}小学", f"s{i:03d}", i) for i in range(first, first + n)]
        service.oversight_set(user=admin_user, year=year, units=units, leader=leader, group=group)
        for unit in units[:2]:
            make_check(inspector, unit, template, [18, 12, 12], date=today)
            make_problem(inspector, unit)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reports:my_units")).status_code == 200
        return len(captured)

    add_units(10, 3)
    few = queries()
    add_units(20, 20)
    assert queries() == few
