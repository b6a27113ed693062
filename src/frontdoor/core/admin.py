from django.contrib import admin
from django.db import models

from frontdoor.core.models import Closure, Council, OpeningHours


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "reference_prefix", "phone"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):  # one council per installation
        return not Council.objects.exists()


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["weekday", "opens", "closes"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["date", "reason"]
