from django.contrib import admin, messages

from frontdoor.intake.open311.models import (
    Open311Client,
    Open311Request,
    Open311Update,
    OutcomeStatus,
)
from frontdoor.intake.open311.services import open311_client_create, open311_client_key_issue


def _show_key_once(request, client: Open311Client, key: str) -> None:
    messages.warning(
        request,
        f"The API key for {client.name} is {key} . Copy it now and give it to the app's "
        "people: it is not kept, and will not be shown again.",
    )


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    """The apps allowed to post over Open311. Adding one makes its contact point and its API
    key, which is shown once; "Issue a new API key" replaces a lost or leaked one."""

    list_display = ["name", "is_active", "contact_point", "confirm_by_email", "created_at"]
    list_select_related = ["contact_point"]
    actions = ["issue_new_key"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "own_id_attribute", "confirm_by_email"]
        return [
            "name",
            "own_id_attribute",
            "confirm_by_email",
            "is_active",
            "contact_point",
            "created_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return ["contact_point", "created_at"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # The form has checked the name; the service makes the contact point and the key.
        client, key = open311_client_create(
            name=obj.name,
            own_id_attribute=obj.own_id_attribute,
            confirm_by_email=obj.confirm_by_email,
        )
        # The admin goes on with the object it was given, to log the addition and link to it.
        obj.pk, obj.contact_point = client.pk, client.contact_point
        obj.api_key_hash, obj.created_at = client.api_key_hash, client.created_at
        _show_key_once(request, client, key)

    @admin.action(description="Issue a new API key (the old one stops working)")
    def issue_new_key(self, request, queryset):
        for client in queryset:
            _show_key_once(request, client, open311_client_key_issue(client=client))


@admin.register(OutcomeStatus)
class OutcomeStatusAdmin(admin.ModelAdmin):
    """What apps are told when a case ends with an outcome; FIXED where none is set."""

    list_display = ["outcome", "status"]
    list_select_related = ["outcome"]


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Open311Request)
class Open311RequestAdmin(_ReadOnly):
    """What apps reported, as they sent it. Read-only: each is a case, which staff work on."""

    list_display = ["received_at", "client", "case", "form", "client_request_id"]
    list_filter = ["client", "form"]
    list_select_related = ["client", "case", "form"]
    search_fields = ["case__reference", "client_request_id", "email"]
    readonly_fields = [f.name for f in Open311Request._meta.fields]
    show_full_result_count = False


@admin.register(Open311Update)
class Open311UpdateAdmin(_ReadOnly):
    list_display = ["received_at", "client", "request", "client_update_id", "status", "reopened"]
    list_filter = ["client", "status"]
    list_select_related = ["client", "request__case"]
    readonly_fields = [f.name for f in Open311Update._meta.fields]
    show_full_result_count = False
