from django.contrib import admin

from frontdoor.intake.reception.models import DeskService, ReceptionTicket, TicketEvent


@admin.register(DeskService)
class DeskServiceAdmin(admin.ModelAdmin):
    """Which services each reception desk issues tickets for, and their letters."""

    list_display = ["desk", "position", "letter", "service"]
    list_display_links = ["letter"]
    list_filter = ["desk"]
    list_select_related = ["desk", "service"]
    ordering = ["desk", "position", "letter"]


class _Events(admin.TabularInline):
    model = TicketEvent
    fields = ["at", "kind", "actor", "counter"]
    readonly_fields = ["at", "kind", "actor", "counter"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReceptionTicket)
class ReceptionTicketAdmin(admin.ModelAdmin):
    """Tickets change only through the front-desk screen (reception services), which keeps
    the numbering, the one-visitor-at-a-time rule and the recorded contact right; here they
    can be looked at."""

    list_display = ["code", "issued_on", "desk", "service", "status", "issued_at", "called_by"]
    list_filter = ["status", "desk", "issued_on"]
    list_select_related = ["desk", "service", "called_by"]
    search_fields = ["code"]
    date_hierarchy = "issued_at"
    inlines = [_Events]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
