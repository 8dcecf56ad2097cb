"""Data versions: a key that changes whenever the records behind a cached part of a page change,
by any path, and a cache of parts keyed by it.

**What moves a version.** Triggers on every table a unit's figures are read from append one row
(unit id) to the change log `ledgers_datachange` per statement and unit they touch; writes to shared
tables (indicators, tasks, units, people …) append unit 0 (`SHARED`). The database does it, so no
write escapes: `.update()`, `bulk_create()`, cascades, raw SQL, jobs and other servers all count.
Writers only ever *insert* log rows: no transaction waits on another for its bookkeeping, so the
bookkeeping can never deadlock (an earlier design updated shared counter rows inside users'
transactions, in whatever order they wrote, and deadlocked under mixed writes). Now and then the
log is folded into per-unit totals (`ledgers_dataversion`) by `compact()`, in one statement that
keeps every sum the same.

**The key.** `stamp(scope)` = (the database's identity, the count of changes of the scope's units and
of unit 0). Within one database timeline counts only grow with every commit, so a key is never
reused for other data. The identity covers what takes the counts back:
- PostgreSQL: the cluster's system identifier, its timeline (point-in-time recovery and a promoted
  replica start a new one), the database's OID (a database dropped and made again by `pg_restore`),
  and the transaction id that wrote the `ledgers_dataepoch` row (`pg_restore --clean` into the same
  database writes it again; transaction ids only grow in a cluster);
- both databases: the epoch row's random token, renewed by `manage.py restore` and whenever
  `migrate` changed anything (writes while triggers were being made count nothing);
- SQLite: the database file's device and inode (a file copied back is a new file).

**What is cached.** Results of `cached()` are kept per process (each gunicorn worker computes a
part once per version), only while a GET or HEAD page view is served outside any transaction of
the app's own, so what is cached was read from committed data after its key. The signed-in user is
never cached (wenming.backends reads them on every request). A part may read only tracked tables:
reading an untracked one (messages, jobs …) raises `UntrackedRead` in tests (`VERSIONED_STRICT`)
and, in production, is logged and the part is simply not cached. Documents (PDF, Excel) are made
from fresh data, never from here.
"""
import hashlib
import logging
import os
import pickle
import re
import sys
import threading
import time
import types
import uuid
from collections import OrderedDict

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.utils import timezone, translation

from .page_view import in_page_view, request_memo

logger = logging.getLogger(__name__)

TABLE = "ledgers_dataversion"  # folded counts per unit
LOG = "ledgers_datachange"  # one row per statement and unit written, not yet folded
EPOCH = "ledgers_dataepoch"  # one row: this database's identity token
SHARED = 0

