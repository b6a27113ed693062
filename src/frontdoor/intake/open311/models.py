"""Apps such as FixMyStreet that report in over Open311 GeoReport v2, what each sent, and the
updates (mySociety's extension) they post on their reports.

A request from an app becomes a case through the online forms' write path, on the app's own
contact point; this app keeps the Open311 side of it: the app's ids, its point and address,
the attributes as sent, and the token."""

from __future__ import annotations

import hashlib

from django.db import models

from frontdoor.cases.models import Case, CaseEvent, Outcome
from frontdoor.directory.models import ContactPoint
from frontdoor.intake.webforms.models import RequestForm


def api_key_digest(key: str) -> str:
    """What is stored of an API key. Keys are long random strings, not passwords a person
    chose, so one SHA-256 is enough to make a leaked table useless and keeps every call to a
    single indexed lookup."""
    return hashlib.sha256(key.encode()).hexdigest()


class Open311Client(models.Model):
    """One app allowed to post requests and updates: FixMyStreet, a council's own app."""

    name = models.CharField(max_length=120, unique=True)
    contact_point = models.OneToOneField(
        ContactPoint,
        on_delete=models.PROTECT,
        related_name="open311_client",
        limit_choices_to={"kind": ContactPoint.Kind.OPEN311},
        help_text="The Open311 contact point its requests and updates are counted on.",
    )
    api_key_hash = models.CharField(max_length=64, unique=True, editable=False)
    own_id_attribute = models.SlugField(
        max_length=60,
        default="fixmystreet_id",
        help_text="The attribute in which the app sends its own id for a report "
        "(attribute[fixmystreet_id] for FixMyStreet): the same id posted again is the same "
        "report.",
    )
    confirm_by_email = models.BooleanField(
        default=False,
        help_text="Email reporters the council's confirmation with the case reference as "
        "well. Apps such as FixMyStreet confirm to their users themselves (and pass on the "
        "council's updates), so by default the council does not send a second email.",
    )
    is_active = models.BooleanField(
        default=True,
        help_text="Untick to refuse the app's key (within ten seconds), without deleting it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "Open311 client"

    def __str__(self) -> str:
        return self.name


class Open311Request(models.Model):
    """The Open311 side of a case an app reported: what it sent, as it sent it."""

    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT, related_name="requests")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="open311_request")
    form = models.ForeignKey(
        RequestForm,
        on_delete=models.PROTECT,
        related_name="open311_requests",
        help_text="The service it was reported against (its slug is the service code).",
    )
    source_key = models.CharField(
        max_length=200,
        unique=True,
        help_text="open311:<client>:<the app's own id>, or a digest of what was sent when it "
        "gave none: the same report posted twice is one case.",
    )
    client_request_id = models.CharField(
        max_length=100, blank=True, default="", help_text="The app's own id for the report."
    )
    token = models.CharField(max_length=32, unique=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address_string = models.CharField(max_length=300, blank=True, default="")
    address_id = models.CharField(max_length=100, blank=True, default="")
    description = models.TextField(blank=True, default="", help_text="As the app sent it.")
    media_url = models.URLField(max_length=2000, blank=True, default="")
    attributes = models.JSONField(default=dict, help_text="attribute[code] values as sent.")
    # Who reported it, as the app said: kept for the case, never shown in GET requests.
    email = models.EmailField(blank=True, default="")
    device_id = models.CharField(max_length=100, blank=True, default="")
    account_id = models.CharField(max_length=100, blank=True, default="")
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "Open311 request"
        indexes = [
            # GET requests: the newest requests in a date window
            models.Index(fields=["received_at"], name="open311_request_received"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "client_request_id"],
                condition=~models.Q(client_request_id=""),
                name="open311_request_client_id_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.client_request_id or self.token}"


class Open311Update(models.Model):
    """An update an app posted on one of its reports (mySociety's extension): a comment, a
    status as the app sees it, perhaps a request to reopen. The council's own updates are the
    public events of the case's timeline, read where they are (see selectors)."""

    request = models.ForeignKey(Open311Request, on_delete=models.CASCADE, related_name="updates")
    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT, related_name="updates")
    client_update_id = models.CharField(max_length=100, help_text="The app's own update_id.")
    status = models.CharField(max_length=32, help_text="The status the app sent (OPEN, CLOSED…).")
    description = models.TextField(blank=True, default="")
    media_url = models.URLField(max_length=2000, blank=True, default="")
    attributes = models.JSONField(default=dict)
    updated_at = models.DateTimeField(help_text="When the app says the update was made.")
    received_at = models.DateTimeField()
    event = models.OneToOneField(
        CaseEvent,
        on_delete=models.PROTECT,
        related_name="open311_update",
        help_text="The customer-update event it became on the case's timeline.",
    )
    reopened = models.BooleanField(default=False, help_text="It reopened the case.")
    # Who wrote it, as the app said (anyone may comment on a report in some apps).
    email = models.EmailField(blank=True, default="")
    name = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["received_at"]
        verbose_name = "Open311 update"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "client_update_id"], name="open311_update_client_id_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} update {self.client_update_id}"


class ExtendedStatus(models.TextChoices):
    """mySociety's statuses, beyond the standard's open and closed."""

    OPEN = "OPEN"
    CLOSED = "CLOSED"
    FIXED = "FIXED"
    IN_PROGRESS = "IN_PROGRESS"
    PLANNED = "PLANNED"
    ACTION_SCHEDULED = "ACTION_SCHEDULED"
    INVESTIGATING = "INVESTIGATING"
    DUPLICATE = "DUPLICATE"
    NOT_COUNCILS_RESPONSIBILITY = "NOT_COUNCILS_RESPONSIBILITY"
    NO_FURTHER_ACTION = "NO_FURTHER_ACTION"
    INTERNAL_REFERRAL = "INTERNAL_REFERRAL"
    CANCELLED = "CANCELLED"
    REOPEN = "REOPEN"
    FOR_TRIAGE = "FOR_TRIAGE"


class OutcomeStatus(models.Model):
    """The status apps are told when a case ends with this outcome (FIXED when none is set):
    'No further action needed' is NO_FURTHER_ACTION, 'Referred to partner organisation' is
    NOT_COUNCILS_RESPONSIBILITY."""

    outcome = models.OneToOneField(Outcome, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=32, choices=ExtendedStatus.choices)

    class Meta:
        ordering = ["outcome__name"]
        verbose_name = "Open311 status of an outcome"
        verbose_name_plural = "Open311 statuses of outcomes"

    def __str__(self) -> str:
        return f"{self.outcome}: {self.status}"
