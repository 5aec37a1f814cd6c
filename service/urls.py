from django.urls import URLPattern

from service import numbers_urls

app_name = "service"
urlpatterns: list[URLPattern] = [*numbers_urls.urlpatterns]
