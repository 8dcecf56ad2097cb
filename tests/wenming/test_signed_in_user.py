"""The signed-in user is kept per process while counter 0 of the data versions stays the same
(wenming.backends, ledgers.versions.cached_copy): every change to an account, its unit or its
bureau is seen on the next request, by any path of writing it. The current year is kept the same way."""
import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledgers import access, versions
from ledgers.models import Bureau, Role, Unit, User
from tests.ledgers.test_versions import counters, moved


def page(client, url="/problems/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    users = [q for q in queries.captured_queries if 'FROM "ledgers_user"' in q["sql"]]
    return response, len(users)


def test_a_cached_user_costs_no_user_query(liaison, client_for):
    client = client_for(liaison)
    first, read = page(client)
    assert first.status_code == 200 and read == 1
    again, read = page(client)
    assert again.status_code == 200 and read == 0  # from the cache


def test_each_page_view_gets_a_copy_of_its_own(liaison):
    calls = []

    def load():
        calls.append(1)
        return User.objects.select_related("unit__bureau").get(pk=liaison.pk)

    token = access._memo.set({})  # as ActingRequestMiddleware does for a page view
    try:
        one = versions.cached_copy("signed-in user", load, liaison.pk)
        one.name = "一个请求改了它"
        one.unit.name = "也改了单位"
        other = versions.cached_copy("signed-in user", load, liaison.pk)
    finally:
        access._memo.reset(token)
    assert calls == [1] and other is not one
    assert (other.name, other.unit.name, other.unit.bureau.pk) == ("马晓丽", liaison.unit.name, liaison.unit.bureau_id)
    # Outside a page view (a POST, a job, a command) it is read every time.
    versions.cached_copy("signed-in user", load, liaison.pk)
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


def test_every_column_of_a_user_but_the_last_login_moves_counter_0(liaison):
    columns = [f.column for f in User._meta.concrete_fields if f.column not in ("id", "last_login")]
    for column in columns:
        before = counters()
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE ledgers_user SET {column} = {column} WHERE id = %s", [liaison.pk])
        assert moved(before, counters()) == {versions.SHARED}, column
    before = counters()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledgers_user SET last_login = last_login WHERE id = %s", [liaison.pk])
    assert moved(before, counters()) == set()


def test_the_current_year_is_kept_until_a_year_changes(year):
    from ledgers.models import CampaignYear

    def page_view():  # a fresh request_memo, as each page view gets
        token = access._memo.set({})
        try:
            with CaptureQueriesContext(connection) as queries:
                current = CampaignYear.objects.current()
            return current.year, len([q for q in queries.captured_queries if "ledgers_campaignyear" in q["sql"]])
        finally:
            access._memo.reset(token)

    assert page_view() == (year.year, 1)
    assert page_view() == (year.year, 0)  # from the cache
    next_year = CampaignYear.objects.create(year=year.year + 1)
    CampaignYear.objects.filter(pk=year.pk).update(is_current=False)
    CampaignYear.objects.filter(pk=next_year.pk).update(is_current=True)
    assert page_view() == (year.year + 1, 1)
