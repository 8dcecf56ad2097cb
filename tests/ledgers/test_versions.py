"""Data versions (ledgers.versions): the database moves a unit's counter on every write to its
records, by any path, and the liaison home's cached panels change as soon as the data does."""
import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ledgers import versions
from ledgers.models import (
    Activity, ActivityCategory, ActivityPhoto, AssignmentEvent, CheckCorrection, Problem, ProblemStatus, Role, Task,
    Unit, UnitAlias, User,
)
from ledgers.services.tasks import task_save
from tests.ops.test_url_sweeps import make_records
from tests.conftest import make_user
from tests.ledgers.checks.factories import make_check, make_problem
from tests.shared import base_objects

# Each tracked table's unit, said a second time as an ORM path (the triggers say it in SQL).
UNIT_PATH = {
    "ledgers_activity": "unit", "ledgers_check": "unit", "ledgers_problem": "unit",
    "ledgers_taskassignment": "unit", "ledgers_responsibilityletter": "unit", "ledgers_manualscore": "unit",
    "ledgers_adjustment": "unit", "ledgers_unitalias": "unit",
    "ledgers_activityphoto": "activity__unit", "ledgers_activity_indicators": "activity__unit",
    "ledgers_checkscore": "check_record__unit", "ledgers_checkphoto": "check_record__unit",
    "ledgers_checkcorrection": "check_record__unit", "ledgers_check_inspectors": "check__unit",
    "ledgers_problemphoto": "problem__unit", "ledgers_problemevent": "problem__unit",
    "ledgers_assignmentevent": "assignment__unit", "ledgers_progressentry": "assignment__unit",
    "ledgers_progressattachment": "entry__assignment__unit",
    "ledgers_letteritem": "letter__unit", "ledgers_signedscan": "letter__unit",
}


def counters():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unit_id, n FROM {versions.TABLE}")
        return dict(cursor.fetchall())


def moved(before, after):
    return {unit for unit in set(before) | set(after) if after.get(unit, 0) != before.get(unit, 0)}


def model_of(table):
    return next(m for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table)


def test_every_table_is_tracked_or_said_to_be_untracked(db):
    tables = set(connection.introspection.table_names())
    listed = set(versions.UNIT_OF) | set(versions.SHARED_TABLES) | set(versions.UNTRACKED)
    unclassified = sorted(t for t in tables - listed if not t.startswith(versions.HISTORY_PREFIX))
    assert not unclassified, f"add these tables to a list in ledgers/versions.py: {unclassified}"
    assert not listed - tables, "ledgers/versions.py lists a table that does not exist"
    assert set(UNIT_PATH) == set(versions.UNIT_OF)


def test_a_write_to_any_unit_table_moves_that_units_counter_and_no_other(city):
    untested = []
    for table, path in UNIT_PATH.items():
        rows = list(model_of(table).objects.order_by("pk").values_list("pk", path))
        if not rows:
            untested.append(table)
        for pk, unit in rows:  # every row: ids of different tables coincide in a small database
            before = counters()
            with connection.cursor() as cursor:  # a raw write, past the ORM
                cursor.execute(f"UPDATE {table} SET id = id WHERE id = %s", [pk])
            assert moved(before, counters()) == {unit}, table
            # Deleting moves it too (undone at once); inserting is what made the records above.
            before = counters()
            with transaction.atomic():
                sid = transaction.savepoint()
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
                assert moved(before, counters()) == {unit}, table
                transaction.savepoint_rollback(sid)
    assert untested == []


def test_shared_tables_move_counter_zero_but_a_login_does_not(db, liaison, school_a):
    before = counters()
    User.objects.filter(pk=liaison.pk).update(last_login="2026-11-30T08:00:00Z")
    assert moved(before, counters()) == set()
    User.objects.filter(pk=liaison.pk).update(name="改名")
    assert moved(before, counters()) == {versions.SHARED}
    before = counters()
    Unit.objects.filter(pk=school_a.pk).update(contact_name="新联系人")
    assert moved(before, counters()) == {versions.SHARED}


def test_moving_a_problem_to_another_unit_moves_both(city):
    school_a, school_b = city["school_a"], city["school_b"]
    before = counters()
    Problem.objects.filter(pk=city["problem"].pk).update(unit=school_a)
    assert moved(before, counters()) == {school_a.pk, school_b.pk}


