from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = _("Service")

    def ready(self) -> None:
        from service import contributions_surveys, numbers_page, rd
        from service.contributions import register

        register()
        contributions_surveys.register()
        numbers_page.register_key_figures()
        rd.register_export()
