"""Tasks queued before background work moved into reports/jobs/ still run after an upgrade."""
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tasks_db.models import DBTaskResult

MIGRATION = importlib.import_module("reports.migrations.0006_moved_task_paths")


@pytest.mark.django_db
def test_queued_tasks_of_the_old_paths_are_renamed_to_functions_that_exist():
    executor = MigrationExecutor(connection)
    apps = executor.loader.project_state([("reports", "0006_moved_task_paths")]).apps
    for old in MIGRATION.MOVED:
        DBTaskResult.objects.create(task_path=old, args_kwargs={"args": [], "kwargs": {}}, queue_name="default",
                                    backend_name="default", priority=0, status="READY")
    MIGRATION.forwards(apps, None)
    paths = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == set(MIGRATION.MOVED.values())
    for path in paths:
        module, _, name = path.rpartition(".")
        assert hasattr(importlib.import_module(module), name), path
