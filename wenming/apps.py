from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class WenmingConfig(AppConfig):
    name = "wenming"
    verbose_name = "系统"
    default = True

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)


class BureauAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "wenming.admin.BureauAdminSite"
