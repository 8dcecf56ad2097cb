"""领导包抓 · 督导组包督查: one leader and one group per unit and campaign year, set by the bureau's
admin (history kept), and each group's coverage of its units this period of its rhythm."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from ledgers import rules
from ledgers.models import InspectionGroup, Oversight
from ledgers.services import oversight as service
from ledgers.services.tasks import MoveRefused
from tests.conftest import make_user
from tests.ledgers.checks.factories import make_check

from .conftest import WEDNESDAY, make_school

D = datetime.date


def test_a_unit_has_one_leader_and_one_group_a_year_and_every_change_is_kept(
        year, admin_user, leader, leader2, group, schools):
    school_a, school_b = schools[:2]
    assert service.oversight_set(user=admin_user, year=year, units=[school_a, school_b], leader=leader, group=group) == 2
    assert service.oversight_set(user=admin_user, year=year, units=[school_a], leader=leader2) == 1
    row = Oversight.objects.get(year=year, unit=school_a)
    assert (row.leader, row.group) == (leader2, group)  # the group stays: only the leader was set
    assert Oversight.objects.filter(year=year, unit=school_a).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Oversight.objects.create(year=year, unit=school_a)  # the database keeps it one a year
    # Setting what is already set changes nothing and keeps no new row.
    assert service.oversight_set(user=admin_user, year=year, units=[school_a], leader=leader2) == 0
    trail = list(row.history.order_by("history_date").values_list("leader_id", "group_id"))
    assert trail == [(leader.pk, group.pk), (leader2.pk, group.pk)]
    # Clearing the group (None) is a change too.
    service.oversight_set(user=admin_user, year=year, units=[school_a], group=None)
    assert Oversight.objects.get(unit=school_a).group is None


def test_only_the_bureaus_admin_sets_and_only_its_own_leaders_groups_and_units(
        year, admin_user, inspector, leader, group, schools, district2, district2_admin, school_c, city_admin):
    school_a = schools[0]
    for user in (inspector, leader):
        with pytest.raises(MoveRefused):
            service.oversight_set(user=user, year=year, units=[school_a], leader=leader)
    with pytest.raises(MoveRefused):  # another district's unit
        service.oversight_set(user=district2_admin, year=year, units=[school_a], leader=None)
    other_leader = make_user("d2-leader", "leader", district2_admin.unit, "源汇区领导")
    with pytest.raises(ValidationError, match="不是郾城区第一实验小学所属教育局的领导"):
        service.oversight_set(user=admin_user, year=year, units=[school_a], leader=other_leader)
    with pytest.raises(ValidationError, match="不是局领导"):
        service.oversight_set(user=admin_user, year=year, units=[school_a], leader=inspector)
    other_group = service.group_save(user=district2_admin, year=year, name="第一督导组", rhythm="weekly")
    with pytest.raises(ValidationError, match="不是郾城区第一实验小学所属教育局的督导组"):
        service.oversight_set(user=admin_user, year=year, units=[school_a], group=other_group)
    assert not Oversight.objects.exists()  # nothing half-made
    # A group's members are the bureau's inspectors only.
    with pytest.raises(ValidationError, match="不是本局的督导组人员"):
        service.group_save(user=admin_user, year=year, name="第二督导组", rhythm="weekly", members=[leader])


def test_a_group_with_units_cannot_be_deleted(year, admin_user, leader, group, schools):
    service.oversight_set(user=admin_user, year=year, units=[schools[0]], group=group)
    with pytest.raises(MoveRefused, match="还包督查着单位"):
        service.group_delete(user=admin_user, group=group)
    service.oversight_set(user=admin_user, year=year, units=[schools[0]], group=None)
    service.group_delete(user=admin_user, group=group)
    assert not InspectionGroup.objects.exists()


def test_the_rhythm_periods():
    week = rules.rhythm_span("weekly", WEDNESDAY)
    assert (week.label, week.start, week.end) == ("第10周", D(2026, 3, 2), D(2026, 3, 8))
    fortnight = rules.rhythm_span("fortnightly", WEDNESDAY)  # weeks 9–10
    assert (fortnight.label, fortnight.start, fortnight.end) == ("第9—10周", D(2026, 2, 23), D(2026, 3, 8))
    assert rules.rhythm_span("fortnightly", D(2026, 2, 24)) == fortnight
    assert rules.rhythm_span("fortnightly", D(2026, 3, 9)).label == "第11—12周"
    assert rules.rhythm_span("fortnightly", D(2026, 12, 30)).label == "第53周"  # 2026 has 53 ISO weeks
    month = rules.rhythm_span("monthly", WEDNESDAY)
    assert (month.label, month.start, month.end) == ("3月", D(2026, 3, 1), D(2026, 3, 31))


@pytest.fixture
def week(year, admin_user, inspector, group, template, schools):
    """A hand-built week: school_a checked on Monday; school_b last Wednesday only; 第三实验小学 never;
    实验中学 only a draft this week."""
    school_a, school_b, third, middle = schools
    service.oversight_set(user=admin_user, year=year, units=schools, group=group)
    make_check(inspector, school_a, template, [18, 12, 12], date=D(2026, 3, 2))
    make_check(inspector, school_b, template, [18, 12, 12], date=D(2026, 2, 25))
    make_check(inspector, middle, template, [18, 12, 12], date=D(2026, 3, 3), submit=False)
    return schools


def test_a_groups_coverage_this_week_lists_the_units_not_yet_checked_first(week, group):
    school_a, school_b, third, middle = week
    (c,) = service.coverage([group], WEDNESDAY)
    assert (c.span.label, c.checked, c.total) == ("第10周", 1, 4)
    assert [(r.unit, r.checked, r.last_check, r.days_since) for r in c.rows] == [
        (third, False, None, None), (middle, False, None, None),  # never (a draft does not count)
        (school_b, False, D(2026, 2, 25), 7),
        (school_a, True, D(2026, 3, 2), 2),
    ]
    # A fortnightly group counts last week's check; a monthly one does not.
    group.rhythm = "fortnightly"
    assert service.coverage([group], WEDNESDAY)[0].checked == 2
    group.rhythm = "monthly"
    assert service.coverage([group], WEDNESDAY)[0].checked == 1


def into_this_week():
    """The pages' "today" is the machine's: move the hand-built week's checks into the current week."""
    from django.utils import timezone

    from ledgers.models import Check

    today = timezone.localdate()
    shift = (today - datetime.timedelta(days=today.weekday())) - D(2026, 3, 2)
    for check in Check.objects.all():
        check.date += shift
        check.save()
    return today