# table -> the unit of a row `r`, as SQL. Every table with a row in a unit's figures is here. A row
# whose unit is NULL is a change of nothing cached (a photo uploaded before its activity exists is
# shown nowhere until it is attached, and attaching it counts for the activity's unit).
UNIT_OF = {
    "ledgers_activity": "r.unit_id",
    "ledgers_check": "r.unit_id",
    "ledgers_problem": "r.unit_id",
    "ledgers_taskassignment": "r.unit_id",
    "ledgers_responsibilityletter": "r.unit_id",
    "ledgers_manualscore": "r.unit_id",
    "ledgers_adjustment": "r.unit_id",
    "ledgers_unitalias": "r.unit_id",
    "ledgers_activityphoto": "(SELECT p.unit_id FROM ledgers_activity p WHERE p.id = r.activity_id)",
    "ledgers_activity_indicators": "(SELECT p.unit_id FROM ledgers_activity p WHERE p.id = r.activity_id)",
    "ledgers_checkscore": "(SELECT p.unit_id FROM ledgers_check p WHERE p.id = r.check_id)",
    "ledgers_checkphoto": "(SELECT p.unit_id FROM ledgers_check p WHERE p.id = r.check_id)",
    "ledgers_checkcorrection": "(SELECT p.unit_id FROM ledgers_check p WHERE p.id = r.check_id)",
    "ledgers_check_inspectors": "(SELECT p.unit_id FROM ledgers_check p WHERE p.id = r.check_id)",
    "ledgers_problemphoto": "(SELECT p.unit_id FROM ledgers_problem p WHERE p.id = r.problem_id)",
    "ledgers_problemevent": "(SELECT p.unit_id FROM ledgers_problem p WHERE p.id = r.problem_id)",
    "ledgers_assignmentevent": "(SELECT p.unit_id FROM ledgers_taskassignment p WHERE p.id = r.assignment_id)",
    "ledgers_progressentry": "(SELECT p.unit_id FROM ledgers_taskassignment p WHERE p.id = r.assignment_id)",
    "ledgers_progressattachment": ("(SELECT p.unit_id FROM ledgers_taskassignment p JOIN ledgers_progressentry e"
                                   " ON e.assignment_id = p.id WHERE e.id = r.entry_id)"),
    "ledgers_letteritem": "(SELECT p.unit_id FROM ledgers_responsibilityletter p WHERE p.id = r.letter_id)",
    "ledgers_signedscan": "(SELECT p.unit_id FROM ledgers_responsibilityletter p WHERE p.id = r.letter_id)",
    "ledgers_oversight": "r.unit_id",
    "ledgers_accountabilitycase": "r.unit_id",
    "ledgers_accountabilityaction": "(SELECT p.unit_id FROM ledgers_accountabilitycase p WHERE p.id = r.case_id)",
    "ledgers_accountabilityattachment": ("(SELECT p.unit_id FROM ledgers_accountabilitycase p JOIN"
                                         " ledgers_accountabilityaction a ON a.case_id = p.id WHERE a.id = r.action_id)"),
    # 问卷调查: a unit's link and its answers (the answers' unit is their response's).
    "ledgers_surveyunit": "r.unit_id",
    "ledgers_surveyresponse": "r.unit_id",
    "ledgers_surveyanswer": "(SELECT p.unit_id FROM ledgers_surveyresponse p WHERE p.id = r.response_id)",
    # The month page lists a month's published versions; a bureau-wide one (no unit) is shared.
    "reports_publishedreport": f"coalesce(r.unit_id, {SHARED})",
}


class AllBut(tuple):
    """Every column of a shared table but these (and its id): a write of only these moves nothing."""


# Shared tables: a write appends unit 0. A column list means only writes to these columns count.
# A user's last login is not a change of anything shown.
SHARED_TABLES = {
    "ledgers_bureau": None,
    "ledgers_unit": None,
    "ledgers_campaignyear": None,
    "ledgers_user": AllBut(["last_login"]),
    "ledgers_indicator": None,
    "ledgers_activitycategory": None,
    "ledgers_checktemplate": None,
    "ledgers_checkitem": None,
    "ledgers_task": None,
    "ledgers_taskdeadline": None,
    "ledgers_lettertarget": None,
    "ledgers_assessmentscheme": None,
    "ledgers_indicatorrule": None,
    "ledgers_bulletin": None,
    "ledgers_inspectiongroup": None,
    "ledgers_inspectiongroup_members": None,
    "ledgers_accountabilityrule": None,
    "ledgers_question": None,
    "ledgers_survey": None,
    "ledgers_surveyquestion": None,
}

# Tables no cached part may read, and why (tests/ledgers/test_versions.py wants every table in one
# of the three lists, so a new table is classified when it is made; `cached()` refuses a part that
# reads one of these).
UNTRACKED = {
    TABLE: "the counters themselves", LOG: "the counters themselves", EPOCH: "the counters themselves",
    "django_session": "sign-in state",
    "django_migrations": "schema",
    "django_content_type": "schema",
    "django_admin_log": "admin history",
    "auth_group": "permissions", "auth_group_permissions": "permissions", "auth_permission": "permissions",
    "ledgers_user_groups": "permissions", "ledgers_user_user_permissions": "permissions",
    "axes_accessattempt": "login lockout", "axes_accessfailurelog": "login lockout",
    "axes_accesslog": "login lockout", "axes_accessattemptexpiration": "login lockout",
    "django_tasks_database_dbtaskresult": "the job queue",
    "reports_job": "document jobs",
    "ledgers_notification": "messages", "ledgers_delivery": "messages", "ledgers_webhook": "messages",
    "ledgers_notificationsettings": "messages",
    "ledgers_importupload": "uploads not yet imported", "ledgers_importmapping": "import column choices",
    "ledgers_surveythrottle": "rate-limit counters of the public survey answers",
}
HISTORY_PREFIX = "ledgers_historical"  # django-simple-history's copies, written beside the tracked rows
BOOKKEEPING = (TABLE, LOG, EPOCH)


