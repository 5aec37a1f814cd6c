from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from customers.extensions import personal_data_sources, timeline_sources
        from customers.personal_data import archive_sections
        from customers.services import profile_history

        # Last among same-moment events: a change recorded with an order or a call follows it.
        timeline_sources.register("profile-history", profile_history, order=30)
        personal_data_sources.register("archive", archive_sections, order=10)
