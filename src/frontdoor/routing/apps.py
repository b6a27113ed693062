from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "frontdoor.routing"
    verbose_name = "Routing"
