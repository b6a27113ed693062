"""Outbound email: the outbox the worker sends from, and the council's editable templates."""

from django.conf import settings
from django.db import models

from frontdoor.cases.models import Case, Contact
from frontdoor.directory.models import ContactPoint


class EmailTemplate(models.Model):
    """Wording the council edits: the subject, plain text and HTML of one kind of email.

    An inbox may have its own; otherwise the council-wide one (no inbox) is used. Templates
    use Django's template language with the placeholders listed in the help text."""

    class Purpose(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement of a new email"
        FORM_CONFIRMATION = "form_confirmation", "Confirmation of an online request"
        ACCOUNT_VERIFICATION = "account_verification", "Confirm your email address (My Account)"
        PASSWORD_RESET = "password_reset", "Reset your password (My Account)"
        CASE_FORWARDED = "case_forwarded", "Progress: passed to the department"
        CASE_SCHEDULED = "case_scheduled", "Progress: work scheduled"
        CASE_RESOLVED = "case_resolved", "Progress: resolved"
        CASE_CLOSED = "case_closed", "Progress: closed"

    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    contact_point = models.ForeignKey(
        ContactPoint,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="email_templates",
        limit_choices_to={"kind": ContactPoint.Kind.EMAIL},
        help_text="Leave empty for the wording every inbox uses unless it has its own.",
    )
    subject = models.CharField(max_length=300)
    text = models.TextField(help_text="The plain-text version, which every email has.")
    html = models.TextField(
        blank=True,
        default="",
        help_text="Optional HTML version. Leave empty to send plain text only.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "contact_point"], name="email_template_one_per_inbox"
            ),
            models.UniqueConstraint(
                fields=["purpose"],
                condition=models.Q(contact_point__isnull=True),
                name="email_template_one_council_wide",
            ),
        ]

    def __str__(self) -> str:
        where = self.contact_point.address if self.contact_point else "every inbox"
        return f"{self.get_purpose_display()} ({where})"


class OutboundEmail(models.Model):
    """One email the council sends. Written in the same transaction as what caused it; the
    worker delivers it after commit and retries with backoff until the relay takes it."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
        REPLY = "reply", "Reply from staff"
        CONFIRMATION = "confirmation", "Confirmation of an online request"
        ACCOUNT = "account", "My Account (verification, password reset)"
        NOTIFICATION = "notification", "Progress notification"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to send"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="outbound_emails"
    )
    contact = models.OneToOneField(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="outbound_email"
    )
    # What caused it, so a re-delivered message can never be acknowledged twice.
    cause_key = models.CharField(max_length=400, null=True, blank=True, unique=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_address = models.CharField(max_length=254)
    from_name = models.CharField(max_length=200, blank=True, default="")
    to_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=500)
    text_body = models.TextField()
    html_body = models.TextField(blank=True, default="")
    message_id = models.CharField(max_length=300, unique=True)
    in_reply_to = models.CharField(max_length=300, blank=True, default="")
    references = models.TextField(blank=True, default="")
    auto_submitted = models.BooleanField(
        default=False, help_text="Sent by the system, not a person (RFC 3834 auto-replied)."
    )
    created_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A worker sending it holds it until then; a worker that died mid-send lets it go.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbound_email_due"),
            # the per-sender limit on acknowledgements
            models.Index(fields=["to_address", "kind", "created_at"], name="outbound_email_to"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to_address}"
