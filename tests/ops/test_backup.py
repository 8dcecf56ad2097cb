"""Backup and restore round-trip the demo bureau and its files (manage.py backup / restore)."""
import hashlib
import json
import tarfile

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from ledgers.models import ActivityPhoto, Unit, User
from tests.conftest import PASSWORD

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
    settings.MEDIA_ROOT = tmp_path / "new-media"
    assert User.objects.count() == 0

    call_command("restore", str(archive), stdout=open("/dev/null", "w"))
    assert counts() == before
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
