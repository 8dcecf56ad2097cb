"""A real gunicorn serving this checkout, for tests that need real worker processes (a worker
killed mid-upload, persistent database connections across a server restart)."""
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection

from tests.ops.test_production import production_env
from benchmarks import serving


def database_url():
    """The URL of the database this test runs on (pytest-django's test database)."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return f"sqlite:///{s['NAME']}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to the login page, say) is an answer of its own


_opener = urllib.request.build_opener(_NoRedirect)


def request(base, path, *, session=None, data=None, headers=None, timeout=30):
    """(status, headers, body) of one request, redirects not followed; HTTP errors are answers too."""
    all_headers = {"Host": "127.0.0.1"}
    if session:
        all_headers["Cookie"] = f"sessionid={session}"
    all_headers.update(headers or {})
    req = urllib.request.Request(base + path, data=data, headers=all_headers)
    try:
        with _opener.open(req, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@contextmanager
def gunicorn(tmp_path, *, workers=1, **env):
    """Serve the app with gunicorn on a free loopback port; yields (base URL, process). It serves
    the test's database unless `DATABASE_URL` is given."""
    # DEBUG=1: plain static storage, no collectstatic needed (headers and errors are what matter here).
    # The test's SECRET_KEY, so that sessions made with Client.force_login are valid there.
    env.setdefault("DATABASE_URL", database_url())
    environment = production_env(tmp_path, DEBUG="1", SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0",
                                 SECRET_KEY=settings.SECRET_KEY, **env)
    try:
        with serving.gunicorn("wenming.wsgi", environment, tmp_path / "gunicorn.log", workers=workers,
                              args=("--control-socket", str(tmp_path / "gunicorn.ctl"))) as started:
            yield started
    except serving.ServerDidNotStart as error:
        pytest.fail(str(error))
