"""Data versions: a counter per unit that the database itself moves on every write, and a cache of
computed results keyed by them.

Triggers on every table that a unit's figures are read from add one to that unit's counter in
`ledgers_dataversion` (row `unit_id`), and writes to shared tables (indicators, tasks, schemes, units,
people's names …) add one to row 0. Because the database does it, no write escapes: `.update()`,
`bulk_create()`, cascades, raw SQL, jobs and other servers all count.

`cached(name, units, compute)` keys a result by (name, language, today, the shared counter, the sum of the
units' counters). Within one shared counter the set of units behind a scope is fixed (units and
districts are shared tables), and counters only grow, so a key is never reused for other data.
Results are cached only while a GET or HEAD request is served outside any transaction of the app's
own: what is cached was read from committed data after its key, so it is at least as new as the key.

The cache is per process (each gunicorn worker computes a result once per version); cached values are
shared by the requests of that process and must not be changed by their callers.

`cached_copy(name, compute)` keeps records of shared tables only (the signed-in user with their unit and
bureau, wenming.backends) by counter 0 alone, pickled: each call gets objects of its own.
"""
import pickle
import sys
import threading
from collections import OrderedDict

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone, translation

from .access import in_page_view, request_memo

TABLE = "ledgers_dataversion"
SHARED = 0

# table -> the unit of a row `r`, as SQL. Every table with a row in a unit's figures is here.
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
    # The month page lists a month's published versions; a bureau-wide one (no unit) moves counter 0.
    "reports_publishedreport": "r.unit_id",
}


class AllBut(tuple):
    """Every column of a shared table but these (and its id): a write of only these moves nothing."""


# Shared tables: a write moves row 0. A column list means only writes to these columns count.
# A user's last login is not a change of anything cached; every other column is (the signed-in user is
# cached too, password and active flag included).
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
}

# Tables no cached result reads, and why (tests/ledgers/test_versions.py wants every table in one
# of the three lists, so a new table is classified when it is made).
UNTRACKED = {
    "ledgers_dataversion": "the counters themselves",
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
}
HISTORY_PREFIX = "ledgers_historical"  # django-simple-history's copies, written beside the tracked rows


def _bump_sqlite(unit_sql):
    return (f"INSERT INTO {TABLE} (unit_id, n) VALUES (coalesce({unit_sql}, {SHARED}), 1)"
            f" ON CONFLICT (unit_id) DO UPDATE SET n = n + 1;")


def _sqlite_triggers(table, columns_of):
    if table in UNIT_OF:
        expr = UNIT_OF[table]
        new, old = expr.replace("r.", "NEW."), expr.replace("r.", "OLD.")
        yield "INSERT", _bump_sqlite(new)
        yield "DELETE", _bump_sqlite(old)
        yield "UPDATE", _bump_sqlite(old) + " " + _bump_sqlite(new)
    else:
        for event in ("INSERT", "DELETE", _update_event(table, columns_of)):
            yield event, _bump_sqlite(str(SHARED))


def _update_event(table, columns_of):
    """A shared table's UPDATE event: of its listed columns only, if it has a list."""
    columns = SHARED_TABLES[table]
    if isinstance(columns, AllBut):
        columns = [c for c in columns_of(table) if c != "id" and c not in columns]
    return f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"


def _pg_bump(rows_sql):
    # One row per unit and statement, in unit order (two writers lock counters in the same order).
    return (f"INSERT INTO {TABLE} (unit_id, n) SELECT u, 1 FROM ({rows_sql}) AS units GROUP BY u ORDER BY u"
            f" ON CONFLICT (unit_id) DO UPDATE SET n = {TABLE}.n + 1;")


PG_SHARED = "dv_shared"  # the function that moves row 0


def _pg_function(name, body):
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {body} RETURN NULL; END $$;")


