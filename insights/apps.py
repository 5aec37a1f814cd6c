from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Django models in `insights.models`; the statistics in `insights.stats` (no Django)."""

    name = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from insights import contributions, exports, key_figures, warnings

        import_module(f"{self.name}.tasks")
        warnings.register()
        key_figures.register()
        contributions.register()
        exports.register()
