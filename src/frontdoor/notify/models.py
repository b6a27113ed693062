"""Outbound email and text messages: the outboxes the worker sends from, the council's
editable wording, its GOV.UK Notify templates, and how each customer wants to be told."""

from django.conf import settings
from django.db import models

from frontdoor.cases.models import Case, Contact
from frontdoor.customers.models import Customer
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
        # Restricted cases (social care): one neutral message whatever happened, so a shared
        # inbox or phone shows nothing of what the case is about.
        CASE_UPDATE_NEUTRAL = "case_update_neutral", "Progress on a restricted case (no details)"

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
    sms = models.TextField(
        "text message",
        blank=True,
        default="",
        help_text="The text message (SMS) version, for customers who chose to be told by text. "
        "Keep it short: 160 characters is one message. Leave empty for Frontdoor's own wording.",
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
        REPORT = "report", "Scheduled report"

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
    # What the message is (EmailTemplate.Purpose) and its fields, for a GOV.UK Notify template
    # (NotifyTemplate); empty for mail without a purpose of its own (a staff reply).
    purpose = models.CharField(max_length=20, blank=True, default="")
    personalisation = models.JSONField(default=dict, blank=True)
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
    notify_id = models.CharField(
        "GOV.UK Notify id", max_length=64, blank=True, default="", help_text="When sent by Notify."
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbound_email_due"),
            # the per-sender limit on acknowledgements
            models.Index(fields=["to_address", "kind", "created_at"], name="outbound_email_to"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to_address}"


class OutboundAttachment(models.Model):
    """A file sent with an outbound email (a monthly report's spreadsheet). Kept in the
    database beside its email, so a retry builds the same message again, and the outbox
    holds everything that was sent."""

    email = models.ForeignKey(OutboundEmail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()

    def __str__(self) -> str:
        return self.filename


class OutboundSMS(models.Model):
    """One text message the council sends, through GOV.UK Notify. Like OutboundEmail: written
    in the same transaction as what caused it, sent by the worker after commit, retried with
    backoff. Without a Notify key it waits, saying so, and goes once the key is set."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to send"
        NOT_SET_UP = "not_set_up", "SMS is not set up"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="outbound_sms"
    )
    # What caused it (e.g. "notice:<case event>"): one message per cause, however often asked.
    cause_key = models.CharField(max_length=400, null=True, blank=True, unique=True)
    purpose = models.CharField(max_length=20, choices=EmailTemplate.Purpose.choices)
    to_number = models.CharField(max_length=20, help_text="E.164, e.g. +447700900123")
    body = models.TextField()
    personalisation = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A worker sending it holds it until then; a worker that died mid-send lets it go.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    notify_id = models.CharField("GOV.UK Notify id", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "outbound text message"
        ordering = ["-created_at"]
        indexes = [
            # the worker's sweep: queued (or waiting for Notify) messages that are due
            models.Index(fields=["status", "next_attempt_at"], name="outbound_sms_due"),
        ]

    def __str__(self) -> str:
        return f"Text message to {self.to_number}"


class NotifyTemplate(models.Model):
    """The GOV.UK Notify template a message goes through, per purpose and channel.

    Every message is sent with the personalisation fields listed in PERSONALISATION_HELP, so
    a Notify template may use any of them; the simplest is one whose whole content is
    ((body)) (and, for email, subject ((subject))), which sends the council's own wording
    from Email templates. A template with no purpose is used for every message whose purpose
    has none of its own (staff replies, acknowledgements)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    purpose = models.CharField(
        max_length=20,
        choices=EmailTemplate.Purpose.choices,
        blank=True,
        default="",
        help_text="Leave empty for the template used by every message without its own.",
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    template_id = models.UUIDField(
        "Notify template id", help_text="From Notify: Templates, the template, Copy template ID."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "GOV.UK Notify template"
        constraints = [
            models.UniqueConstraint(fields=["purpose", "channel"], name="notify_template_once")
        ]

    def __str__(self) -> str:
        purpose = self.get_purpose_display() if self.purpose else "Any other message"
        return f"{purpose} ({self.get_channel_display().lower()})"


class NotificationPreference(models.Model):
    """How a customer chose to hear about progress on their cases. With no row, the default:
    email if they have an address, else a text if they have a UK mobile (see selectors)."""

    class By(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        NONE = "none", "Do not tell me"

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="notification_preference"
    )
    by = models.CharField(max_length=8, choices=By.choices)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.get_by_display()}"
