"""The page cache (ledgers.versions) under what a bureau's operator does on PostgreSQL: concurrent
mixed writes, a restore while the servers keep running, `migrate` while people work.

- Writers never deadlock on the versions' bookkeeping: a liaison's phone saving an activity with
  photos of its batch and an admin saving a task that adds that liaison's unit, at the same time,
  over and over, on two real connections through the real services.
- After a backup is restored (into a database made again, or `pg_restore --clean` into the same
  one) with gunicorn left running, a user demoted by the restore is never served as admin, and no
  page shows the old timeline's records.
- A no-op `migrate` touches no trigger; trigger changes happen in place while a writer loop runs:
  no failure, and every committed write moves its unit's version.

Runs in bin/test's PostgreSQL phase (skipped on SQLite, where one writer at a time cannot deadlock
and these tools do not exist).
"""
import re
import subprocess
import threading
import time
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ledgers import versions
from ledgers.models import Activity, ActivityCategory, ActivityPhoto, Role, Task, UnitAlias
from ledgers.services.activities import activity_save, photo_receive
from ledgers.services.tasks import task_save
from tests.conftest import make_user
from tests.ledgers.checks.factories import jpeg
from tests.ops.servers import database_url, gunicorn, request
from tests.ops.test_production import manage, production_env
from tests.shared import base_objects

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's concurrency, pg_dump and pg_restore"),
]


def slowed(connection_, seconds=0.004):
    """Each write statement of this connection takes a little longer: two transactions' statements
    interleave as they do under load."""
    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            time.sleep(seconds)
        return result
    return connection_.execute_wrapper(wrapper)


def run_together(*sides, rounds):
    """Each side(i) in a thread of its own (its own connection), `rounds` times in step; the
    exceptions raised."""
    errors, barrier = [], threading.Barrier(len(sides))

    def loop(side):
        try:
            with slowed(connection):
                for i in range(rounds):
                    barrier.wait(timeout=60)
                    try:
                        side(i)
                    except Exception as error:  # noqa: BLE001 -- every failure is the finding
                        errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=loop, args=(side,)) for side in sides]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def test_a_phone_saving_an_activity_and_an_admin_saving_a_task_never_deadlock():
    base = base_objects()
    school, other = base["school_a"], base["school_b"]
    liaison = make_user("liaison", Role.LIAISON, school)
    category = ActivityCategory.objects.ensure_defaults().first()
    task = Task(year=base["year"], title="校园环境整治", deadline=timezone.localdate())
    task_save(task=task, units=[other], user=base["admin_user"])

    def phone(i):
        batch = uuid.uuid4().hex
        photo, _ = photo_receive(user=liaison, uploaded=jpeg(), key=f"k{i}-{batch[:8]}", batch=batch)
        fields = {"title": f"第{i}次升旗仪式", "category": category, "date": timezone.localdate(), "place": "操场",
                  "participants": "全体师生", "organizer": "少先队", "summary": "升旗"}
        activity_save(user=liaison, fields=fields, indicators=[], unit=school, batch=batch, pending=[photo])

    def admin(i):
        fresh = Task.objects.get(pk=task.pk)
        fresh.title = f"校园环境整治（第{i}次修改）"
        task_save(task=fresh, units=[other, school] if i % 2 == 0 else [other], user=base["admin_user"])

    errors = run_together(phone, admin, rounds=25)
    assert errors == []
    assert Activity.objects.filter(unit=school).count() == 25
    assert ActivityPhoto.objects.filter(activity__unit=school).count() == 25


# --- a restore while the servers run ---------------------------------------------------------------

SETUP = """
from django.test import Client
from django.utils import timezone
from ledgers.models import Activity, ActivityCategory, Role
from tests.conftest import make_user
from tests.shared import base_objects
base = base_objects()
user = make_user("zhanghua", Role.LIAISON, base["school_a"], "张华")
Activity.objects.create(unit=base["school_a"], year=base["year"], created_by=user, title="备份前的活动",
                        category=ActivityCategory.objects.ensure_defaults().first(), date=timezone.localdate())
client = Client()
client.force_login(user)
print("SESSION", client.cookies["sessionid"].value)
"""

AFTER_BACKUP = """
from django.utils import timezone
from ledgers.models import Activity, Role, User
User.objects.filter(username="zhanghua").update(role=Role.ADMIN)
user = User.objects.get(username="zhanghua")
Activity.objects.create(unit=user.unit, year_id=Activity.objects.get().year_id, created_by=user, title="备份后的活动",
                        category_id=Activity.objects.get().category_id, date=timezone.localdate())
"""

AFTER_RESTORE = """
from django.utils import timezone
from ledgers.models import Activity, Unit, User
first = Activity.objects.get()
user = User.objects.get(username="zhanghua")
Unit.objects.filter(pk=user.unit_id).update(contact_name="新联系人")  # a shared table: counter 0 moves on
Activity.objects.create(unit=user.unit, year_id=first.year_id, created_by=user, title="恢复后新建的活动",
                        category_id=first.category_id, date=timezone.localdate())
"""