@pytest.fixture
def city(db):
    """Two schools: school_b with one record of every kind (the sweeps' records), school_a with a
    liaison of its own."""
    base = base_objects()
    liaison = make_user("liaison", Role.LIAISON, base["school_a"])
    # school_a's records come first, so that a trigger reading the wrong id of a row finds a record
    # of the wrong unit (or none) rather than school_b's by chance.
    today = timezone.localdate()
    task_save(task=Task(year=base["year"], title="甲校任务", deadline=today), units=[base["school_a"]],
              user=base["admin_user"])
    Activity.objects.create(unit=base["school_a"], year=base["year"], category=ActivityCategory.objects.ensure_defaults()
                            .first(), created_by=liaison, title="甲校活动", date=today)
    check = make_check(base["inspector"], base["school_a"], base["template"], [20, 15, 15], date=today)
    make_problem(base["inspector"], base["school_a"], check=check)
    records = make_records(**{key: base[key] for key in (
        "year", "admin_user", "inspector", "liaison2", "school_a", "school_b", "template", "indicator")})
    # The kinds the sweeps' records leave out.
    UnitAlias.objects.create(unit=base["school_b"], name="二小")
    CheckCorrection.objects.create(check_record=records["check"], by=base["inspector"], reason="笔误")
    AssignmentEvent.objects.create(assignment=records["assignment"], from_status="in_progress", to_status="done",
                                   by=base["liaison2"])
    records["activity"].indicators.add(base["indicator"])
    return {**base, **records, "liaison": liaison}


def month_row(client):
    response = client.get("/")
    assert response.status_code == 200
    panels = {panel.get("template"): panel for panel in response.context["panels"]}
    assert "reports/assessment/_home_panel.html" in panels
    return panels["reports/_home_liaison.html"]["row"]


def test_the_liaisons_month_panel_shows_a_change_made_past_the_orm_at_once(city, client_for):
    client = client_for(city["liaison2"])
    first = month_row(client)
    with CaptureQueriesContext(connection) as again:
        assert month_row(client) is first  # from the cache
    versions.clear()
    with CaptureQueriesContext(connection) as cold:
        assert month_row(client) is not first
    assert len(cold) - len(again) >= 10  # the two panels' queries
    # No save(), no signal: a queryset update, as imports and bulk moves write.
    problem = city["problem"]
    assert first.problems_open == 1
    Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.CLOSED, closed_at=problem.created_at)
    assert month_row(client).problems_open == 0


def test_another_units_writes_leave_the_cache_alone_and_units_never_share(city, client_for):
    client, other = client_for(city["liaison"]), client_for(city["liaison2"])
    mine, theirs = month_row(client), month_row(other)
    assert (mine.unit, theirs.unit) == (city["school_a"].name, city["school_b"].name)
    assert (mine.problems_open, theirs.problems_open) == (1, 1)
    Problem.objects.filter(unit=city["school_b"]).update(status=ProblemStatus.CLOSED, closed_at=city["problem"].created_at)
    ActivityPhoto.objects.filter(activity__unit=city["school_b"]).delete()
    assert month_row(client) is mine
    assert month_row(other).problems_open == 0


def test_nothing_is_cached_outside_a_page_view(db):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    # A job, a command, a POST or a test outside a request computes every time.
    assert [versions.cached("t", [1], compute), versions.cached("t", [1], compute)] == [1, 2]


def test_the_month_page_and_dashboard_show_a_change_made_past_the_orm_at_once(city, client_for):
    client = client_for(city["inspector"])
    month = timezone.localdate().strftime("%Y-%m")

    def open_problems(url):
        response = client.get(url)
        assert response.status_code == 200
        return response.context["summary"].totals.problems_open

    assert open_problems(f"/reports/monthly/{month}/") == 2
    assert open_problems("/reports/dashboard/") == 2
    Problem.objects.filter(pk=city["problem"].pk).update(status=ProblemStatus.CLOSED,
                                                         closed_at=city["problem"].created_at)
    assert open_problems(f"/reports/monthly/{month}/") == 1
    assert open_problems("/reports/dashboard/") == 1
