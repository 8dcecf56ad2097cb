"""Data versions (ledgers.versions): the database moves a unit's counter on every write to its
records, by any path, and the liaison home's cached panels change as soon as the data does."""
import io
import re

import pytest
from django.core.management import call_command
from django.apps import apps
from django.db import connection, transaction
from django.template import RequestContext, Template, TemplateSyntaxError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ledgers import versions
from ledgers.models import (
    Activity, ActivityCategory, Check, TaskAssignment, ActivityPhoto, AssignmentEvent, CheckCorrection, Problem, ProblemStatus, Role, Task,
    Bureau, BureauKind, Unit, UnitAlias, UnitKind, User,
)
from ledgers.services.tasks import task_save
from reports.models import PublishedReport
from tests.ops.test_url_sweeps import make_records
from tests.conftest import make_user
from tests.ledgers.checks.factories import jpeg, make_check, make_problem
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
    "ledgers_oversight": "unit", "ledgers_accountabilitycase": "unit", "ledgers_accountabilityaction": "case__unit",
    "ledgers_accountabilityattachment": "action__case__unit",
    "ledgers_surveyunit": "unit", "ledgers_surveyresponse": "unit", "ledgers_surveyanswer": "response__unit",
    "reports_publishedreport": "unit",  # a bureau-wide one (no unit): counter 0
}


def counters():
    return versions.totals()


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
            unit = versions.SHARED if unit is None else unit
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
    for unit in (base["school_b"], None):  # one unit's published summary and a bureau-wide one
        PublishedReport.objects.create(period="2026-05", unit=unit, bureau=base["school_b"].bureau,
                                       title="2026年5月分析小结", pdf="reports/x.pdf", published_by=base["admin_user"])
    return {**base, **records, "liaison": liaison}


