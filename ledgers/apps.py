from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class LedgersConfig(AppConfig):
    name = "ledgers"
    verbose_name = "创建台账"

    def ready(self):
        from . import versions

        # The data versions' triggers are off while migrations run and remade after them.
        pre_migrate.connect(versions.uninstall_before_migrate, sender=self)
        post_migrate.connect(versions.install_after_migrate, sender=self)

        from .choices_display import speed_up_choice_displays

        speed_up_choice_displays(self.get_models())