# --- the triggers ----------------------------------------------------------------------------------

def _log_sqlite(units_sql):
    return f"INSERT INTO {LOG} (unit_id) SELECT u FROM ({units_sql}) WHERE u IS NOT NULL;"


def _log_pg(units_sql):
    return f"INSERT INTO {LOG} (unit_id) SELECT DISTINCT u FROM ({units_sql}) AS units WHERE u IS NOT NULL;"


def _update_event(table, columns_of):
    """A shared table's UPDATE event: of its listed columns only, if it has a list."""
    columns = SHARED_TABLES[table]
    if isinstance(columns, AllBut):
        columns = [c for c in columns_of(table) if c != "id" and c not in columns]
    return f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"


PG_SHARED = "dv_shared"  # the function that appends unit 0


def _pg_function(name, body):
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {body} RETURN NULL; END $$")


def wanted(vendor, existing, columns_of):
    """{name: (kind, table, statement)} of every function and trigger the tables that exist need
    (columns_of(table): its columns' names). kind: "function" or "trigger"."""
    objects = {}
    if vendor == "postgresql":
        objects[PG_SHARED] = ("function", None, _pg_function(PG_SHARED, _log_pg(f"SELECT {SHARED} AS u")))
    for table in [*UNIT_OF, *SHARED_TABLES]:
        if table not in existing:
            continue  # made by a later migration; migrate installs again when it ends
        short = table.removeprefix("ledgers_")
        if vendor == "sqlite":
            if table in UNIT_OF:
                new, old = UNIT_OF[table].replace("r.", "NEW."), UNIT_OF[table].replace("r.", "OLD.")
                events = {"INSERT": f"SELECT {new} AS u", "DELETE": f"SELECT {old} AS u",
                          "UPDATE": f"SELECT {old} AS u UNION SELECT {new}"}
                for event, units in events.items():
                    name = f"dv_{short}_{event.lower()}"
                    objects[name] = ("trigger", table, f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW"
                                                       f" BEGIN {_log_sqlite(units)} END")
            else:
                for event in ("INSERT", "DELETE", _update_event(table, columns_of)):
                    name = f"dv_{short}_{event.split()[0].lower()}"
                    objects[name] = ("trigger", table, f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW"
                                                       f" BEGIN INSERT INTO {LOG} (unit_id) VALUES ({SHARED}); END")
            continue
        if table in UNIT_OF:
            function = f"dv_{short}"
            unit = UNIT_OF[table]
            rows = {"INSERT": f"SELECT {unit} AS u FROM new_rows r",
                    "DELETE": f"SELECT {unit} AS u FROM old_rows r",
                    "UPDATE": f"SELECT {unit} AS u FROM old_rows r UNION SELECT {unit} FROM new_rows r"}
            body = " ".join(f"IF TG_OP = '{op}' THEN {_log_pg(sql)} END IF;" for op, sql in rows.items())
            objects[function] = ("function", None, _pg_function(function, body))
            for event, refs in (("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows"),
                                ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows")):
                name = f"dv_{short}_{event.lower()}"
                objects[name] = ("trigger", table, f"CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {table}"
                                                   f" REFERENCING {refs} FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
            # TRUNCATE (Django's flush on PostgreSQL) fires no row or transition-table trigger.
            name = f"dv_{short}_truncate"
            objects[name] = ("trigger", table, f"CREATE OR REPLACE TRIGGER {name} AFTER TRUNCATE ON {table}"
                                               f" FOR EACH STATEMENT EXECUTE FUNCTION {PG_SHARED}()")
        elif isinstance(SHARED_TABLES[table], AllBut):
            # The columns are compared in the function, not named in the trigger: a migration may
            # then drop or change a column while the trigger stays in place.
            function, ignored = f"dv_{short}", ", ".join(f"'{c}'" for c in SHARED_TABLES[table])
            changed = (f"SELECT to_jsonb(r) - ARRAY[{ignored}] FROM new_rows r"
                       f" EXCEPT SELECT to_jsonb(r) - ARRAY[{ignored}] FROM old_rows r")
            objects[function] = ("function", None, _pg_function(
                function, f"IF EXISTS ({changed}) THEN {_log_pg(f'SELECT {SHARED} AS u')} END IF;"))
            objects[f"dv_{short}_update"] = ("trigger", table, (
                f"CREATE OR REPLACE TRIGGER dv_{short}_update AFTER UPDATE ON {table}"
                f" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()"))
            objects[f"dv_{short}_write"] = ("trigger", table, f"CREATE OR REPLACE TRIGGER dv_{short}_write AFTER INSERT OR DELETE"
                                                        f" OR TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {PG_SHARED}()")
        else:
            name = f"dv_{short}"
            objects[name] = ("trigger", table, f"CREATE OR REPLACE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE"
                                               f" OR TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {PG_SHARED}()")
    return objects


def _signature(statement):
    return "dv:" + hashlib.sha256(statement.encode()).hexdigest()[:16]


def _installed(cursor, vendor):
    """{name: (kind, table, signature)} of the data-version functions and triggers in the database."""
    if vendor == "sqlite":
        cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'dv\\_%' ESCAPE '\\'")
        return {name: ("trigger", table, _signature(sql)) for name, table, sql in cursor.fetchall()}
    cursor.execute("SELECT p.proname, obj_description(p.oid, 'pg_proc') FROM pg_proc p"
                   " WHERE p.pronamespace = current_schema()::regnamespace AND p.proname LIKE 'dv\\_%'")
    found = {name: ("function", None, comment) for name, comment in cursor.fetchall()}
    cursor.execute("SELECT t.tgname, c.relname, obj_description(t.oid, 'pg_trigger') FROM pg_trigger t"
                   " JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND t.tgname LIKE 'dv\\_%'"
                   " AND c.relnamespace = current_schema()::regnamespace")
    found.update({name: ("trigger", table, comment) for name, table, comment in cursor.fetchall()})
    return found


def _statements(vendor, name, kind, table, make):
    """The statements that make one function or trigger, replacing an older one in place (the
    table always has its trigger: there is no moment without it)."""
    if vendor == "sqlite":
        # SQLite has no CREATE OR REPLACE TRIGGER, but its DDL is transactional: the drop and the
        # create are seen together by every other connection.
        return [f"DROP TRIGGER IF EXISTS {name}", make]
    comment = f"COMMENT ON {'FUNCTION' if kind == 'function' else 'TRIGGER'} {name}"
    comment += "()" if kind == "function" else f" ON {table}"
    return [make, f"{comment} IS '{_signature(make)}'"]


LOCK_TIMEOUT_MS = 1000  # a trigger change waits at most this long for a table's writers, then tries again
LOCK_ATTEMPTS = 120


def _apply(db, statements):
    """Run `statements` in one transaction, again after a lock timeout (writers keep the table busy)."""
    for attempt in range(LOCK_ATTEMPTS):
        try:
            with transaction.atomic(using=db.alias), db.cursor() as cursor:
                if db.vendor == "postgresql":
                    cursor.execute(f"SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}")
                for statement in statements:
                    cursor.execute(statement)
            return
        except OperationalError as error:
            if db.vendor != "postgresql" or "lock timeout" not in str(error) or attempt == LOCK_ATTEMPTS - 1:
                raise
            time.sleep(min(0.05 * (attempt + 1), 1))


def install_tables(db):
    """The counters, the log and the epoch row (idempotent)."""
    serial = "INTEGER PRIMARY KEY" if db.vendor == "sqlite" else "bigserial PRIMARY KEY"
    with db.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (unit_id bigint NOT NULL PRIMARY KEY, n bigint NOT NULL)")
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {LOG} (id {serial}, unit_id bigint NOT NULL)")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {LOG}_unit ON {LOG} (unit_id)")
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {EPOCH} (id integer NOT NULL PRIMARY KEY, token varchar(32) NOT NULL)")
    renew_epoch(db)


def renew_epoch(db=None):
    """A new identity for this database's versions: no key made before can match again. For
    `restore` and for `migrate` when it changed triggers."""
    db = db or connection
    token = uuid.uuid4().hex
    with db.cursor() as cursor:
        cursor.execute(f"UPDATE {EPOCH} SET token = %s WHERE id = 1", [token])
        if cursor.rowcount == 0:
            cursor.execute(f"INSERT INTO {EPOCH} (id, token) VALUES (1, %s)", [token])


def sync(db, *, remove_unlisted=True):
    """Make the database's functions and triggers what `wanted` says, touching only those that
    differ; returns how many changed. Each is replaced in place, in a transaction of its own that
    locks one table at a time (it cannot deadlock) and waits for that table's writers at most
    LOCK_TIMEOUT_MS before it tries again."""
    with db.cursor() as cursor:
        existing = set(db.introspection.table_names(cursor))
        if LOG not in existing:
            return 0  # before the migration that makes the log: the old triggers stay as they are
        want = wanted(db.vendor, existing, lambda table: [
            column.name for column in db.introspection.get_table_description(cursor, table)])
        have = _installed(cursor, db.vendor)
    changed = 0
    # Functions first: a new trigger may call a new function.
    for name, (kind, table, make) in sorted(want.items(), key=lambda item: item[1][0] != "function"):
        if have.get(name, (None, None, None))[2] == _signature(make):
            continue
        _apply(db, _statements(db.vendor, name, kind, table, make))
        changed += 1
    for name, (kind, table, _) in have.items() if remove_unlisted else ():
        if name not in want and kind == "trigger":
            _apply(db, [f"DROP TRIGGER IF EXISTS {name}" + ("" if db.vendor == "sqlite" else f" ON {table}")])
            changed += 1
    for name, (kind, _, _) in have.items() if remove_unlisted else ():
        if name not in want and kind == "function":
            _apply(db, [f"DROP FUNCTION IF EXISTS {name}()"])  # its triggers are gone (above)
            changed += 1
    return changed


def drop_triggers(db):
    """Every data-version trigger off (SQLite, before migrations that rebuild tables; the write
    benchmark, inside a transaction it rolls back)."""
    with db.cursor() as cursor:
        triggers = [(name, table) for name, (kind, table, _) in _installed(cursor, db.vendor).items() if kind == "trigger"]
        for name, table in triggers:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}" + ("" if db.vendor == "sqlite" else f" ON {table}"))
    return len(triggers)


