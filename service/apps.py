from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = _("Service")

    def ready(self) -> None:
        from core.calendar import calendar_listeners
        from service import contributions_surveys, numbers_page, rd
        from service.contributions import register

        register()
        contributions_surveys.register()
        numbers_page.register_key_figures()
        rd.register_export()
        tasks = import_module(f"{self.name}.tasks")
        import_module(f"{self.name}.sla_admin")
        # A changed company calendar moves the open tickets' deadlines (in the background).
        calendar_listeners.register("service-sla", tasks.recompute_deadlines)
