from django.apps import AppConfig


class WebformsConfig(AppConfig):
    name = "frontdoor.intake.webforms"
    label = "webforms"
    verbose_name = "Online forms"
