from django import forms
from django.contrib import admin

from frontdoor.intake.email.models import ImapMailbox


class ImapMailboxForm(forms.ModelForm):
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=True),
        help_text="Kept in the database: protect it and its backups as you would the mailbox.",
    )

    class Meta:
        model = ImapMailbox
        fields = [
            "contact_point",
            "host",
            "port",
            "security",
            "username",
            "password",
            "folder",
            "move_to",
            "is_active",
        ]


@admin.register(ImapMailbox)
class ImapMailboxAdmin(admin.ModelAdmin):
    form = ImapMailboxForm
    list_display = [
        "contact_point",
        "host",
        "username",
        "is_active",
        "last_polled_at",
        "last_error",
    ]
    readonly_fields = ["last_polled_at", "last_fetched", "last_error"]
