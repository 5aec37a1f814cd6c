from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

STACKING_POLICIES = ("best", "all")


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self) -> None:
        from loyalty import contributions, referral_contributions, tier_contributions

        if settings.LOYALTY_DISCOUNT_STACKING not in STACKING_POLICIES:
            raise ImproperlyConfigured(
                f"LOYALTY_DISCOUNT_STACKING must be one of {', '.join(STACKING_POLICIES)}, "
                f"got {settings.LOYALTY_DISCOUNT_STACKING!r}"
            )
        contributions.register()
        referral_contributions.register()
        tier_contributions.register()
