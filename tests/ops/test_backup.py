"""Backup and restore round-trip the demo bureau and its files (manage.py backup / restore)."""
import hashlib
import io
import json
import tarfile

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from ledgers.models import ActivityPhoto, Unit, User
from tests.conftest import PASSWORD
from ledgers.backup import dump
from tests.media import switch_to_empty_media

BACKUP_DATABASES = ["default", "backup_snapshot", "backup_verify"]
PHOTO = bytes(range(256)) * 40 + "活动照片".encode()


def counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.app_label in ("ledgers", "reports", "wenming") and not m._meta.proxy}


@pytest.mark.django_db(transaction=True, databases=BACKUP_DATABASES)
def test_backup_and_restore_round_trip_demo_data_and_files(tmp_path, settings):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    unit = Unit.objects.order_by("pk").first()
    unit.contact_name = "李老师"
    unit.save()  # one more history row
    name = default_storage.save("photos/2026/05/升旗仪式.jpg", ContentFile(PHOTO))
    ActivityPhoto.objects.filter(pk=ActivityPhoto.objects.order_by("pk").first().pk).update(original=name)
    orphan = default_storage.save("photos/2026/05/没有记录引用.jpg", ContentFile(b"orphan"))
    before = counts()
    assert before["ledgers.User"] >= 5 and before["ledgers.HistoricalUnit"] > before["ledgers.Unit"]

    archive = tmp_path / "wenming.tar.gz"
    call_command("backup", output=str(archive), stdout=open("/dev/null", "w"))
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert f"media/{name}" in tar.getnames()
        assert f"media/{orphan}" not in tar.getnames()  # no row references it
    assert manifest["files"][name]["sha256"] == hashlib.sha256(PHOTO).hexdigest()
    assert manifest["models"]["ledgers.Unit"] == before["ledgers.Unit"]

    # An empty install: a fresh database (migrated) and an empty media folder.
    call_command("flush", interactive=False, verbosity=0)
    switch_to_empty_media(settings, tmp_path, "new-media")
    assert User.objects.count() == 0

    call_command("restore", str(archive), stdout=open("/dev/null", "w"))
    assert counts() == before
    # Every row comes back with every value: the restored database dumps to the archive's data.json.
    with tarfile.open(archive) as tar:
        saved = json.load(tar.extractfile("data.json"))
    again = io.StringIO()
    dump("default", again)
    restored_rows = json.loads(again.getvalue())
    assert len(saved) >= sum(before.values())
    assert restored_rows == saved
    with default_storage.open(name, "rb") as restored:
        assert restored.read() == PHOTO
    assert Unit.objects.get(pk=unit.pk).contact_name == "李老师"
    assert User.objects.get(username="admin").check_password(PASSWORD)


@pytest.mark.django_db(transaction=True, databases=BACKUP_DATABASES)
def test_restore_refuses_a_database_with_data_unless_forced(tmp_path, school_a):
    archive = tmp_path / "wenming.tar.gz"
    call_command("backup", output=str(archive), stdout=open("/dev/null", "w"))
    Unit.objects.create(name="新增学校", kind="school", code="new")
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(archive))
    assert Unit.objects.filter(code="new").exists()
    call_command("restore", str(archive), force=True, stdout=open("/dev/null", "w"))
    assert list(Unit.objects.values_list("code", flat=True)) == ["school01"]


@pytest.mark.django_db(databases=BACKUP_DATABASES)
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "x.tar.gz"
    with tarfile.open(bogus, "w:gz"):
        pass
    with pytest.raises(CommandError, match="不是 wenming 的备份文件"):
        call_command("restore", str(bogus))


@pytest.mark.django_db(transaction=True, databases=BACKUP_DATABASES)
def test_timestamps_survive_a_backup_to_the_microsecond(tmp_path, liaison):
    """DjangoJSONEncoder cuts datetimes to milliseconds; a backup keeps every digit."""
    from datetime import datetime, timezone as tz

    exact = datetime(2026, 5, 6, 10, 32, 15, 123457, tzinfo=tz.utc)
    User.objects.filter(pk=liaison.pk).update(date_joined=exact, last_login=exact)
    archive = tmp_path / "wenming.tar.gz"
    call_command("backup", output=str(archive), stdout=open("/dev/null", "w"))
    with tarfile.open(archive) as tar:
        assert "2026-05-06T10:32:15.123457Z" in tar.extractfile("data.json").read().decode()
    call_command("verify_backup", str(archive), stdout=open("/dev/null", "w"))
    call_command("flush", interactive=False, verbosity=0)
    call_command("restore", str(archive), stdout=open("/dev/null", "w"))
    restored = User.objects.get(username="liaison")
    assert restored.date_joined == exact and restored.last_login == exact


@pytest.mark.django_db(transaction=True, databases=BACKUP_DATABASES)
def test_verify_backup_catches_a_damaged_file(tmp_path, liaison, school_a):
    name = default_storage.save("files/2026/05/scan.pdf", ContentFile(b"%PDF-1.4 signed"))
    from ledgers.models import Activity, ActivityCategory, CampaignYear

    year = CampaignYear.objects.create(year=2026, title="2026年度", is_current=True)
    activity = Activity.objects.create(unit=school_a, year=year, category=ActivityCategory.objects.ensure_defaults().first(),
                                       created_by=liaison, title="升旗", date="2026-05-06")
    ActivityPhoto.objects.create(activity=activity, original=name, display=name, thumbnail=name, original_name="a.jpg",
                                 sha256="x", uploaded_by=liaison)
    archive = tmp_path / "wenming.tar.gz"
    call_command("backup", output=str(archive), stdout=open("/dev/null", "w"))
    # Rewrite the archive with one file's bytes changed (same size): verification must say so.
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == f"media/{name}":
                data = data.replace(b"signed", b"forged")
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="内容与清单不符"):
        call_command("verify_backup", str(damaged))
    # A dump read table after table while rows were added (the old failure): a photo whose
    # activity is not in it. Verification loads it and refuses it, even with a matching manifest.
    torn = tmp_path / "torn.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(torn, "w:gz") as dst:
        manifest = json.load(src.extractfile("manifest.json"))
        rows = json.loads(src.extractfile("data.json").read())
        rows = [r for r in rows if r["model"] != "ledgers.activity"]
        data = json.dumps(rows).encode()
        manifest["data_sha256"] = hashlib.sha256(data).hexdigest()
        manifest["models"]["ledgers.Activity"] = 0
        for member in src.getmembers():
            payload = {"data.json": data, "manifest.json": json.dumps(manifest).encode()}.get(member.name)
            payload = payload if payload is not None else src.extractfile(member).read()
            member.size = len(payload)
            dst.addfile(member, io.BytesIO(payload))
    with pytest.raises(CommandError, match="数据无法载入空数据库"):
        call_command("verify_backup", str(torn))