def home(client):
    """What the liaison's home shows in its month panel, and the queries the page ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="panel-assessment"' in html
    month = html[html.index('data-testid="panel-month"'):]
    rank = re.search(r"第 (\d+) 名", month)
    return {"unit": re.search(r'<h1 class="h4 mb-1">([^<]+)</h1>', html)[1],
            "open": int(re.search(r"未销号问题 <strong>(\d+)</strong>", month)[1]),
            "rank": int(rank[1]) if rank else None, "queries": len(queries)}


def test_the_liaisons_home_shows_a_change_made_past_the_orm_at_once(city, client_for):
    client = client_for(city["liaison2"])
    first = home(client)
    again = home(client)  # every panel from the cache
    versions.clear()
    cold = home(client)
    assert first["open"] == again["open"] == cold["open"] == 1
    assert cold["queries"] - again["queries"] >= 15  # the panels' queries
    # No save(), no signal: a queryset update, as imports and bulk moves write.
    problem = city["problem"]
    Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.CLOSED, closed_at=problem.created_at)
    assert home(client)["open"] == 0


def test_units_never_share_and_a_check_of_another_unit_moves_the_rank(city, client_for):
    client, other = client_for(city["liaison"]), client_for(city["liaison2"])
    mine, theirs = home(client), home(other)
    assert (mine["unit"], theirs["unit"]) == (city["school_a"].name, city["school_b"].name)
    assert (mine["open"], theirs["open"]) == (1, 1)
    assert (mine["rank"], theirs["rank"]) == (1, 2)
    Problem.objects.filter(unit=city["school_b"]).update(status=ProblemStatus.CLOSED, closed_at=city["problem"].created_at)
    assert (home(client)["open"], home(other)["open"]) == (1, 0)
    # The month panel ranks the unit among its district's units: their checks count too.
    make_check(city["inspector"], city["section"], city["template"], [20, 15, 15], date=timezone.localdate())
    assert (home(client)["rank"], home(other)["rank"]) == (1, 3)


def test_only_writes_that_can_change_a_panel_make_it_again(city, client_for):
    district = city["school_a"].bureau
    other_district = Bureau.objects.create(name="漯河市源汇区教育局", short_name="源汇区", kind=BureauKind.DISTRICT,
                                           parent=district.parent)
    far = Unit.objects.create(name="源汇区实验小学", kind=UnitKind.SCHOOL, code="yh01", bureau=other_district)
    client = client_for(city["liaison"])
    home(client)
    cached = home(client)["queries"]
    UnitAlias.objects.create(unit=far, name="源汇一小")  # a record of a unit of the other district
    assert home(client)["queries"] == cached
    UnitAlias.objects.create(unit=city["section"], name="办公室")  # of this district: the month panel
    district_write = home(client)["queries"]
    UnitAlias.objects.create(unit=city["school_a"], name="一小")  # of the unit: every panel
    unit_write = home(client)["queries"]
    assert cached < district_write < unit_write


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
        html = client.get(url).content.decode()
        if "dashboard" in url:
            return int(re.search(r'<span class="value">(\d+)</span><span class="label">未销号问题', html)[1])
        return int(re.search(r"尚有 (\d+) 个未销号", html)[1])

    assert open_problems(f"/reports/monthly/{month}/") == 2
    assert open_problems("/reports/dashboard/") == 2
    Problem.objects.filter(pk=city["problem"].pk).update(status=ProblemStatus.CLOSED,
                                                         closed_at=city["problem"].created_at)
    assert open_problems(f"/reports/monthly/{month}/") == 1
    assert open_problems("/reports/dashboard/") == 1


def test_the_month_page_lists_a_version_published_after_it_was_cached(city, client_for):
    client = client_for(city["inspector"])
    month = timezone.localdate().strftime("%Y-%m")
    url = f"/reports/monthly/{month}/"
    assert "本月尚未发布" in client.get(url).content.decode()
    assert "本月尚未发布" in client.get(url).content.decode()  # from the cache
    published = PublishedReport.objects.create(period=month, bureau=city["inspector"].bureau, title="分析小结",
                                               pdf="reports/x.pdf", published_by=city["admin_user"])
    html = client.get(url).content.decode()
    assert "本月尚未发布" not in html and f"/reports/published/{published.pk}.pdf" in html


@pytest.mark.parametrize("who, url, change, before, after", [
    ("liaison2", "/problems/", lambda: Problem.objects.update(description="垃圾桶破损"), "操场一角", "垃圾桶破损"),
    ("liaison2", "/tasks/mine/", lambda: Task.objects.filter(title="乙校任务").update(title="乙校新任务"),
     "乙校任务", "乙校新任务"),
    ("liaison2", "/activities/", lambda: Activity.objects.filter(title="乙校活动").update(title="乙校升旗仪式"),
     "乙校活动", "乙校升旗仪式"),
    ("inspector", "/checks/", lambda: Check.objects.update(total=7), "42 / 50", "7 / 50"),
    ("inspector", "/tasks/", lambda: TaskAssignment.objects.filter(task__title="乙校任务").update(status="returned"),
     "郾城区第二实验小学：进行中", "郾城区第二实验小学：已退回"),
    ("inspector", "/tasks/", lambda: Task.objects.filter(title="甲校任务").update(title="甲校新任务"), "甲校任务",
     "甲校新任务"),
])
def test_the_lists_show_a_change_made_past_the_orm_at_once(city, client_for, who, url, change, before, after):
    client = client_for(city[who])
    assert before in client.get(url).content.decode()
    assert before in client.get(url).content.decode()  # from the cache
    change()
    html = client.get(url).content.decode()
    assert after in html and before not in html


def test_a_photo_reused_in_another_unit_is_flagged_at_once_in_the_list(city, client_for):
    """The archive list's warnings read every unit's photos ({% versioned … every_unit %})."""
    mine = Activity.objects.get(title="甲校活动")
    photo = ActivityPhoto.build(jpeg(color="red"), uploaded_by=city["liaison"], activity=mine, caption="升旗")
    photo.save()
    client = client_for(city["liaison"])
    assert "张待核实" not in client.get("/activities/").content.decode()
    # school_b's photo becomes the same picture: a write to school_b's records only.
    ActivityPhoto.objects.filter(activity__unit=city["school_b"]).update(sha256=photo.sha256)
    assert "⚠ 1 张待核实" in client.get("/activities/").content.decode()


def test_a_cached_part_may_not_hold_a_csrf_token(rf, school_a):
    page = Template('{% load versioned %}{% versioned "form" %}<form method="post">{% csrf_token %}</form>{% endversioned %}')
    request = rf.get("/")
    request.user = User(unit=school_a, role=Role.LIAISON)
    with pytest.raises(TemplateSyntaxError, match="CSRF"):
        page.render(RequestContext(request, {}))


def test_a_liaisons_month_page_ranks_among_the_district_at_once(city, client_for):
    client = client_for(city["liaison2"])
    url = f"/reports/monthly/{timezone.localdate():%Y-%m}/"

    def rank():
        return re.search(r"在 (\d+) 个受检单位中排第 (\d+) 名", client.get(url).content.decode()).groups()

    assert rank() == rank() == ("2", "2")
    make_check(city["inspector"], city["section"], city["template"], [20, 15, 15], date=timezone.localdate())
    assert rank() == ("3", "3")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's (Django's flush there)")
def test_truncating_a_table_moves_counter_zero(city):
    before = counters()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's inserts are checked first
        cursor.execute("TRUNCATE ledgers_unitalias")
    assert moved(before, counters()) == {versions.SHARED}


def test_the_cache_keeps_to_its_memory_budget_least_recently_used_first_out():
    lru = versions.LRU(budget=3000)
    for key in "abc":
        lru.put(key, "页" * 400)  # about 850 bytes each
    assert lru.get("a") == (True, "页" * 400)  # now the most recently used
    lru.put("d", "页" * 400)
    assert [lru.get(key)[0] for key in "abcd"] == [True, False, True, True]
    # A result of many small objects counts every one of them: these rows hold about 2,400 bytes.
    rows = [{"unit": f"学校{i}", "score": i * 1.5} for i in range(8)]
    assert 2000 < versions.deep_size(rows) < 3000
    lru.put("e", rows)
    assert [lru.get(key)[0] for key in "acde"] == [False, False, False, True]
    assert lru.used == versions.deep_size(rows)
    lru.put("f", ["页" * 2000])  # more than the whole budget: not kept, nothing else thrown out
    assert lru.get("f")[0] is False and lru.get("e")[0] is True


def test_the_write_benchmark_leaves_nothing_behind_and_the_triggers_in_place(db, school_a):
    out = io.StringIO()
    call_command("bench_versions", rows=50, stdout=out)
    assert [line.split(":")[0].strip() for line in out.getvalue().splitlines()[1:]] == ["insert", "update", "delete"]
    assert Unit.objects.count() == 1 and not UnitAlias.objects.exists()
    before = counters()
    UnitAlias.objects.create(unit=school_a, name="一小")
    assert moved(before, counters()) == {school_a.pk}


def test_a_photo_uploaded_before_its_activity_moves_nothing_until_it_joins_one(city):
    """A phone's photo waits unattached while the form is filled in: shown nowhere cached, it must
    not throw away every cached page city-wide (it once moved counter 0)."""
    liaison = city["liaison"]
    before = counters()
    photo = ActivityPhoto.build(jpeg(color="blue"), uploaded_by=liaison, capture_batch="batch-1")
    photo.save()
    assert moved(before, counters()) == set()
    mine = Activity.objects.get(title="甲校活动")
    ActivityPhoto.objects.filter(pk=photo.pk).update(activity=mine)
    assert moved(before, counters()) == {city["school_a"].pk}


def test_the_log_folds_into_totals_without_changing_any_version(city):
    before = counters()
    assert before and versions.compact() is True
    assert counters() == before
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {versions.LOG}")
        assert cursor.fetchone()[0] == 0
