from django.db import models

from frontdoor.cases.models import Case, Contact
from frontdoor.directory.models import ContactPoint
from frontdoor.notify.models import OutboundEmail


class InboundEmail(models.Model):
    """One message as received on one inbox: kept whole (raw bytes), once."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        QUARANTINED = "quarantined", "Quarantined"

    class Source(models.TextChoices):
        SMTP = "smtp", "SMTP receiver"
        IMAP = "imap", "IMAP mailbox"
        IMPORT = "import", "Imported from a folder"

    contact_point = models.ForeignKey(
        ContactPoint,
        on_delete=models.PROTECT,
        related_name="inbound_emails",
        db_index=False,  # inbound_email_once_per_inbox leads with it
    )
    # The message's own identity on this inbox: its Message-ID, or a hash of its bytes.
    message_key = models.CharField(max_length=300)
    message_id = models.CharField(max_length=300, blank=True, default="")
    source = models.CharField(max_length=8, choices=Source.choices)
    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    received_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    from_address = models.CharField(max_length=254, blank=True, default="")
    from_name = models.CharField(max_length=200, blank=True, default="")
    subject = models.CharField(max_length=500, blank=True, default="")
    in_reply_to = models.TextField(blank=True, default="")
    references = models.TextField(blank=True, default="")
    text_body = models.TextField(blank=True, default="")
    html_body = models.TextField(blank=True, default="")
    auto_reply_reason = models.CharField(
        max_length=200, blank=True, default="", help_text="Why no acknowledgement may be sent."
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    quarantine_reason = models.TextField(blank=True, default="")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_emails"
    )
    contact = models.OneToOneField(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_email"
    )
    acknowledgement = models.OneToOneField(
        OutboundEmail,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="acknowledges",
    )
    acknowledgement_skipped = models.CharField(
        max_length=300, blank=True, default="", help_text="Why no acknowledgement was sent."
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact_point", "message_key"], name="inbound_email_once_per_inbox"
            )
        ]
        indexes = [
            # threading: a reply's In-Reply-To / References looked up among stored Message-IDs
            models.Index(fields=["message_id"], name="inbound_email_message_id"),
            # the quarantine list for staff, newest first
            models.Index(fields=["status", "-received_at"], name="inbound_email_status"),
        ]

    def __str__(self) -> str:
        return f"{self.subject or '(no subject)'} from {self.from_address or 'unknown sender'}"


class EmailAttachment(models.Model):
    email = models.ForeignKey(InboundEmail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    content = models.BinaryField(null=True, blank=True)
    content_id = models.CharField(max_length=300, blank=True, default="")
    inline = models.BooleanField(default=False)
    omitted_reason = models.CharField(
        max_length=200, blank=True, default="", help_text="Why the content was not kept apart."
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename


class ImapMailbox(models.Model):
    """An inbox that lives on an IMAP server: the worker fetches its new mail.

    A message is marked seen (or moved to the processed folder) only after Frontdoor has
    committed it, so a crash between the two fetches it again, and storing is idempotent."""

    class Security(models.TextChoices):
        SSL = "ssl", "TLS from the start (port 993)"
        STARTTLS = "starttls", "STARTTLS (port 143)"
        NONE = "none", "None: only for a server on this machine or a trusted network"

    contact_point = models.OneToOneField(
        ContactPoint,
        on_delete=models.CASCADE,
        related_name="imap_mailbox",
        limit_choices_to={"kind": ContactPoint.Kind.EMAIL},
    )
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(max_length=8, choices=Security.choices, default=Security.SSL)
    username = models.CharField(max_length=255)
    # Kept in the database: protect it (and its backups) as you would the mailbox itself.
    password = models.CharField(max_length=255)
    folder = models.CharField(max_length=255, default="INBOX")
    move_to = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text="Move processed mail to this folder; leave empty to mark it as read instead.",
    )
    is_active = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_fetched = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = "IMAP mailbox"

    def __str__(self) -> str:
        return f"{self.username} on {self.host} for {self.contact_point.address}"
