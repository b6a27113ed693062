from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "frontdoor.api"
    label = "api"
    verbose_name = "JSON API"