def install(apps, schema_editor):
    """Migration 0012: the counters and every trigger."""
    db = schema_editor.connection
    with db.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (unit_id bigint NOT NULL PRIMARY KEY, n bigint NOT NULL)")


def uninstall(apps, schema_editor):
    """Migration 0012 backwards: every trigger off (older migrations may rebuild tables they read)."""
    drop_triggers(schema_editor.connection)


def install_log(apps, schema_editor):
    """Migration 0014: the change log, the epoch row and every trigger writing to the log (migrate's
    end checks them again, for tables later migrations make)."""
    install_tables(schema_editor.connection)
    sync(schema_editor.connection)


def off_for_rebuild(apps, schema_editor):
    """In a migration that rebuilds tables on SQLite: every trigger off first (PostgreSQL: nothing)."""
    if schema_editor.connection.vendor == "sqlite":
        drop_triggers(schema_editor.connection)


def on_after_rebuild(apps, schema_editor):
    """At the end of such a migration: the triggers back, and on SQLite a new epoch (writes made
    while they were off counted nothing)."""
    db = schema_editor.connection
    sync(db)
    if db.vendor == "sqlite":
        renew_epoch(db)


def uninstall_before_migrate(sender, using=DEFAULT_DB_ALIAS, plan=None, **kwargs):
    """Before `migrate` applies anything on SQLite: it cannot rebuild a table that another table's
    trigger reads. PostgreSQL keeps its triggers throughout; a migrate with nothing to apply touches
    nothing."""
    db = connections[using]
    if plan and db.vendor == "sqlite":
        drop_triggers(db)


