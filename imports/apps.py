from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("Imports and exports")

    def ready(self) -> None:
        from imports import contributions, exports

        contributions.register()
        exports.register()
        contributions.register_exports()
