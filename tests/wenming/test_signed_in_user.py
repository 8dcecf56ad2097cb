"""The signed-in user is read from the database on every request (wenming.backends), never from a
cache: every change to an account, its unit or its bureau is seen on the next request, by any path
of writing it. The current year is kept per process while no shared table changes."""
import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ledgers import page_view as page_state, versions
from ledgers.models import Bureau, CampaignYear, Role, Unit, User
from tests.ledgers.test_versions import counters, moved


def page(client, url="/problems/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    users = [q for q in queries.captured_queries if 'FROM "ledgers_user"' in q["sql"]]
    return response, len(users)


def test_the_signed_in_user_is_read_on_every_page_view_in_one_query(liaison, client_for):
    client = client_for(liaison)
    first, read = page(client)
    assert first.status_code == 200 and read == 1
    again, read = page(client)  # the page's parts from the cache, the user never
    assert again.status_code == 200 and read == 1


def test_each_page_view_gets_a_copy_of_its_own(year):
    calls = []

    def load():
        calls.append(1)
        return CampaignYear.objects.get(pk=year.pk)

    token = page_state._memo.set({})  # as ActingRequestMiddleware does for a page view
    try:
        one = versions.cached_copy("year", load)
        one.title = "一个请求改了它"
        other = versions.cached_copy("year", load)
    finally:
        page_state._memo.reset(token)
    assert calls == [1] and other is not one and other.title == year.title
    # Outside a page view (a POST, a job, a command) it is read every time.
    versions.cached_copy("year", load)
    assert calls == [1, 1]


@pytest.mark.parametrize("change", [
    pytest.param(lambda user: User.objects.filter(pk=user.pk).update(password=make_password("新密码2026")),
                 id="password changed elsewhere"),
    pytest.param(lambda user: User.objects.filter(pk=user.pk).update(is_active=False), id="deactivated"),
])
def test_a_change_made_past_the_orm_signs_the_cached_user_out_at_once(liaison, client_for, change):
    client = client_for(liaison)
    assert page(client)[0].status_code == 200
    assert page(client)[0].status_code == 200  # the user from the cache
    change(liaison)
    response = page(client)[0]
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_new_unit_or_bureau_name_shows_on_the_next_page(liaison, client_for):
    client = client_for(liaison)
    assert liaison.unit.name in page(client, "/")[0].content.decode()
    Unit.objects.filter(pk=liaison.unit_id).update(name="郾城区更名小学")
    assert "郾城区更名小学" in page(client, "/")[0].content.decode()
    User.objects.filter(pk=liaison.pk).update(role=Role.INSPECTOR)
    menu = page(client, "/")[0].content.decode().split('data-testid="nav"')[1].split("</nav>")[0]
    assert "（督导组 · 郾城区更名小学）" in menu and "单位联络员" not in menu
    Bureau.objects.filter(pk=liaison.unit.bureau_id).update(name="改名教育局")
    assert page(client, "/")[1] == 1  # read again


def other_value(field, value, unit):
    """A value of `field` other than `value`."""
    kind = field.get_internal_type()
    if kind == "BooleanField":
        return not value
    if kind in ("DateTimeField", "DateField"):
        return timezone.now() if kind == "DateTimeField" else timezone.localdate()
    if field.is_relation:
        return unit.pk
    return f"{value or ''}改"[: field.max_length or None]


def test_every_column_of_a_user_but_the_last_login_moves_counter_0(liaison, school_b):
    fields = [f for f in User._meta.concrete_fields if f.column not in ("id", "last_login")]
    for field in fields:
        value = getattr(User.objects.get(pk=liaison.pk), field.attname)
        before = counters()
        User.objects.filter(pk=liaison.pk).update(**{field.attname: other_value(field, value, school_b)})
        assert moved(before, counters()) == {versions.SHARED}, field.column
    before = counters()
    User.objects.filter(pk=liaison.pk).update(last_login=timezone.now())
    assert moved(before, counters()) == set()


def test_the_current_year_is_kept_until_a_year_changes(year):
    from ledgers.models import CampaignYear

    def page_view():  # a fresh request_memo, as each page view gets
        token = page_state._memo.set({})
        try:
            with CaptureQueriesContext(connection) as queries:
                current = CampaignYear.objects.current()
            return current.year, len([q for q in queries.captured_queries if "ledgers_campaignyear" in q["sql"]])
        finally:
            page_state._memo.reset(token)

    assert page_view() == (year.year, 1)
    assert page_view() == (year.year, 0)  # from the cache
    next_year = CampaignYear.objects.create(year=year.year + 1)
    CampaignYear.objects.filter(pk=year.pk).update(is_current=False)
    CampaignYear.objects.filter(pk=next_year.pk).update(is_current=True)
    assert page_view() == (year.year + 1, 1)
