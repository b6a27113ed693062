from django.apps import AppConfig


class EmailIntakeConfig(AppConfig):
    name = "frontdoor.intake.email"
    label = "intake_email"
    verbose_name = "Email intake"
