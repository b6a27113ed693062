from django import forms
from django.contrib import admin, messages
from django.template import TemplateSyntaxError

from frontdoor.notify.models import EmailTemplate, OutboundEmail
from frontdoor.notify.services import outbound_email_retry, template_check

PLACEHOLDERS = (
    "Placeholders: {{ customer_name }}, {{ reference }}, {{ reference_tag }}, {{ subject }} "
    "(of their email), {{ service }}, {{ reply_by }}, {{ resolve_by }}, {{ council_name }}, "
    "and {% for way in ways_in %}{{ way.label }}: {{ way.value }}{% endfor %}."
)


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["purpose", "contact_point", "subject", "text", "html"]
        help_texts = {"text": PLACEHOLDERS}

    def clean(self):
        data = super().clean() or {}
        for name in ("subject", "text", "html"):
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
