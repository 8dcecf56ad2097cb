from django.db import migrations

from ledgers import versions


class Migration(migrations.Migration):
    """The data versions' change log and epoch row (ledgers.versions): triggers append to the log
    instead of updating shared counter rows, which deadlocked under mixed writes. migrate's end
    replaces every trigger in place (ledgers.apps)."""

    dependencies = [
        ('ledgers', '0013_assignment_month_figures'),
    ]

    operations = [
        migrations.RunPython(versions.install_log, migrations.RunPython.noop),
    ]