def test_the_group_page_shows_this_weeks_coverage(week, group, inspector, client_for, settings):
    from ledgers.models import Check

    today = into_this_week()
    html = client_for(inspector).get(group.get_absolute_url()).content.decode()
    assert "已督查 <strong>1</strong> / 4 个单位，还有 <strong>3</strong> 个未督查" in html
    order = [html.index(f'data-unit="{u.name}"') for u in (week[2], week[3], week[1], week[0])]
    assert order == sorted(order)  # not yet checked first
    days = (today - Check.objects.get(unit=week[1]).date).days
    assert f"距今 {days} 天" in html and "从未督查" in html
    assert "录入督查" in html  # an inspector of the bureau checks from here


def test_a_district2_leader_or_inspector_sees_nothing_of_district1s_groups(
        week, group, district2, district2_office, district2_inspector, client_for):
    from tests.conftest import make_user

    d2_leader = make_user("d2-leader", "leader", district2_office, "源汇区领导")
    for user in (d2_leader, district2_inspector):
        client = client_for(user)
        assert client.get(group.get_absolute_url()).status_code == 404
        listing = client.get(reverse("ledgers:group_list")).content.decode()
        assert "第一督导组" not in listing
        assert "郾城区" not in client.get(reverse("ledgers:oversight_list")).content.decode()


def test_group_pages_take_a_fixed_number_of_queries_as_units_grow(year, admin_user, inspector, group, template,
                                                                  client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(inspector)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(group.get_absolute_url()).status_code == 200
            assert client.get(reverse("ledgers:group_list")).status_code == 200
            assert client.get(reverse("ledgers:oversight_list")).status_code == 200
            assert 'data-testid="group-coverage"' in client.get(reverse("reports:dashboard")).content.decode()
        return len(captured)

    def add_units(first, n):
        units = [make_school(f"郾城区第{i}小学", f"s{i:03d}", i) for i in range(first, first + n)]
        service.oversight_set(user=admin_user, year=year, units=units, group=group)
        make_check(inspector, units[0], template, [18, 12, 12])

    add_units(10, 3)
    few = queries()
    add_units(20, 20)
    assert queries() == few


def test_the_admin_sets_ticked_units_on_the_page_and_a_leader_only_reads_it(
        year, admin_user, leader, group, schools, client_for):
    client = client_for(admin_user)
    url = reverse("ledgers:oversight_list")
    response = client.post(url, {"units": [schools[0].pk, schools[1].pk], "leader": leader.pk, "group": group.pk})
    assert response.status_code == 302
    assert set(Oversight.objects.filter(leader=leader, group=group).values_list("unit", flat=True)) == {
        schools[0].pk, schools[1].pk}
    page = client.get(url).content.decode()
    assert "陈志远 包抓 2 个" in page and "第一督导组 2 个" in page
    # Nothing ticked: a Chinese message, nothing written.
    response = client.post(url, {"leader": leader.pk}, follow=True)
    assert "请先勾选单位" in response.content.decode()
    # The leader reads the page; a POST is refused.
    assert client_for(leader).get(url).status_code == 200
    assert client_for(leader).post(url, {"units": [schools[2].pk], "leader": leader.pk}).status_code == 403
    assert not Oversight.objects.filter(unit=schools[2]).exists()


def test_the_bureaus_dashboard_shows_every_groups_coverage(week, group, year, admin_user, inspector, section,
                                                           district2_admin, client_for):
    second = service.group_save(user=admin_user, year=year, name="第二督导组", rhythm="monthly", members=[inspector])
    service.oversight_set(user=admin_user, year=year, units=week[2:], group=second)
    from ledgers.models import Check

    today = into_this_week()
    days = (today - Check.objects.get(unit=week[1]).date).days
    html = client_for(admin_user).get(reverse("reports:dashboard")).content.decode()
    panel = html.split('data-testid="group-coverage"')[1].split("</div>\n</div>")[0]
    first_row = panel.split('data-group="第一督导组"')[1].split("</a>")[0]
    second_row = panel.split('data-group="第二督导组"')[1].split("</a>")[0]
    assert "已督查 1/2" in first_row and f"未督查：郾城区第二实验小学（{days} 天）" in first_row
    assert "已督查 0/2" in second_row and "郾城区第三实验小学（从未督查）" in second_row
    assert f'href="{group.get_absolute_url()}"' in panel
    # Another district's admin: no group of district 1 on theirs.
    assert "第一督导组" not in client_for(district2_admin).get(reverse("reports:dashboard")).content.decode()
