from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """The insights app keeps its Django models in `insights.records`.

    `insights/models/` is the pure NumPy/SciPy statistics package that must not import
    Django (an import-linter contract), so the ORM models live under another name.
    """

    name = "insights"
    verbose_name = _("Insights")

    def import_models(self) -> None:
        assert self.apps is not None
        self.models = self.apps.all_models[self.label]
        self.models_module = import_module(f"{self.name}.records")

    def ready(self) -> None:
        import_module(f"{self.name}.tasks")
