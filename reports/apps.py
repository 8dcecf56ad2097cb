from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表"

    def ready(self):
        # Register the background job kinds (the worker imports reports.jobs.run_job by path), and
        # keep the daily upkeep and the daily reminders (日结日清) queued: bin/serve and deploys run
        # migrate, which queues the first run of each.
        from .jobs import documents, notifications, upkeep  # noqa: F401

        post_migrate.connect(upkeep.schedule_after_migrate, sender=self)
        post_migrate.connect(notifications.schedule_after_migrate, sender=self)
        from ledgers.signals import deliveries_queued

        deliveries_queued.connect(notifications.queue_deliveries)
        from . import home  # noqa: F401  (registers the leader's home panel)
