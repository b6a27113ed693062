from typing import cast

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from frontdoor.api.models import ApiKey, RestrictedCaseRead
from frontdoor.api.services import (
    ApiKeyDraft,
    api_key_issue,
    api_key_revoke,
    contact_point_address,
)
from frontdoor.directory.models import ContactPoint


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = [
            "name",
            "contact_point",
            "every_service",
            "departments",
            "services",
            "may_view_restricted",
            "may_create_cases",
            "may_use_customers",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        point = cast(forms.ModelChoiceField, self.fields["contact_point"])
        point.queryset = ContactPoint.objects.filter(kind=ContactPoint.Kind.E_FORM)
        if self.instance.pk is None:
            point.required = False
            point.help_text = (
                "Leave empty for a new one named after the key. When a key replaces an "
                "integration's old key, choose the old key's contact point."
            )

    def clean(self):
        data = super().clean() or {}
        name = (data.get("name") or "").strip()
        if self.instance.pk is None and name and not data.get("contact_point"):
            address = contact_point_address(name)
            if ContactPoint.objects.filter(kind=ContactPoint.Kind.E_FORM, address=address).exists():
                self.add_error(
                    "contact_point",
                    f"There is already an e-form contact point at {address}: choose it here, "
                    "or name the key differently",
                )
        return data


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued here (the whole key is shown once, on the page after) and revoked
    with the action; their scope may be changed. A key is never deleted: revoke it."""

    form = ApiKeyForm
    list_display = ["name", "prefix", "contact_point", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["contact_point"]
    search_fields = ["name", "prefix"]
    filter_horizontal = ["departments", "services"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        issued = api_key_issue(
            draft=ApiKeyDraft(
                name=data["name"],
                contact_point=data.get("contact_point"),
                every_service=data["every_service"],
                departments=list(data["departments"]),
                services=list(data["services"]),
                may_view_restricted=data["may_view_restricted"],
                may_create_cases=data["may_create_cases"],
                may_use_customers=data["may_use_customers"],
            ),
            actor=request.user,
        )
        obj.pk = issued.key.pk
        obj.refresh_from_db()
        # Shown by response_add on the page that follows, and kept nowhere.
        request.api_key_issued = issued.secret

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "api_key_issued", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        return TemplateResponse(
            request,
            "admin/api/apikey/issued.html",
            {
                **self.admin_site.each_context(request),
                "title": f"API key for {obj.name}",
                "key": obj,
                "secret": secret,
                "opts": self.model._meta,
            },
        )

    @admin.action(description="Revoke selected keys (they stop working at once)")
    def revoke(self, request, queryset):
        count = sum(1 for key in queryset if api_key_revoke(key=key, actor=request.user))
        self.message_user(request, f"{count} key(s) revoked", messages.SUCCESS)


@admin.register(RestrictedCaseRead)
class RestrictedCaseReadAdmin(admin.ModelAdmin):
    """The audit of restricted cases read through the API. Read only."""

    list_display = ["at", "key", "case"]
    list_select_related = ["key", "case"]
    search_fields = ["case__reference", "key__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
