from django.apps import AppConfig


class HuitouConfig(AppConfig):
    name = "huitou"
    verbose_name = "Huitou"
