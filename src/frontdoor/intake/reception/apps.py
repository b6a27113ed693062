from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "frontdoor.intake.reception"
    label = "reception"
    verbose_name = "Reception queue"
