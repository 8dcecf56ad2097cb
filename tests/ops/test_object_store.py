"""The object store (STORAGE_BACKEND=s3, SeaweedFS in bin/test's PostgreSQL + SeaweedFS phase).

- No local disk assumed: the application code never asks a storage for a path (`.path`), never
  `os.open`s media and never names MEDIA_ROOT (a scan of the source, every phase); under s3 every
  test runs with MEDIA_ROOT pointing at a plain file (tests/conftest.py), so any write of media to
  the disk fails — here an upload, its display copy and thumbnail, serving and deleting prove it.
- Files are streamed by the views behind the permission check (docs/operations.md); the store
  itself refuses an expired or forged presigned URL (SeaweedFS is started with an identity, so it
  checks signatures).
"""
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.urls import reverse
from django.utils import timezone

from ledgers.models import Activity, ActivityCategory, ActivityPhoto
from tests.ledgers.checks.factories import jpeg

ROOT = Path(__file__).resolve().parents[2]
APP_DIRS = ["ledgers", "reports", "wenming"]
# `.path` of a storage or a stored file, os.open, MEDIA_ROOT: what only a local disk has.
FORBIDDEN = re.compile(r"\.path\b|\bos\.open\(|MEDIA_ROOT")
ALLOWED = {
    "wenming/settings.py": "MEDIA_ROOT is where local storage keeps files",
    "ledgers/management/commands/backup.py": "result.path is the archive written by the admin",
    "benchmarks/harness.py": "a served benchmark's own temporary MEDIA_ROOT (as the bench_ commands)",
    "benchmarks/http_client.py": "the path of a URL the benchmark's browser is redirected to",
}

s3_only = pytest.mark.skipif(settings.STORAGE_BACKEND != "s3",
                             reason="needs the object store: runs in bin/test's PostgreSQL + SeaweedFS phase")


def test_the_application_code_never_assumes_a_local_disk_for_media():
    found = []
    for folder in APP_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or rel in ALLOWED or "/commands/bench_" in rel:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                if FORBIDDEN.search(code.replace("os.path", "").replace("sys.path", "").replace("request.path", "")):
                    found.append(f"{rel}:{number}: {line.strip()}")
    assert found == []


@s3_only
def test_under_s3_nothing_is_written_to_media_root_and_uploads_live_in_the_store(client_for, liaison, liaison2,
                                                                                 year):
    media_root = Path(settings.MEDIA_ROOT)
    assert media_root.is_file()  # anything writing media to the disk fails, even as root
    ActivityCategory.objects.ensure_defaults()
    client = client_for(liaison)
    response = client.post(reverse("ledgers:activity_create"), {
        "title": "垃圾分类宣传", "category": ActivityCategory.objects.first().pk,
        "date": timezone.localdate().isoformat(), "place": "操场", "participants": "全体师生",
        "organizer": "少先队", "summary": "宣传垃圾分类。", "photos": [jpeg("宣传.jpg", size=(2400, 1800))],
        "photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0", "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000"})
    assert response.status_code == 302, response.content.decode()[-1500:]
    photo = ActivityPhoto.objects.get(activity=Activity.objects.get(title="垃圾分类宣传"))
    assert type(storages["default"]).__name__ == "S3Storage"
    for field in (photo.original, photo.display, photo.thumbnail):
        assert default_storage.exists(field.name)
    assert (photo.width, photo.height) == (2400, 1800)
    # Streamed by the view behind the permission check.
    response = client.get(reverse("ledgers:activity_photo", args=[photo.pk, "display"]))
    assert response.status_code == 200 and b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert client_for(liaison2).get(reverse("ledgers:activity_photo", args=[photo.pk, "display"])).status_code == 404
    names = [photo.original.name, photo.display.name, photo.thumbnail.name]
    photo.delete_files()
    assert not any(default_storage.exists(n) for n in names)
    assert media_root.is_file()


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@s3_only
def test_the_store_refuses_an_expired_or_forged_presigned_url():
    name = default_storage.save("letters/2026/签字扫描.pdf", ContentFile(b"%PDF-1.4 scan"))
    # What the settings hand out: signed, at most five minutes.
    assert default_storage.querystring_expire <= 300
    url = default_storage.url(name, expire=2)
    assert "X-Amz-Signature=" in url
    assert _get(url) == (200, b"%PDF-1.4 scan")
    forged = re.sub(r"X-Amz-Signature=[0-9a-f]", lambda m: m.group(0)[:-1] + ("0" if m.group(0)[-1] != "0" else "1"),
                    url)
    assert _get(forged)[0] == 403
    unsigned = url.split("?", 1)[0]
    assert _get(unsigned)[0] == 403
    time.sleep(3.5)  # a wait for the expiry, not a timing assertion
    status, body = _get(url)
    assert status == 403, body