def _triggers(vendor, existing, columns_of):
    """(drop, create) statements of every trigger, for the tables that exist (columns_of(table): its
    columns' names)."""
    if vendor != "sqlite":
        yield f"DROP FUNCTION IF EXISTS {PG_SHARED}() CASCADE", _pg_function(PG_SHARED, _pg_bump(f"SELECT {SHARED} AS u"))
    for table in [*UNIT_OF, *SHARED_TABLES]:
        if table not in existing:
            continue  # made by a later migration; migrate installs again when it ends
        short = table.removeprefix("ledgers_")
        if vendor == "sqlite":
            for event, body in _sqlite_triggers(table, columns_of):
                name = f"dv_{short}_{event.split()[0].lower()}"
                yield (f"DROP TRIGGER IF EXISTS {name}",
                       f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {body} END")
            continue
        function = f"dv_{short}"
        if table in UNIT_OF:
            unit = f"coalesce({UNIT_OF[table]}, {SHARED})"
            rows = {"INSERT": f"SELECT {unit} AS u FROM new_rows r",
                    "DELETE": f"SELECT {unit} AS u FROM old_rows r",
                    "UPDATE": f"SELECT {unit} AS u FROM old_rows r UNION SELECT {unit} FROM new_rows r"}
            body = " ".join(f"IF TG_OP = '{op}' THEN {_pg_bump(sql)} END IF;" for op, sql in rows.items())
            yield f"DROP FUNCTION IF EXISTS {function}() CASCADE", _pg_function(function, body)
            for event, refs in (("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows"),
                                ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows")):
                yield None, (f"CREATE TRIGGER dv_{short}_{event.lower()} AFTER {event} ON {table}"
                             f" REFERENCING {refs} FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
            # TRUNCATE (Django's flush on PostgreSQL) fires no row or transition-table trigger.
            yield None, (f"CREATE TRIGGER dv_{short}_truncate AFTER TRUNCATE ON {table}"
                         f" FOR EACH STATEMENT EXECUTE FUNCTION {PG_SHARED}()")
        else:
            update = _update_event(table, columns_of)
            yield None, (f"CREATE TRIGGER dv_{short} AFTER INSERT OR DELETE OR {update} OR TRUNCATE ON {table}"
                         f" FOR EACH STATEMENT EXECUTE FUNCTION {PG_SHARED}()")


def _run(db, create):
    """Drop every trigger (and on PostgreSQL its function, which takes its triggers along), then
    make them again if `create`."""
    with db.cursor() as cursor:
        existing = set(db.introspection.table_names(cursor))
        statements = list(_triggers(db.vendor, existing, lambda table: [
            column.name for column in db.introspection.get_table_description(cursor, table)]))
        if create:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (unit_id bigint NOT NULL PRIMARY KEY, n bigint NOT NULL)")
        for drop, _ in statements:
            if drop:
                cursor.execute(drop)
        for _, make in statements if create else ():
            cursor.execute(make)


def install(apps, schema_editor):
    """Migration 0012: make the counters table and every trigger."""
    _run(schema_editor.connection, create=True)


def uninstall(apps, schema_editor):
    """Migration 0012 backwards: drop every trigger (the counters stay)."""
    _run(schema_editor.connection, create=False)


def uninstall_before_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """Before `migrate` runs: SQLite cannot rebuild a table that another table's trigger reads."""
    _run(connections[using], create=False)


def install_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """After `migrate` (and `flush`): a rebuilt table has lost its triggers on SQLite, and the
    list above may have changed."""
    _run(connections[using], create=True)


def stamp(scope):
    """(shared counter, sum of the counters of the scope's units): one query, once per page view
    and scope. `scope` is a list of unit ids, or a bureau: a district's units, or every unit for
    the city (or None)."""
    if isinstance(scope, (list, tuple, set)):
        ids = sorted(set(scope))
        units, params = f"IN ({', '.join(['%s'] * len(ids)) or 'NULL'})", ids
    elif scope is None or scope.is_city:
        units, params = "IS NOT NULL", []
    else:
        units, params = "IN (SELECT id FROM ledgers_unit WHERE bureau_id = %s)", [scope.pk]
    return request_memo(("versions.stamp", units, *params), lambda: _read(units, params))


def _read(units, params):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(sum(CASE WHEN unit_id = {SHARED} THEN n END), 0),"
                       f" coalesce(sum(CASE WHEN unit_id <> {SHARED} THEN n END), 0)"
                       f" FROM {TABLE} WHERE unit_id = {SHARED} OR unit_id {units}", params)
        return tuple(cursor.fetchone())


class _LRU:
    """Least recently used results first out, within a memory budget: a page part (a string) counts
    its size, any other result (a month summary: hundreds of rows of figures) `OBJECT_BYTES`."""

    OBJECT_BYTES = 1 << 20

    def __init__(self, budget):
        self.budget, self.used, self.data, self.lock = budget, 0, OrderedDict(), threading.Lock()

    def cost(self, value):
        return sys.getsizeof(value) if isinstance(value, (str, bytes)) else self.OBJECT_BYTES

    def get(self, key):
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return True, self.data[key]
        return False, None

    def put(self, key, value):
        with self.lock:
            if key in self.data:
                self.used -= self.cost(self.data.pop(key))
            self.data[key] = value
            self.used += self.cost(value)
            while self.used > self.budget and len(self.data) > 1:
                self.used -= self.cost(self.data.popitem(last=False)[1])

    def clear(self):
        with self.lock:
            self.data.clear()
            self.used = 0


_results = _LRU(budget=settings.VERSIONED_CACHE_MB << 20)  # per process (gunicorn worker)
_copies = _LRU(budget=4 << 20)  # pickled records of shared tables (cached_copy): a signed-in user is ~2 KB


def clear():
    _results.clear()
    _copies.clear()


def _may_cache():
    # A GET/HEAD page view (request_memo keeps a dict), outside the app's own transactions. A test's
    # enclosing transaction (Django's TestCase marks it) is not the app's: the tests clear the cache
    # between tests instead.
    if not in_page_view():
        return False
    return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def cached(name, scope, compute, *args):
    """compute(), or its result cached for `name` and `args` while no record of the scope's units
    (see `stamp`), no shared table and not the date has changed."""
    if not _may_cache():
        return compute()
    key = (name, args, connection.alias, translation.get_language(), timezone.localdate(), stamp(scope))
    hit, value = _results.get(key)
    if not hit:
        value = compute()
        _results.put(key, value)
    return value


def shared():
    """Counter 0 (the shared tables, people included): one query, once per page view."""
    return request_memo(("versions.shared",), _read_shared)


def _read_shared():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(n), 0) FROM {TABLE} WHERE unit_id = {SHARED}")
        return cursor.fetchone()[0]


def cached_copy(name, compute, *args):
    """compute() — records of shared tables only, e.g. the signed-in user with their unit and
    bureau — or, while counter 0 stays the same, a fresh copy of it (unpickled: each request gets
    objects of its own, which it may change)."""
    if not _may_cache():
        return compute()
    key = (name, args, connection.alias, shared())
    hit, data = _copies.get(key)
    if hit:
        return pickle.loads(data)
    value = compute()
    _copies.put(key, pickle.dumps(value))
    return value


def scope_of(user, district=False):
    """The units whose records a user's pages show: a liaison's own unit, a district's units, or
    (None) every unit for the city's roles. `district`: a liaison's whole district (for what ranks
    the unit among the district's units)."""
    if not user.sees_all_units:
        if district and user.unit_id:
            return user.unit.bureau
        return [user.unit_id] if user.unit_id else []
    return None if user.is_city else user.bureau
