from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The leaf under every app: helpers and the records no single capability owns."""

    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        import_module(f"{self.name}.tasks")
        # Unusable working hours fail at start-up, not on the first deadline computed.
        calendar = import_module(f"{self.name}.calendar")
        calendar.working_hours()
        calendar.connect_override_signals()
