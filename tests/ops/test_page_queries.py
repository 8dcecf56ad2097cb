"""The busiest pages (the ones `manage.py bench_pages` measures) run a fixed number of queries: the
same count with 3 units and a few rows as with 9 units and almost three times the rows, and under a ceiling."""
import datetime

import pytest
from django.urls import reverse

from ledgers import versions
from ledgers.models import (
    Activity, ActivityCategory, ActivityPhoto, Check, CheckTemplate, LetterStatus, Problem, ResponsibilityLetter,
    Task, TaskAssignment, Unit, UnitKind,
)

TODAY = datetime.date(2026, 11, 18)

# (who, URL name, kwargs, ceiling): the pages of bench_pages.PAGES. Ceilings are today's counts + 2,
# room for one COUNT of the navigation (e.g. a notification bell) and one more. The counts are of the
# cold cache (versions.clear()); the signed-in user is read on every page, warm or cold.
PAGES = [
    ("liaison", "home", {}, 24),  # + 1: is there a 问卷调查 round for the unit (issue 32)
    ("liaison", "ledgers:activity_list", {}, 13),
    ("liaison", "ledgers:problem_list", {}, 9),
    ("liaison", "ledgers:my_tasks", {}, 9),  # + the periods and reports of recurring tasks (issue 27)
    ("inspector", "reports:dashboard", {}, 22),  # + the 问卷调查 rounds (issue 32)
    ("inspector", "reports:monthly", {"month": "2026-11"}, 23),  # + the 问责 entries, + the 问卷调查 rounds
    ("inspector", "ledgers:task_matrix", {}, 11),
    ("inspector", "ledgers:check_list", {}, 9),
]


def grow(year, inspector, liaison, units, rows):
    """Give every unit `rows` tasks (assigned to all), checks, problems and activities with photos."""
    tasks = Task.objects.bulk_create([
        Task(year=year, bureau=units[0].bureau, title=f"任务{year.pk}-{len(units)}-{n}",
             deadline=TODAY - datetime.timedelta(days=7 * n - 20)) for n in range(rows)])
    TaskAssignment.objects.bulk_create([
        TaskAssignment(task=t, unit=u, status=["not_started", "in_progress", "done"][(t.pk + u.pk) % 3])
        for t in tasks for u in units])
    template, _ = CheckTemplate.objects.get_or_create(year=year, name="校园环境卫生检查表")
    category = ActivityCategory.objects.ensure_defaults()[0]
    for unit in units:
        ResponsibilityLetter.objects.get_or_create(year=year, unit=unit, defaults={"status": LetterStatus.SIGNED})
        for n in range(rows):
            day = TODAY - datetime.timedelta(days=3 * n)
            iso = day.isocalendar()
            check = Check.objects.create(year=year, unit=unit, date=day, iso_year=iso[0], iso_week=iso[1],
                                         template=template, total=80 + n % 20, max_total=100, status="submitted",
                                         created_by=inspector, submitted_by=inspector)
            check.inspectors.add(inspector)
            Problem.objects.create(year=year, unit=unit, check_record=check, description=f"问题{n}", found_on=day,
                                   iso_year=iso[0], iso_week=iso[1], deadline=day + datetime.timedelta(days=3),
                                   status=["open", "rectifying", "review", "closed"][n % 4], raised_by=inspector)
            activity = Activity.objects.create(year=year, unit=unit, title=f"活动{n}", category=category, date=day,
                                               place="操场", participants="全体师生", status="submitted",
                                               created_by=liaison)
            ActivityPhoto.objects.bulk_create([
                ActivityPhoto(activity=activity, original="x.jpg", display="x.jpg", thumbnail="x.jpg",
                              original_name=f"{k}.jpg", sha256=f"{activity.pk}-{k}", uploaded_by=liaison, sort_order=k)
                for k in range(2)])


def counts(client_for, inspector, liaison):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = {"liaison": client_for(liaison), "inspector": client_for(inspector)}
    result = {}
    for who, name, kwargs, _ceiling in PAGES:
        client, url = clients[who], reverse(name, kwargs=kwargs)
        assert client.get(url).status_code == 200, url  # the session is pushed forward once, before counting
        versions.clear()  # count the panels and summaries computed, not taken from ledgers.versions' cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        result[name] = len(queries)
    return result


@pytest.fixture
def today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


@pytest.mark.django_db
def test_the_busiest_pages_run_the_same_queries_as_units_and_rows_grow(year, school_a, school_b, inspector, liaison,
                                                                      client_for, today):
    units = [school_a, school_b, Unit.objects.create(name="郾城区实验中学", kind=UnitKind.SCHOOL, code="z1")]
    grow(year, inspector, liaison, units, 3)
    small = counts(client_for, inspector, liaison)
    more = [Unit.objects.create(name=f"郾城区第{n}中学", kind=UnitKind.SCHOOL, code=f"z{n}") for n in range(2, 8)]
    grow(year, inspector, liaison, units + more, 8)
    large = counts(client_for, inspector, liaison)
    assert large == small
    for _who, name, _kwargs, ceiling in PAGES:
        assert large[name] <= ceiling, (name, large[name])
