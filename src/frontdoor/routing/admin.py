from django.contrib import admin

from frontdoor.routing.models import AdvisorState, RoutingRule, WorkItem, WorkOffer, WorkQueue


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


@admin.register(WorkQueue)
class WorkQueueAdmin(admin.ModelAdmin):
    list_display = [
        "position",
        "name",
        "channel",
        "minimum_skill_level",
        "push_timeout_seconds",
        "is_active",
    ]
    list_display_links = ["name"]
    list_filter = ["channel", "is_active"]
    filter_horizontal = ["services"]


class LookOnly(admin.ModelAdmin):
    """Work and presence change only through the routing services (offers, claims, the
    workspace), which keep an item held by one advisor at most; here they can be looked at."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkItem)
class WorkItemAdmin(LookOnly):
    list_display = ["case", "queue", "status", "due_at", "priority", "offered_to", "assigned_to"]
    list_filter = ["status", "queue", "channel"]
    list_select_related = ["case", "queue", "offered_to", "assigned_to"]
    search_fields = ["case__reference"]
    show_full_result_count = False


@admin.register(AdvisorState)
class AdvisorStateAdmin(LookOnly):
    list_display = ["user", "presence", "presence_since", "presence_note", "idle_since"]
    list_filter = ["presence"]
    list_select_related = ["user"]


@admin.register(WorkOffer)
class WorkOfferAdmin(LookOnly):
    list_display = ["item", "advisor", "offered_at", "answer", "answered_at"]
    list_filter = ["answer"]
    list_select_related = ["item__case", "advisor"]
    show_full_result_count = False
