from django.contrib import admin

from frontdoor.routing.models import RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """Listed here for completeness; rules are written and tried out in the staff console."""

    list_display = ["position", "name", "is_active", "department", "service", "updated_at"]
    list_display_links = ["name"]
    ordering = ["position"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
