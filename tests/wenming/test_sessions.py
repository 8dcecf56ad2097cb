"""Sessions end after SESSION_COOKIE_AGE idle, but are not written on every request (wenming.sessions)."""
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benchmarks.management.commands.bench_pages import parse_wrk
from tests.conftest import PASSWORD


def writes(queries):
    return [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


def test_pages_within_the_minute_do_not_write_the_session(client, liaison, settings):
    client.post(reverse("login"), {"username": "liaison", "password": PASSWORD})
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert writes(queries) == []
    assert "sessionid" not in client.get(reverse("home")).cookies  # no new cookie either


def test_a_session_idle_for_over_a_minute_is_pushed_forward_with_its_cookie(client, liaison, settings):
    client.post(reverse("login"), {"username": "liaison", "password": PASSWORD})
    Session.objects.update(expire_date=timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 90))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE
    assert Session.objects.get().expire_date > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 5)


def test_bench_pages_reads_wrk_output():
    out = """Running 10s test @ http://127.0.0.1:8000/
  2 threads and 16 connections
  Latency Distribution
     50%   18.00ms
     75%   25.10ms
     90%   30.00ms
     99%    1.20s
  8510 requests in 10.00s, 20.00MB read
  Socket errors: connect 0, read 0, write 0, timeout 3
  Non-2xx or 3xx responses: 2
Requests/sec:    851.23
"""
    assert parse_wrk(out) == {"rps": 851.23, "p50": 18.0, "p99": 1200.0, "errors": 5}
