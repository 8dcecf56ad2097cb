from django.db import migrations

# Background tasks moved into reports/jobs/ (a task waiting in the queue names its function's path).
MOVED = {
    "reports.upkeep.daily_upkeep": "reports.jobs.upkeep.daily_upkeep",
    "ledgers.notify_tasks.deliver": "reports.jobs.notifications.deliver",
    "ledgers.notify_tasks.daily_notifications": "reports.jobs.notifications.daily_notifications",
}


def forwards(apps, schema_editor):
    rename(apps, MOVED)


def backwards(apps, schema_editor):
    rename(apps, {new: old for old, new in MOVED.items()})


def rename(apps, paths):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in paths.items():
        DBTaskResult.objects.filter(task_path=old).update(task_path=new)


class Migration(migrations.Migration):
    """Tasks queued before the move (tomorrow's upkeep and reminders, deliveries waiting for a retry)
    run from the new paths."""

    dependencies = [
        ("reports", "0005_publishedreport_kinds"),
        ("django_tasks_database", "__latest__"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
