from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "frontdoor.reporting"
    label = "reporting"
    verbose_name = "Reporting"
