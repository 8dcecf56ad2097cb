"""Smaller reliability rules: nothing private stays in a browser's cache, read-only report pages
refuse POST, and a restarted PostgreSQL does not cost anyone a 500."""
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from reports.summaries import Month
from tests.ledgers.activities.conftest import add_photo, make_activity
from tests.ledgers.activities.conftest import category  # noqa: F401 (fixture)
from tests.ops.servers import gunicorn, request


def test_logged_in_pages_and_photos_are_never_stored_in_the_browser_cache(liaison, school_a, category, year,
                                                                          client_for):
    activity = make_activity(school_a, liaison, category, year)
    photo = add_photo(activity, liaison)
    client = client_for(liaison)
    for url in (reverse("home"), activity.get_absolute_url(),
                reverse("ledgers:activity_photo", args=[photo.pk, "thumb"]),
                reverse("ledgers:activity_photo", args=[photo.pk, "original"])):
        response = client.get(url)
        assert response.status_code == 200, url
        cache = response["Cache-Control"]
        assert "no-store" in cache and "private" in cache and "max-age=3600" not in cache, (url, cache)


def test_monthly_preview_and_other_report_reads_answer_post_with_405(client_for, admin_user, year):
    month = Month(2026, 5)
    client = client_for(admin_user)
    for url in (reverse("reports:monthly", args=[month]), reverse("reports:monthly_pdf", args=[month]),
                reverse("reports:monthly_xlsx", args=[month]), reverse("reports:monthly_index"),
                reverse("reports:dashboard")):
        assert client.post(url).status_code == 405, url
    assert client.get(reverse("reports:monthly", args=[month])).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_after_postgresql_drops_every_connection_the_next_request_is_answered(tmp_path, liaison):
    """The server's connections are cut (as a PostgreSQL restart does) while gunicorn holds a
    persistent connection: the next request reconnects (CONN_HEALTH_CHECKS) instead of a 500."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (pg_terminate_backend); runs in bin/test's PostgreSQL phase")
    browser = Client()
    browser.force_login(liaison)
    session = browser.cookies["sessionid"].value
    with gunicorn(tmp_path, workers=1, CONN_MAX_AGE="600") as (base, _server):
        for _ in range(3):  # the worker now holds a persistent connection
            assert request(base, "/", session=session)[0] == 200
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            killed = len(cursor.fetchall())
        assert killed >= 1
        status, _headers, body = request(base, "/", session=session)
        assert status == 200, body.decode()[:500]
        assert liaison.name in body.decode()  # the home page, signed in
