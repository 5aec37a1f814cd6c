"""Top-level URL configuration."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from huitou.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page links to.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.ico"), permanent=True)),
    # The landing page: a rep starts the day on Today (anonymous visitors go to the login).
    path("", RedirectView.as_view(pattern_name="engagement:today", permanent=False)),
    path("accounts/", include("accounts.urls")),
    path("customers/", include("customers.urls")),
    path("sales/", include("sales.urls")),
    path("interactions/", include("interactions.urls")),
    path("imports/", include("imports.urls")),
    path("insights/", include("insights.urls")),
    path("engagement/", include("engagement.urls")),
    path("service/", include("service.urls")),
    path("loyalty/", include("loyalty.urls")),
]
