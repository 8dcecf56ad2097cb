"""Backups: one consistent snapshot of the database and the files its rows reference, verified.

`make_backup(path)` writes a .tar.gz holding
- `data.json`: every app (users and the audit trail included; content types, permissions,
  sessions and login-attempt logs left out, `migrate` rebuilds or does not need them), foreign
  keys by natural key so it loads on SQLite or PostgreSQL, timestamps to the microsecond;
- `media/<name>`: every stored file a row references at the snapshot's instant, read through
  the storage API (so object storage works the same); files no row references (orphans) are not
  copied;
- `manifest.json`: format, time, database, row count per model, and per file its size and sha256.

Consistency: every read happens in one snapshot. SQLite: the online backup API copies the
database file in one step (writers wait meanwhile), and everything is read from that copy.
PostgreSQL: one REPEATABLE READ, READ ONLY transaction spans every query, so rows committed
after it began are invisible to all of them.

Verification (`verify_archive`, run by `backup` before it reports success, and by
`manage.py verify_backup`): the archive is read back from disk; every file's sha256 must match
the manifest and no referenced file may be missing; `data.json` is loaded into an empty scratch
database (SQLite, in memory, with the current models' tables) whose foreign keys must all resolve; every model's row
count there must equal the manifest's.
"""
import hashlib
import io
import json
import sqlite3
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers import base as serializer_base
from django.core.serializers.json import Deserializer as JSONDeserializer
from django.core.files.storage import default_storage
from django.core.management.sql import emit_post_migrate_signal
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import connections, transaction
from django.db.models.signals import m2m_changed
from django.db.utils import load_backend
from django.utils import timezone

from ledgers.files import ReadAhead, referenced_file_names

FORMAT = 2
# Rebuilt by `migrate` (content types, permissions, the queued daily upkeep) or not worth
# keeping (sessions, login attempt logs, the job queue): leaving them out keeps the dump loadable
# into a freshly migrated install.
EXCLUDED_APPS = {"contenttypes", "sessions", "axes", "django_tasks_database"}
EXCLUDED_MODELS = {"auth.Permission"}
SNAPSHOT_ALIAS = "backup_snapshot"
VERIFY_ALIAS = "backup_verify"
CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


# --- exact timestamps -----------------------------------------------------------------------

class ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts datetimes and times to milliseconds; keep every digit."""

    def default(self, o):
        if isinstance(o, datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, time):
            return o.isoformat()
        return super().default(o)


# --- what is backed up ----------------------------------------------------------------------

def backed_up_models():
    """Concrete models in dependency order (natural keys: referenced models first)."""
    app_list = {config: None for config in apps.get_app_configs() if config.label not in EXCLUDED_APPS}
    ordered = serializers.sort_dependencies(app_list.items(), allow_cycles=True)
    return [m for m in ordered if not m._meta.proxy and m._meta.label not in EXCLUDED_MODELS
            and m._meta.app_label not in EXCLUDED_APPS]


def model_counts(alias):
    return {m._meta.label: m._base_manager.using(alias).count() for m in backed_up_models()}


def referenced_files(alias):
    """Every stored file name a row references at the snapshot (orphans are not backed up)."""
    return sorted(referenced_file_names(alias))


def _natural_foreign_keys(model):
    """Foreign keys written as the related row's natural key (a user's username)."""
    return [f.name for f in model._meta.concrete_fields
            if f.many_to_one and hasattr(f.remote_field.model, "natural_key")]


def dump(alias, stream):
    def objects():
        for model in backed_up_models():
            # The rows a natural foreign key names come in the same query (one query per model,
            # not one per row and user).
            rows = model._base_manager.using(alias).select_related(*_natural_foreign_keys(model))
            yield from rows.order_by(model._meta.pk.name).iterator(chunk_size=2000)

    JSONSerializer().serialize(objects(), stream=stream, use_natural_foreign_keys=True,
                               use_natural_primary_keys=False, cls=ExactEncoder)


# --- the snapshot ---------------------------------------------------------------------------

def _add_alias(alias, **overrides):
    """A connection of its own under `alias` (the snapshot copy, the scratch database)."""
    settings_dict = {**connections["default"].settings_dict, **overrides}
    connections[alias] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    return alias


def _drop_alias(alias):
    try:
        connections[alias].close()
    finally:
        del connections[alias]


@contextmanager
def snapshot(tmp):
    """A database alias from which every read sees one instant of the default database."""
    default = connections["default"]
    if default.vendor == "sqlite":
        copy = Path(tmp) / "snapshot.sqlite3"
        default.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            default.connection.backup(target)  # one step: the whole file at one instant
        finally:
            target.close()
        alias = _add_alias(SNAPSHOT_ALIAS, NAME=str(copy), OPTIONS={}, CONN_MAX_AGE=0)
        try:
            yield alias
        finally:
            _drop_alias(alias)
    elif default.vendor == "postgresql":
        # Own connection, so a caller's open transaction is not disturbed.
        alias = _add_alias(SNAPSHOT_ALIAS, CONN_MAX_AGE=0)
        try:
            with transaction.atomic(using=alias):
                with connections[alias].cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield alias
        finally:
            _drop_alias(alias)
    else:  # pragma: no cover - the product runs on SQLite or PostgreSQL
        raise BackupError(f"不支持的数据库：{default.vendor}")


# --- writing --------------------------------------------------------------------------------

class _Hashing:
    """A file object that hashes what tarfile reads from it."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_bytes(archive, name, payload, mtime):
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    info.mtime = mtime
    archive.addfile(info, io.BytesIO(payload))


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    rows: int
    files: int
    missing: list = field(default_factory=list)


