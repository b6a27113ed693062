from django.db import models

from frontdoor.cases.models import Case, Contact
from frontdoor.directory.models import ContactPoint


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
        ContactPoint, on_delete=models.PROTECT, related_name="inbound_emails"
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