def install_after_migrate(sender, using=DEFAULT_DB_ALIAS, plan=None, **kwargs):
    """After `migrate` (and `flush`): triggers made or replaced where they differ from the lists
    above. If anything changed, writes made meanwhile may have counted nothing: a new epoch."""
    db = connections[using]
    changed = sync(db)
    if (changed or (plan and db.vendor == "sqlite")) and LOG in db.introspection.table_names():
        renew_epoch(db)


# --- compaction -----------------------------------------------------------------------------------

COMPACT_AT = 2000  # log rows; `stamp` folds the log when it has grown past this
_last_compaction = [0.0]


def compact(db=None):
    """Fold the change log into the per-unit totals, keeping every sum the same for every reader
    (one statement on PostgreSQL, one IMMEDIATE transaction on SQLite). Compactions take an advisory
    lock and skip when another runs; users' transactions only insert into the log, so none waits."""
    db = db or connection
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [0x64760000])
            if not cursor.fetchone()[0]:
                return False
            cursor.execute(f"WITH moved AS (DELETE FROM {LOG} RETURNING unit_id)"
                           f" INSERT INTO {TABLE} (unit_id, n) SELECT unit_id, count(*) FROM moved"
                           f" GROUP BY unit_id ORDER BY unit_id"
                           f" ON CONFLICT (unit_id) DO UPDATE SET n = {TABLE}.n + EXCLUDED.n")
        else:
            cursor.execute(f"INSERT INTO {TABLE} (unit_id, n) SELECT unit_id, count(*) FROM {LOG} WHERE true"
                           f" GROUP BY unit_id ON CONFLICT (unit_id) DO UPDATE SET n = n + excluded.n")
            cursor.execute(f"DELETE FROM {LOG}")
    return True


