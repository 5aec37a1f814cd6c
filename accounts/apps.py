from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts.models import Role

        # A misspelt role would silently let nobody refund: fail at start-up instead.
        unknown = sorted(set(settings.REFUND_ROLES) - set(Role.values))
        if unknown:
            raise ImproperlyConfigured(
                f"REFUND_ROLES names unknown roles {unknown}; known: {', '.join(Role.values)}"
            )
