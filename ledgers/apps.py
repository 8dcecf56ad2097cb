from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "ledgers"
    verbose_name = "创建台账"

    def ready(self):
        from .choices_display import speed_up_choice_displays

        speed_up_choice_displays(self.get_models())
