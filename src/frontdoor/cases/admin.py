from django.contrib import admin

from frontdoor.cases.models import Outcome


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]


# Cases and contacts are changed only through the console, so every change is on the
# timeline; the admin does not offer them for editing.
