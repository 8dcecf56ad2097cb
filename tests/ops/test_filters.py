"""SQL-looking strings in the list filters are just text: a normal page, never more rows than the
same user sees unfiltered, never another unit's rows, never a 500, nothing dropped."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ledgers.models import Activity, ActivityCategory, Problem, Task
from ledgers.services.tasks import task_save
from tests.ledgers.checks.factories import indicator, make_check, make_problem, template  # noqa: F401 (fixtures)

SQL = ["' OR 1=1 --", "1; DROP TABLE ledgers_problem", "1 UNION SELECT username FROM ledgers_user", "%", "\\"]

# (list page, its filter parameters)
FILTERS = {
    "ledgers:problem_list": ["unit", "status", "week", "kind", "indicator", "overdue", "page"],
    "ledgers:activity_list": ["unit", "month", "category", "indicator", "status", "page"],
    "ledgers:task_matrix": ["kind", "status", "indicator", "year", "page"],
    "ledgers:check_list": ["week", "unit", "kind", "status", "page"],
}
@pytest.fixture
def rows(year, admin_user, inspector, liaison, liaison2, school_a, school_b, template):  # noqa: F811
    """{list page: (link of school_a's row, link of school_b's row)}: one row per school on each list."""
    category = ActivityCategory.objects.ensure_defaults().first()
    today = timezone.localdate()
    links = {name: [] for name in FILTERS}
    for unit, user in ((school_a, liaison), (school_b, liaison2)):
        records = {
            "ledgers:check_list": make_check(inspector, unit, template, [18, 12, 12], date=today),
            "ledgers:problem_list": make_problem(inspector, unit, description=f"{unit.name}的问题"),
            "ledgers:activity_list": Activity.objects.create(unit=unit, year=year, category=category, created_by=user,
                                                             title=f"{unit.name}的活动", date=today),
            "ledgers:task_matrix": task_save(task=Task(year=year, title=f"{unit.name}的任务",
                                                       deadline=today + timedelta(days=3)), units=[unit],
                                             user=admin_user),
        }
        for name, record in records.items():
            links[name].append(f'href="{record.get_absolute_url()}"')
    return links


def rows_shown(page, links):
    return {link for link in links if link in page}


@pytest.mark.parametrize("name", FILTERS)
def test_sql_looking_filter_values_give_a_normal_page_with_no_extra_rows(rows, client_for, inspector, liaison, name):
    users = [inspector] + ([liaison] if name in ("ledgers:problem_list", "ledgers:activity_list") else [])
    for user in users:
        browser = client_for(user)
        unfiltered = browser.get(reverse(name))
        assert unfiltered.status_code == 200
        everything = rows_shown(unfiltered.content.decode(), rows[name])
        assert everything == (set(rows[name]) if user.sees_all_units else {rows[name][0]})
        for param in FILTERS[name]:
            for value in SQL:
                response = browser.get(reverse(name), {param: value})
                assert response.status_code == 200, (name, param, value)
                assert rows_shown(response.content.decode(), rows[name]) <= everything, (name, param, value)
    assert Problem.objects.count() == 2 and Activity.objects.count() == 2 and Task.objects.count() == 2


def test_a_text_filter_that_reaches_the_query_matches_nothing(rows, client_for, inspector):
    page = client_for(inspector).get(reverse("ledgers:task_matrix"), {"indicator": "' OR 1=1 --"}).content.decode()
    assert rows_shown(page, rows["ledgers:task_matrix"]) == set()