def _maybe_compact(log_rows):
    now = time.monotonic()
    if log_rows and log_rows >= COMPACT_AT and now - _last_compaction[0] > 5:
        _last_compaction[0] = now
        try:
            compact()
        except OperationalError:  # the database is busy: the next page view tries again
            logger.warning("data versions: compaction skipped", exc_info=True)


# --- reading the versions -------------------------------------------------------------------------

def _connection_identity():
    """What tells this database's timeline apart from any other, read once per connection."""
    raw = connection.connection
    memo = getattr(connection, "_dv_identity", None)
    if memo is not None and memo[0] is raw:
        return memo[1]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT oid FROM pg_database WHERE datname = current_database())::text,"
                " CASE WHEN has_function_privilege('pg_control_system()', 'EXECUTE')"
                "  THEN (SELECT system_identifier FROM pg_control_system())::text END,"
                " CASE WHEN NOT pg_is_in_recovery() AND has_function_privilege('pg_current_wal_lsn()', 'EXECUTE')"
                "  THEN substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) END")
            value = tuple(cursor.fetchone())
    else:
        name = connection.settings_dict["NAME"]
        try:
            info = os.stat(name)
            value = (str(name), info.st_dev, info.st_ino)
        except (OSError, TypeError, ValueError):  # an in-memory database: one per process
            value = (str(name), os.getpid())
    connection._dv_identity = (raw, value)
    return value


def _scope_sql(scope):
    if isinstance(scope, (list, tuple, set)):
        ids = sorted(set(scope))
        return f"IN ({', '.join(['%s'] * len(ids)) or 'NULL'})", ids
    if scope is None or scope.is_city:
        return "IS NOT NULL", []
    return "IN (SELECT id FROM ledgers_unit WHERE bureau_id = %s)", [scope.pk]


def stamp(scope):
    """(identity, changes of the scope's units and of the shared tables): one query, once per page
    view and scope. `scope` is a list of unit ids, or a bureau: a district's units, or every unit
    for the city (or None)."""
    units, params = _scope_sql(scope)
    return request_memo(("versions.stamp", units, *params), lambda: _read(units, params))


def _read(units, params):
    connection.ensure_connection()
    identity = _connection_identity()
    epoch = f"(SELECT token || ':' || xmin::text FROM {EPOCH})" if connection.vendor == "postgresql" \
        else f"(SELECT token FROM {EPOCH})"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(sum(n), 0), {epoch}, (SELECT max(id) - min(id) FROM {LOG}) FROM"
                       f" (SELECT n FROM {TABLE} WHERE unit_id = {SHARED} OR unit_id {units}"
                       f"  UNION ALL SELECT 1 FROM {LOG} WHERE unit_id = {SHARED} OR unit_id {units}) AS v",
                       params * 2)
        total, epoch, log_rows = cursor.fetchone()
    _maybe_compact(log_rows)
    return identity, epoch, total


