from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "frontdoor.notify"
    verbose_name = "Outbound messages"
