from django.db import migrations

from ledgers import versions


class Migration(migrations.Migration):
    """Counters per unit moved by triggers on every write (ledgers.versions). `migrate` also drops
    the triggers before it runs and makes them again from ledgers.versions when it ends
    (ledgers.apps), so later migrations and later changes of that list need nothing more."""

    dependencies = [
        ('ledgers', '0011_month_summary_indexes'),
    ]

    operations = [
        migrations.RunPython(versions.install, versions.uninstall),
    ]