def totals():
    """{unit id: changes so far}, folded and not (for tests and diagnostics)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unit_id, sum(n) FROM (SELECT unit_id, n FROM {TABLE}"
                       f" UNION ALL SELECT unit_id, 1 FROM {LOG}) AS v GROUP BY unit_id")
        return dict(cursor.fetchall())


# --- the cache ------------------------------------------------------------------------------------

_NOT_DATA = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)


def deep_size(value, _seen=None):
    """Bytes a result holds: the object and everything it refers to (counted once each)."""
    seen = _seen if _seen is not None else set()
    stack, total = [value], 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, _NOT_DATA):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj, 64)
        if isinstance(obj, (str, bytes, bytearray, int, float, bool)) or obj is None:
            continue
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        else:
            if hasattr(obj, "__dict__"):
                stack.append(vars(obj))
            for slot in getattr(type(obj), "__slots__", ()):
                if hasattr(obj, slot):
                    stack.append(getattr(obj, slot))
    return total


class LRU:
    """Least recently used results first out, within a memory budget that counts every byte a
    result holds (`deep_size`, measured once when it is stored)."""

    def __init__(self, budget):
        self.budget, self.used, self.data, self.lock = budget, 0, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return True, self.data[key][0]
        return False, None

    def put(self, key, value):
        cost = deep_size(value)
        if cost > self.budget:
            return  # larger than the whole cache: not kept
        with self.lock:
            if key in self.data:
                self.used -= self.data.pop(key)[1]
            self.data[key] = (value, cost)
            self.used += cost
            while self.used > self.budget:
                self.used -= self.data.popitem(last=False)[1][1]

    def clear(self):
        with self.lock:
            self.data.clear()
            self.used = 0


_results = LRU(budget=settings.VERSIONED_CACHE_MB << 20)  # per process (gunicorn worker)


def clear():
    _results.clear()
    _computed.clear()


def _may_cache():
    # A GET/HEAD page view (request_memo keeps a dict), outside the app's own transactions. A test's
    # enclosing transaction (Django's TestCase marks it) is not the app's: the tests clear the cache
    # between tests instead.
    if not in_page_view():
        return False
    return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


class UntrackedRead(Exception):
    """A cached part read a table no data version follows: it would go stale unnoticed."""


_UNTRACKED_RE = re.compile(r'\b(' + "|".join(re.escape(t) for t in UNTRACKED if t not in BOOKKEEPING) + r')\b')


class _ReadGuard:
    def __init__(self):
        self.tables = set()

    def __call__(self, execute, sql, params, many, context):
        self.tables.update(_UNTRACKED_RE.findall(sql))
        return execute(sql, params, many, context)


def computed_parts():
    """Names of the parts computed (not taken from the cache) so far in this process: tests use it
    to see which parts a write made again."""
    return _computed


_computed = []


def cached(name, scope, compute, *args):
    """compute(), or its result cached for `name` and `args` while no record of the scope's units
    (see `stamp`), no shared table, not the date and not the database's timeline has changed."""
    if not _may_cache():
        return compute()
    key = (name, args, connection.alias, translation.get_language(), timezone.localdate(), stamp(scope))
    hit, value = _results.get(key)
    if hit:
        return value
    guard = _ReadGuard()
    with connection.execute_wrapper(guard):
        value = compute()
    if settings.TESTING:
        _computed.append(name)
    if guard.tables:
        message = f"the cached part {name} read untracked tables {sorted(guard.tables)}"
        if getattr(settings, "VERSIONED_STRICT", False):
            raise UntrackedRead(message)
        logger.warning("%s: not cached", message)
        return value
    _results.put(key, value)
    return value


def cached_copy(name, compute, *args):
    """compute() — records of shared tables only (e.g. the current year) — or, while no shared
    table changes, a fresh copy of it (unpickled: each request gets objects of its own, which it may
    change)."""
    data = cached(name, [], lambda: pickle.dumps(compute()), *args)
    return pickle.loads(data)


def viewer(user):
    """Who a cached part is made for, as part of its key: the same person with another role, unit
    or bureau gets other parts, whatever the counters say."""
    unit = user.unit if user.unit_id else None
    return (user.pk, user.role, user.unit_id, unit.bureau_id if unit else None, user.is_superuser)


def scope_of(user, district=False):
    """The units whose records a user's pages show: a liaison's own unit, a district's units, or
    (None) every unit for the city's roles. `district`: a liaison's whole district (for what ranks
    the unit among the district's units)."""
    if not user.sees_all_units:
        if district and user.unit_id:
            return user.unit.bureau
        return [user.unit_id] if user.unit_id else []
    return None if user.is_city else user.bureau
