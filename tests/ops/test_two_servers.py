"""Two app servers sharing nothing but PostgreSQL and the object store (SeaweedFS).

Two gunicorn instances on different loopback ports, one "browser" (a cookie jar: cookies are not
per port, as behind a load balancer that sends each request to either server):
- a photo uploaded through server A is shown on the activity page of server B and its original
  downloads there byte for byte; another unit's liaison gets 404 for it on B;
- a session made by logging in on A holds on B; a lockout made by wrong passwords on A holds on B;
- a binder job enqueued through A is run by a `manage.py db_worker` started beside B, and its
  file downloads through B.

Runs in bin/test's "PostgreSQL + SeaweedFS" phase (skipped elsewhere: the servers must share the
test's database and store).
"""
import http.cookiejar
import io
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ledgers.models import Activity, ActivityCategory, ActivityPhoto
from reports.models import Job, JobStatus
from tests.conftest import PASSWORD
from tests.ledgers.checks.factories import jpeg
from tests.ops.servers import gunicorn
from tests.reports.jobs.support import WorkerProcess, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies shared by both servers (same host 127.0.0.1, different ports)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, url, data=None, headers=None):
        req = urllib.request.Request(url, data=data, headers={"Host": "127.0.0.1", **(headers or {})})
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def post(self, url, fields=(), files=()):
        """A form POST with the CSRF cookie and field the login page would give (any page sets it)."""
        if not self.cookie("csrftoken"):
            self.request(url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + "/accounts/login/")
        token = self.cookie("csrftoken")
        fields = [("csrfmiddlewaretoken", token), *fields]
        if files:
            boundary = uuid.uuid4().hex
            body = b""
            for name, value in fields:
                body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, filename, content in files:
                body += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: image/jpeg\r\n\r\n").encode() + content + b"\r\n"
            body += f"--{boundary}--\r\n".encode()
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.request(url, data=body, headers={"Content-Type": content_type, "Referer": url})


@pytest.fixture
def two_servers(tmp_path):
    from django.conf import settings

    if connection.vendor != "postgresql" or settings.STORAGE_BACKEND != "s3":
        pytest.skip("two app servers share PostgreSQL and the object store: runs in bin/test's "
                    "PostgreSQL + SeaweedFS phase (bin/with-postgres bin/with-seaweedfs)")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with gunicorn(tmp_path / "a") as (base_a, _a), gunicorn(tmp_path / "b") as (base_b, _b):
        yield base_a, base_b


def test_two_app_servers_share_photos_sessions_lockouts_and_jobs(two_servers, tmp_path, settings, liaison, liaison2,
                                                                 year, school_a):
    a, b = two_servers
    ActivityCategory.objects.ensure_defaults()
    # The servers run the production hashers (the tests' fast MD5 one is not among them).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    for user in (liaison, liaison2):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    photo_bytes = jpeg("升旗仪式.jpg").read()

    # A session made on A holds on B.
    browser = Browser()
    status, headers, _ = browser.post(a + "/accounts/login/", [("username", "liaison"), ("password", PASSWORD)])
    assert status == 302, status
    assert browser.cookie("sessionid")
    status, _, body = browser.request(b + "/")
    assert status == 200 and "马晓丽" in body.decode()

    # A photo uploaded through A...
    form = [("title", "升旗仪式"), ("category", ActivityCategory.objects.first().pk),
            ("date", timezone.localdate().isoformat()), ("place", "操场"), ("participants", "全体师生"),
            ("organizer", "德育处"), ("summary", "国旗下讲话。"), ("photos-TOTAL_FORMS", "0"),
            ("photos-INITIAL_FORMS", "0"), ("photos-MIN_NUM_FORMS", "0"), ("photos-MAX_NUM_FORMS", "1000")]
    status, _, body = browser.post(a + reverse("ledgers:activity_create"), form,
                                   [("photos", "升旗仪式.jpg", photo_bytes)])
    assert status == 302, body.decode()[-2000:]
    activity = Activity.objects.get(title="升旗仪式")
    photo = ActivityPhoto.objects.get(activity=activity)
    # ...is in the object store, not on a disk...
    assert settings.STORAGES["default"]["BACKEND"].endswith("S3Storage")
    # ...is shown on B's activity page, and its thumbnail and original come from B.
    status, _, body = browser.request(b + activity.get_absolute_url())
    assert status == 200
    thumb_url = reverse("ledgers:activity_photo", args=[photo.pk, "thumb"])
    assert thumb_url in body.decode()
    status, headers, body = browser.request(b + thumb_url)
    assert status == 200 and headers["Content-Type"] == "image/jpeg" and body[:3] == b"\xff\xd8\xff"
    status, headers, body = browser.request(b + reverse("ledgers:activity_photo", args=[photo.pk, "original"]))
    assert status == 200 and body == photo_bytes
    assert "attachment" in headers["Content-Disposition"]

    # Another unit's liaison, logged in on B, gets 404 for it on both servers.
    other = Browser()
    status, _, _ = other.post(b + "/accounts/login/", [("username", "liaison2"), ("password", PASSWORD)])
    assert status == 302
    for base in (a, b):
        for size in ("thumb", "original"):
            status, _, _ = other.request(base + reverse("ledgers:activity_photo", args=[photo.pk, size]))
            assert status == 404

    # A lockout made with wrong passwords on A holds on B, even for the right password.
    attacker = Browser()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        status, _, _ = attacker.post(a + "/accounts/login/", [("username", "liaison2"), ("password", "wrong")])
    late = Browser()
    status, _, body = late.post(b + "/accounts/login/", [("username", "liaison2"), ("password", PASSWORD)])
    assert status != 302 and not late.cookie("sessionid")
    assert "锁定" in body.decode()

    # A job enqueued through A is run by a worker beside B; its file downloads through B.
    Activity.objects.filter(pk=activity.pk).update(status="approved")  # binders hold approved activities
    status, headers, _ = browser.post(a + reverse("reports:binder_zip") + f"?unit={school_a.pk}&year={year.year}")
    assert status == 302, status
    job = Job.objects.get()
    worker = WorkerProcess(tmp_path / "worker.log").start()
    try:
        wait_for(lambda: Job.objects.get(pk=job.pk).status in (JobStatus.DONE, JobStatus.FAILED),
                 message="the worker beside B to run the job")
    finally:
        worker.stop()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    status, headers, body = browser.request(b + reverse("reports:job_file", args=[job.pk]))
    assert status == 200
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert any(re.search(r"升旗仪式", n) for n in names), names
    assert zipfile.ZipFile(io.BytesIO(body)).read(next(n for n in names if n.endswith(".jpg"))) == photo_bytes