def make_backup(output, *, verify=True):
    output = Path(output)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.json"
        with snapshot(tmp) as alias:
            created = timezone.now()
            with open(data, "w", encoding="utf-8") as stream:
                dump(alias, stream)
            counts = model_counts(alias)
            names = referenced_files(alias)
        files, missing = {}, []
        data_hash = hashlib.sha256(data.read_bytes()).hexdigest()
        partial = output.with_name(output.name + ".partial")
        mtime = int(created.timestamp())
        names = list(names)
        # From an object store the files are fetched a few at a time ahead of the archive (ReadAhead).
        with tarfile.open(partial, "w:gz") as archive, ReadAhead(default_storage, names) as stored:
            archive.add(data, arcname="data.json")
            for name in names:
                try:
                    handle = stored.open(name)
                    size = handle.seek(0, io.SEEK_END)
                    handle.seek(0)
                except (FileNotFoundError, OSError):
                    missing.append(name)  # deleted since the snapshot, or already lost
                    continue
                with handle:
                    info = tarfile.TarInfo(f"media/{name}")
                    info.size = size
                    info.mtime = mtime
                    reader = _Hashing(handle)
                    archive.addfile(info, reader)
                files[name] = {"size": size, "sha256": reader.digest.hexdigest()}
            manifest = {
                "format": FORMAT, "created": created.isoformat(), "database": connections["default"].vendor,
                "models": counts, "rows": sum(counts.values()), "data_sha256": data_hash,
                "files": files, "missing_files": missing,
            }
            # Last, so that a reader that finds it knows the archive is complete.
            _add_bytes(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode(), mtime)
        if verify:
            try:
                verify_archive(partial)
            except BackupError:
                partial.unlink(missing_ok=True)
                raise
        partial.replace(output)
    return BackupResult(path=output, manifest=manifest, rows=manifest["rows"], files=len(files), missing=missing)


# --- reading back ---------------------------------------------------------------------------

def read_manifest(tar):
    try:
        manifest = json.load(tar.extractfile("manifest.json"))
    except (KeyError, ValueError, TypeError, AttributeError):
        raise BackupError("这不是 wenming 的备份文件（缺少 manifest.json）。")
    if manifest.get("format") not in (1, FORMAT):
        raise BackupError(f"不支持的备份格式：{manifest.get('format')}")
    return manifest


