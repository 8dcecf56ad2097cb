"""Benchmark (not a test): what the data-version triggers (ledgers/versions.py) add to writes.

    DJANGO_DEBUG=1 .venv/bin/python manage.py bench_versions [--rows 20000]
    bin/with-postgres --scratch sh -c 'export DJANGO_DEBUG=1 DATABASE_URL=$BENCH_DATABASE_URL &&
        .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py bench_versions'

On the configured (migrated) database, inside one transaction that is rolled back at the end (so
nothing is left, triggers included): `--rows` unit aliases inserted, updated and deleted, one
statement each, with the triggers and with them dropped; best of 3 each. Prints milliseconds and
the ratio.
"""
import time
import uuid


from django.db import connection, transaction

from benchmarks.scratch import BenchmarkCommand

from ledgers import versions
from ledgers.models import Unit, UnitAlias


class Command(BenchmarkCommand):
    uses_configured_database = True  # drops the triggers inside a transaction it rolls back
    help = "Write cost of the data-version triggers: insert, update and delete with and without them."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=20000)

    def handle(self, *args, rows, **options):
        with transaction.atomic():
            tag = uuid.uuid4().hex[:8]
            unit = Unit.objects.create(name=f"触发器测试学校{tag}", kind="school", code=f"bench-{tag}")
            with_triggers = self.best(unit, rows)
            versions.drop_triggers(connection)
            without = self.best(unit, rows)
            transaction.set_rollback(True)
        self.stdout.write(f"{connection.vendor}: {rows} rows, one statement each, best of 3")
        for step, on, off in zip(("insert", "update", "delete"), with_triggers, without):
            self.stdout.write(f"  {step}: {off * 1000:.0f} ms without triggers, {on * 1000:.0f} ms with ({on / off:.2f}×)")

    def best(self, unit, rows):
        runs = [self.once(unit, rows) for _ in range(3)]
        return [min(run[i] for run in runs) for i in range(3)]

    def once(self, unit, rows):
        times = []
        sid = transaction.savepoint()
        start = time.perf_counter()
        UnitAlias.objects.bulk_create([UnitAlias(unit=unit, name=f"别名{i}") for i in range(rows)], batch_size=rows)
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        UnitAlias.objects.filter(unit=unit).update(name="同名")
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        UnitAlias.objects.filter(unit=unit)._raw_delete(connection.alias)
        times.append(time.perf_counter() - start)
        transaction.savepoint_rollback(sid)
        return times
