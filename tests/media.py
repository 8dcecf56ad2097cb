"""Storage-agnostic helpers for tests that look at stored files: the same test runs with files on
the local disk (SQLite phase) and in the S3 object store (bin/test's PostgreSQL + SeaweedFS phase,
STORAGE_BACKEND=s3, each test under its own key prefix: tests/conftest.py)."""
import os
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage, storages
from django.utils import timezone

from ledgers.files import walk_storage

_aged = {}


def is_s3():
    return settings.STORAGE_BACKEND == "s3"


def current_storage():
    """A storage for where files go now (kept valid after `switch_to_empty_media`)."""
    return storages.create_storage({**settings.STORAGES["default"], **(
        {} if is_s3() else {"OPTIONS": {"location": str(settings.MEDIA_ROOT)}})})


def switch_to_empty_media(settings, tmp_path, name):
    """An empty media store from now on, as a fresh install has: a new MEDIA_ROOT on disk, a new
    key prefix in the bucket."""
    if is_s3():
        default = settings.STORAGES["default"]
        options = {**default["OPTIONS"], "location": f"{default['OPTIONS']['location']}-{name}"}
        settings.STORAGES = {**settings.STORAGES, "default": {**default, "OPTIONS": options}}
    else:
        settings.MEDIA_ROOT = tmp_path / name


def stored_names(storage=None):
    return sorted(walk_storage(storage or default_storage))


def age(name, days, storage=None):
    """Make a stored file look `days` old to code that asks the storage its modified time. On disk
    its mtime is set back; an object store's LastModified cannot be changed, so the storage's
    answer for that name is (the test's stand-in for waiting that long)."""
    storage = storage or default_storage
    when = timezone.now() - timedelta(days=days)
    if not is_s3():
        os.utime(storage.path(name), (when.timestamp(), when.timestamp()))
        return
    from storages.backends.s3 import S3Storage

    if not getattr(S3Storage.get_modified_time, "_aged", False):
        original = S3Storage.get_modified_time

        def get_modified_time(self, file_name):
            aged = _aged.get((self.location, file_name))
            return aged if aged is not None else original(self, file_name)

        get_modified_time._aged = True
        S3Storage.get_modified_time = get_modified_time
    _aged[(storage.location, name)] = when
