"""Backup and restore round-trip the demo bureau and its files (manage.py backup / restore)."""
import json
import tarfile

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from ledgers.models import Unit, User
from tests.conftest import PASSWORD

PHOTO = bytes(range(256)) * 40 + "活动照片".encode()


def counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.app_label in ("ledgers", "reports", "wenming") and not m._meta.proxy}


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_demo_data_and_files(tmp_path, settings):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    unit = Unit.objects.order_by("pk").first()
    unit.contact_name = "李老师"
    unit.save()  # one more history row
    name = default_storage.save("photos/2026/05/升旗仪式.jpg", ContentFile(PHOTO))
    before = counts()
    files_before = sum(1 for path in settings.MEDIA_ROOT.rglob("*") if path.is_file())
    assert before["ledgers.User"] >= 5 and before["ledgers.HistoricalUnit"] > before["ledgers.Unit"]

    archive = tmp_path / "wenming.tar.gz"
    call_command("backup", output=str(archive), stdout=open("/dev/null", "w"))
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert f"media/{name}" in tar.getnames()
    assert manifest["files"] == files_before and manifest["models"]["ledgers.Unit"] == before["ledgers.Unit"]

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


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_with_data_unless_forced(tmp_path, school_a):
    archive = tmp_path / "wenming.tar.gz"
    call_command("backup", output=str(archive), stdout=open("/dev/null", "w"))
    Unit.objects.create(name="新增学校", kind="school", code="new")
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(archive))
    assert Unit.objects.filter(code="new").exists()
    call_command("restore", str(archive), force=True, stdout=open("/dev/null", "w"))
    assert list(Unit.objects.values_list("code", flat=True)) == ["school01"]


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, db):
    bogus = tmp_path / "x.tar.gz"
    with tarfile.open(bogus, "w:gz"):
        pass
    with pytest.raises(CommandError, match="不是 wenming 的备份文件"):
        call_command("restore", str(bogus))
