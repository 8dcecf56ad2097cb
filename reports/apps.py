from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表"

    def ready(self):
        # Register the background job kinds (the worker imports reports.jobs.run_job by path)
        # and keep one daily upkeep queued (bin/serve and deploys run migrate).
        from . import job_kinds, upkeep  # noqa: F401

        post_migrate.connect(upkeep.schedule_after_migrate, sender=self)
        from . import home  # noqa: F401  (registers the leader's home panel)