@pytest.fixture
def scratch(tmp_path):
    """A database of its own (the restore drops and makes it again), migrated; its URL and name."""
    name = f"wenming_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    url = database_url().rsplit("/", 1)[0] + "/" + name
    try:
        run_manage(tmp_path, url, "migrate", "-v0")
        yield url, name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run_manage(tmp_path, url, *args):
    result = manage(production_env(tmp_path, DEBUG="1", DATABASE_URL=url, SECRET_KEY=settings.SECRET_KEY), *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def pg(*args, database):
    """A PostgreSQL client tool (pg_dump, pg_restore, psql) as the test's role."""
    s = connection.settings_dict
    env = {"PGPASSWORD": s["PASSWORD"], "PATH": "/usr/bin:/bin"}
    command = [args[0], "-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"], *args[1:]]
    if database:
        command += ["-d", database]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def restore_recreated(dump, name):
    """docs/operations.md's path: drop the database, make it again, pg_restore the dump into it."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE {name} WITH (FORCE)")  # the servers' connections are cut
        cursor.execute(f"CREATE DATABASE {name}")
    pg("pg_restore", "--no-owner", str(dump), database=name)


def restore_clean(dump, name):
    """pg_restore --clean into the same database, the servers' connections left open."""
    pg("pg_restore", "--clean", "--if-exists", "--no-owner", str(dump), database=name)


@pytest.mark.parametrize("restore", [restore_recreated, restore_clean], ids=["recreated database", "pg_restore --clean"])
def test_after_a_restore_with_servers_running_nobody_is_served_from_the_old_timeline(tmp_path, scratch, restore):
    url, name = scratch
    session = re.search(r"SESSION (\w+)", run_manage(tmp_path, url, "shell", "-c", SETUP))[1]
    dump = tmp_path / "backup.dump"
    pg("pg_dump", "-Fc", "-f", str(dump), database=name)
    run_manage(tmp_path, url, "shell", "-c", AFTER_BACKUP)  # promoted to admin after the backup
    with gunicorn(tmp_path, workers=4, DATABASE_URL=url, CONN_MAX_AGE="600") as (base, _server):
        def statuses(path, times=24):
            return [request(base, path, session=session)[0] for _ in range(times)]

        def pages(path, times=24):
            return [request(base, path, session=session)[2].decode() for _ in range(times)]

        # Every worker serves them as admin, with the parts of the pages cached.
        assert set(statuses("/imports/")) == {200}
        assert all("备份后的活动" in html for html in pages("/activities/"))
        restore(dump, name)
        run_manage(tmp_path, url, "shell", "-c", AFTER_RESTORE)  # the new timeline goes on
        assert set(statuses("/imports/", times=40)) == {403}  # a liaison again, on every worker
        for html in pages("/activities/", times=40):
            assert "恢复后新建的活动" in html and "备份前的活动" in html
            assert "备份后的活动" not in html


# --- migrate while people work ---------------------------------------------------------------------

def writer_loop(unit, stop, written, errors):
    """Commits one record of `unit` after another until `stop`; counts what it committed."""
    try:
        while not stop.is_set():
            try:
                UnitAlias.objects.create(unit=unit, name=f"别名{uuid.uuid4().hex[:6]}")
                written.append(1)
            except Exception as error:  # noqa: BLE001
                errors.append(error)
    finally:
        close_old_connections()
        connections.close_all()


def test_migrate_while_people_write_never_fails_and_no_write_goes_uncounted():
    base = base_objects()
    unit = base["school_a"]
    stop, written, errors = threading.Event(), [], []
    before = versions.totals().get(unit.pk, 0)
    writer = threading.Thread(target=writer_loop, args=(unit, stop, written, errors))
    writer.start()
    try:
        for _ in range(3):  # nothing to migrate: nothing is touched
            with CaptureQueriesContext(connection) as queries:
                call_command("migrate", verbosity=0)
            ddl = [q["sql"] for q in queries.captured_queries if re.match(r"\s*(CREATE|DROP|ALTER|COMMENT)", q["sql"])]
            assert ddl == []
        # A changed trigger (as after an upgrade) is replaced in place, table by table.
        with connection.cursor() as cursor:
            cursor.execute("COMMENT ON TRIGGER dv_unitalias_insert ON ledgers_unitalias IS 'older'")
            cursor.execute("COMMENT ON FUNCTION dv_unitalias() IS 'older'")
        epoch = epoch_token()
        call_command("migrate", verbosity=0)
        assert epoch_token() != epoch  # what was written while triggers changed is not trusted
        time.sleep(0.5)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert errors == []
    assert len(written) > 20
    assert versions.totals()[unit.pk] - before == len(written)  # every committed write counted


def epoch_token():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {versions.EPOCH}")
        return cursor.fetchone()[0]
