from django.contrib import admin

from frontdoor.portal.models import ResidentAccount


@admin.register(ResidentAccount)
class ResidentAccountAdmin(admin.ModelAdmin):
    """Residents' accounts, to answer "did my account get made?". Changed only by the
    resident (My Account), so read only here."""

    list_display = ["email", "verified_at", "created_at"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    readonly_fields = ["user", "email", "verified_at", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
