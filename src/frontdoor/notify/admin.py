from django import forms
from django.contrib import admin, messages
from django.template import TemplateSyntaxError

from frontdoor.notify.gov_notify import PERSONALISATION_HELP
from frontdoor.notify.models import (
    EmailTemplate,
    NotificationPreference,
    NotifyTemplate,
    OutboundEmail,
    OutboundSMS,
)
from frontdoor.notify.services import outbound_email_retry, outbound_sms_retry, template_check

PLACEHOLDERS = (
    "Placeholders: {{ customer_name }}, {{ reference }}, {{ reference_tag }}, {{ service }} "
    "and {{ council_name }} in every message. Acknowledgements: {{ subject }} (of their "
    "email), {{ reply_by }}, {{ resolve_by }}, and {% for way in ways_in %}{{ way.label }}: "
    "{{ way.value }}{% endfor %}. Progress (CASE_*): {{ follow_url }} (where to follow the case "
    "online), {{ council_phone }}, {{ target_date }}; forwarded: {{ department }}; scheduled: "
    "{{ what }}, {{ scheduled_for }}; resolved: {{ outcome }}, {{ resolution }}, "
    "{{ reopen_by }}. The restricted-case message has only {{ reference }}, "
    "{{ reference_tag }}, {{ follow_url }}, {{ council_name }} and {{ council_phone }}."
)


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["purpose", "contact_point", "subject", "text", "html", "sms"]
        help_texts = {"text": PLACEHOLDERS}

    def clean(self):
        data = super().clean() or {}
        for name in ("subject", "text", "html", "sms"):
            try:
                template_check(data.get(name, ""))
            except TemplateSyntaxError as error:
                self.add_error(name, f"This wording cannot be used: {error}")
        return data


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    form = EmailTemplateForm
    list_display = ["purpose", "contact_point", "subject", "updated_at"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox, to see what was sent and why something was not. Read only."""

    list_display = ["created_at", "kind", "to_address", "subject", "status", "attempts"]
    list_filter = ["status", "kind"]
    search_fields = ["to_address", "subject", "message_id", "case__reference"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Send again (mail that could not be sent)")
    def send_again(self, request, queryset):
        count = sum(1 for email in queryset if outbound_email_retry(email=email))
        self.message_user(request, f"{count} email(s) queued to send again", messages.SUCCESS)


@admin.register(OutboundSMS)
class OutboundSMSAdmin(admin.ModelAdmin):
    """The text message outbox. Read only, like the email outbox."""

    list_display = ["created_at", "purpose", "to_number", "status", "attempts", "notify_id"]
    list_filter = ["status", "purpose"]
    search_fields = ["to_number", "notify_id", "case__reference"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Send again (texts that could not be sent)")
    def send_again(self, request, queryset):
        count = sum(1 for sms in queryset if outbound_sms_retry(sms=sms))
        self.message_user(
            request, f"{count} text message(s) queued to send again", messages.SUCCESS
        )


class NotifyTemplateForm(forms.ModelForm):
    class Meta:
        model = NotifyTemplate
        fields = ["purpose", "channel", "template_id"]
        help_texts = {"template_id": PERSONALISATION_HELP}


@admin.register(NotifyTemplate)
class NotifyTemplateAdmin(admin.ModelAdmin):
    form = NotifyTemplateForm
    list_display = ["__str__", "template_id", "updated_at"]
    list_filter = ["channel"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """Shown for support; residents change theirs in My Account (notification_preference_set)."""

    list_display = ["customer", "by", "updated_at", "updated_by"]
    list_filter = ["by"]
    search_fields = ["customer__family_name", "customer__organisation_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