def safe_media_name(member_name):
    name = PurePosixPath(member_name).relative_to("media").as_posix()
    if ".." in PurePosixPath(name).parts or name.startswith("/"):
        raise BackupError(f"备份文件中有不安全的路径：{member_name}")
    return name


@dataclass
class Verification:
    rows: int
    files: int
    models: dict


def verify_archive(path):
    """Check an archive as described in the module docstring; BackupError on any mismatch."""
    try:
        tar = tarfile.open(path, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法读取备份文件 {path}：{exc}")
    with tar, tempfile.TemporaryDirectory() as tmp:
        manifest = read_manifest(tar)
        if manifest.get("format") != FORMAT:
            raise BackupError("旧格式（第 1 版）的备份没有文件指纹，无法校验。")
        expected = manifest["files"]
        seen = {}
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith("media/"):
                continue
            name = safe_media_name(member.name)
            digest = hashlib.sha256()
            handle = tar.extractfile(member)
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
            seen[name] = digest.hexdigest()
        problems = [f"文件 {n} 缺失" for n in expected if n not in seen]
        problems += [f"文件 {n} 内容与清单不符" for n in expected if n in seen and seen[n] != expected[n]["sha256"]]
        problems += [f"文件 {n} 不在清单中" for n in seen if n not in expected]
        data = Path(tmp) / "data.json"
        data.write_bytes(tar.extractfile("data.json").read())
        if hashlib.sha256(data.read_bytes()).hexdigest() != manifest["data_sha256"]:
            problems.append("data.json 与清单中的指纹不符")
        if problems:
            raise BackupError("备份校验失败：" + "；".join(problems[:20]))
        counts = _load_into_scratch(data)
        wrong = {label: (n, counts.get(label)) for label, n in manifest["models"].items() if counts.get(label) != n}
        if wrong:
            detail = "；".join(f"{label} 清单 {n} 条、载入 {got} 条" for label, (n, got) in list(wrong.items())[:20])
            raise BackupError("备份校验失败：" + detail)
        return Verification(rows=sum(counts.values()), files=len(seen), models=counts)


def _create_schema(alias):
    """The current models' tables, created directly (what `migrate --run-syncdb` does; replaying
    every migration would take ten times longer), then content types and permissions as after
    `migrate` (rows that natural keys in data.json may point at)."""
    with connections[alias].schema_editor() as editor:
        for app_config in apps.get_app_configs():
            for model in app_config.get_models():
                if model._meta.managed and not model._meta.proxy and not model._meta.swapped:
                    editor.create_model(model)
    emit_post_migrate_signal(0, False, alias)


def _load_into_scratch(data):
    """Load data.json into an empty in-memory SQLite database; its row counts."""
    alias = _add_alias(VERIFY_ALIAS, ENGINE="django.db.backends.sqlite3", NAME=":memory:", OPTIONS={},
                       CONN_MAX_AGE=0, TEST={})
    try:
        _create_schema(alias)
        try:
            with transaction.atomic(using=alias):
                load_data(data, alias)
        except Exception as exc:  # noqa: BLE001 - IntegrityError, DeserializationError, ...
            raise BackupError(f"备份校验失败：数据无法载入空数据库（{exc}）")
        return model_counts(alias)
    finally:
        _drop_alias(alias)


# --- loading data.json ----------------------------------------------------------------------

class _Deserializer(JSONDeserializer):
    """Django's JSON deserializer, with each natural key (a user's username) looked up once per
    load instead of once per row that names it. `before_lookup` runs before a lookup reaches the
    database (the loader writes the rows it holds back first, so that they can be found)."""

    def __init__(self, stream, *, before_lookup, **options):
        super().__init__(stream, **options)
        self.before_lookup = before_lookup
        self.natural = {}

    def _cached(self, model, field_name, value, lookup):
        if not isinstance(value, (list, tuple)):
            return lookup()
        key = (model, field_name, tuple(value))
        if key not in self.natural:
            self.before_lookup()
            result = lookup()
            if result == serializer_base.DEFER_FIELD:
                return result  # not loaded yet: saved at the end, as by loaddata
            self.natural[key] = result
        return self.natural[key]

    def _handle_fk_field_node(self, field, field_value):
        return self._cached(field.remote_field.model, field.remote_field.field_name, field_value,
                            lambda: super(_Deserializer, self)._handle_fk_field_node(field, field_value))

    def _handle_m2m_field_node(self, field, field_value):
        if not any(isinstance(v, (list, tuple)) for v in field_value or ()):
            return super()._handle_m2m_field_node(field, field_value)
        values = []
        for value in field_value:
            pks = self._cached(field.remote_field.model, "pk", value, lambda: serializer_base.deserialize_m2m_values(
                field, [value], self.using, self.handle_forward_references))
            if pks == serializer_base.DEFER_FIELD:
                return pks
            values += pks
        return values


class _Loader:
    """Writes deserialized rows a batch at a time (one INSERT for many rows of a model)."""

    def __init__(self, alias):
        self.alias = alias
        self.connection = connections[alias]
        self.pending = []  # DeserializedObjects of one model, not yet written
        self.models = set()
        self.had_rows = {}  # model -> whether its table held rows before the load
        self.deferred = []
        self.count = 0

    def add(self, obj):
        if self.pending and type(self.pending[0].object) is not type(obj.object):
            self.flush()
        self.pending.append(obj)
        if obj.deferred_fields:
            self.deferred.append(obj)
        self.count += 1
        if len(self.pending) >= 2000:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        objs, self.pending = self.pending, []
        model = type(objs[0].object)
        self.models.add(model)
        manager = model._base_manager.using(self.alias)
        if model not in self.had_rows:
            self.had_rows[model] = manager.exists()
        existing = set()
        if self.had_rows[model]:  # rows made by `migrate` (say): updated as loaddata would
            existing = set(manager.filter(pk__in=[o.object.pk for o in objs]).values_list("pk", flat=True))
            for obj in objs:
                if obj.object.pk in existing:
                    obj.save(using=self.alias)
        new = [o for o in objs if o.object.pk not in existing]
        fields = model._meta.local_concrete_fields
        instances = [o.object for o in new]
        size = max(1, self.connection.ops.bulk_batch_size(fields, instances))
        for start in range(0, len(instances), size):
            # raw=True: the values as they are in the file (no auto_now, no defaults), the same
            # INSERT a raw save (loaddata) makes, for many rows at once.
            manager._insert(instances[start:start + size], fields=fields, using=self.alias, raw=True)
        for obj in new:
            for name, pks in (obj.m2m_data or {}).items():
                field = model._meta.get_field(name)
                through = field.remote_field.through
                if m2m_changed.has_listeners(through):
                    getattr(obj.object, name).set(pks)
                    continue
                source = through._meta.get_field(field.m2m_field_name()).attname
                target = through._meta.get_field(field.m2m_reverse_field_name()).attname
                through._base_manager.using(self.alias).bulk_create(
                    [through(**{source: obj.object.pk, target: pk}) for pk in dict.fromkeys(pks)])
            obj.m2m_data = None


def load_data(path, alias):
    """Load a backup's data.json into the database `alias` as `manage.py loaddata` does (raw rows,
    natural keys, forward references, foreign keys checked, sequences reset), but with one INSERT
    per batch of rows instead of an UPDATE and an INSERT per row. Returns the number of rows.
    Run it inside a transaction."""
    connection = connections[alias]
    loader = _Loader(alias)
    with open(path, "rb") as stream, connection.constraint_checks_disabled():
        for obj in _Deserializer(stream, using=alias, handle_forward_references=True, before_lookup=loader.flush):
            loader.add(obj)
        loader.flush()
        for obj in loader.deferred:
            obj.save_deferred_fields(using=alias)
    connection.check_constraints(table_names=[model._meta.db_table for model in loader.models])
    if loader.count:
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), loader.models):
                cursor.execute(sql)
    return loader.count
