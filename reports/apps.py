from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表"

    def ready(self):
        from . import home  # noqa: F401  (registers the leader's home panel)
