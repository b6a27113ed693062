import uuid

from django.conf import settings
from django.db import models

from frontdoor.customers.models import Customer
from frontdoor.directory.models import ContactPoint, Department, Service


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    WEB_FORM = "web_form", "Web form"
    E_FORM = "e_form", "E-form"
    CHAT = "chat", "Chat"
    SOCIAL = "social", "Social media"
    FACE_TO_FACE = "face_to_face", "Face to face"
    LETTER = "letter", "Letter"
    OPEN311 = "open311", "Open311 app"
    STAFF = "staff", "Staff console"


SELF_SERVICE_CHANNELS = frozenset({Channel.WEB_FORM, Channel.E_FORM, Channel.OPEN311})


class Outcome(models.Model):
    """How a case ended, from a council-editable list (e.g. 'Information given')."""

    name = models.CharField(max_length=120, unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """Something the council must do or answer, with a reference and working-day targets."""

    class Kind(models.TextChoices):
        REQUEST = "request", "Request for service"
        ENQUIRY = "enquiry", "Enquiry"
        COMPLAINT = "complaint", "Complaint"
        COMPLIMENT = "compliment", "Compliment"
        COMMENT = "comment", "Comment"

    class Priority(models.IntegerChoices):
        URGENT = 1, "Urgent"
        HIGH = 2, "High"
        NORMAL = 3, "Normal"
        LOW = 4, "Low"

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        AWAITING_CUSTOMER = "awaiting_customer", "Awaiting customer"
        FORWARDED = "forwarded", "Forwarded to department"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    reference = models.CharField(max_length=24, unique=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cases")
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # case_customer leads with it
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.REQUEST)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    summary = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    location = models.CharField(max_length=300, blank=True, default="")
    location_postcode = models.CharField(max_length=8, blank=True, default="")
    location_uprn = models.BigIntegerField(null=True, blank=True)
    # A point (WGS84), from a map or an app: Open311 reports carry one.
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    restricted = models.BooleanField(
        default=False, help_text="Copied from the service when opened; decides who may see it."
    )

    opened_at = models.DateTimeField()
    first_response_due = models.DateTimeField()
    resolution_due = models.DateTimeField()
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        db_index=False,  # case_assignee leads with it
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text="The department that owns the case now: the service's, or where it was sent.",
        db_index=False,  # case_department leads with it
    )
    forwarded_at = models.DateTimeField(null=True, blank=True)
    outcome = models.ForeignKey(Outcome, null=True, blank=True, on_delete=models.PROTECT)
    resolution_note = models.TextField(blank=True, default="")
    resolved_first_contact = models.BooleanField(
        null=True, blank=True, help_text="Resolved at first point of contact (set on resolving)."
    )
    reopened_count = models.PositiveSmallIntegerField(default=0)
    previous_case = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_on_cases",
        help_text="The earlier case this one follows on from (e.g. a late reply).",
    )
    routed_by = models.ForeignKey(
        "routing.RoutingRule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        help_text="The keyword routing rule that decided where this case went.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["resolution_due"]
        indexes = [
            # cases_assigned_to ("my cases"): open cases of one person by due date
            models.Index(fields=["assigned_to", "status", "resolution_due"], name="case_assignee"),
            # department_inbox: a department's open cases by due date
            models.Index(fields=["department", "status", "resolution_due"], name="case_department"),
            # the reporting rollup: the cases resolved on one day
            models.Index(fields=["resolved_at"], name="case_resolved"),
            # customer page: a customer's cases, newest first
            models.Index(fields=["customer", "-opened_at"], name="case_customer"),
            # reporting and the open-case lists, filtered by status then date
            models.Index(fields=["status", "opened_at"], name="case_status_opened"),
            # reports on one service: its open cases by age and past target (without it the
            # planner walks every case the service ever had)
            models.Index(
                fields=["service", "status", "opened_at", "resolution_due"],
                name="case_service_open",
            ),
            # the API's case list: what changed since a moment, oldest change first
            models.Index(fields=["updated_at", "id"], name="case_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["resolved", "closed"])
                | (models.Q(outcome__isnull=False) & ~models.Q(resolution_note="")),
                name="case_resolved_has_outcome_and_note",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


OPEN_STATUSES = (
    Case.Status.NEW,
    Case.Status.IN_PROGRESS,
    Case.Status.AWAITING_CUSTOMER,
    Case.Status.FORWARDED,
)


class Contact(models.Model):
    """One interaction, in or out, on any channel: the unit of the contact baseline."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    channel = models.CharField(max_length=16, choices=Channel.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.INBOUND)
    # Their own indexes would repeat contact_point_time, contact_customer and contact_case,
    # which lead with them.
    contact_point = models.ForeignKey(
        ContactPoint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        db_index=False,
    )
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        db_index=False,
    )
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        db_index=False,
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    occurred_at = models.DateTimeField()
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    # How long the customer waited before anyone took them: a reception ticket from issue to
    # call, a call in the phone queue. Empty where there is no queue, or it is not known.
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_contacts",
    )
    summary = models.TextField(blank=True, default="")
    # The source's own identity (Message-ID, Open311 id, import row key): never taken twice.
    source_key = models.CharField(max_length=400, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            # case page: the contacts on one case in time order
            models.Index(fields=["case", "occurred_at"], name="contact_case"),
            # customer page: a customer's contact history, newest first
            models.Index(fields=["customer", "-occurred_at"], name="contact_customer"),
            # contact-point hygiene: last contact and volume per contact point
            models.Index(fields=["contact_point", "occurred_at"], name="contact_point_time"),
            # the contact baseline by channel and day
            models.Index(fields=["occurred_at", "channel"], name="contact_time_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_direction_display().lower()} contact"


class CaseEvent(models.Model):
    """One entry on a case's timeline: the audit trail and the customer's progress view."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Case opened"
        CONTACT = "contact", "Contact logged"
        NOTE = "note", "Note added"
        STARTED = "started", "Work started"
        AWAITING_CUSTOMER = "awaiting_customer", "Waiting for the customer"
        FORWARDED = "forwarded", "Forwarded to department"
        ACCEPTED = "accepted", "Taken by department"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"
        ASSIGNED = "assigned", "Assigned"
        RELEASED = "released", "Returned to the queue"
        CUSTOMER_UPDATE = "customer_update", "Update from the customer"
        SCHEDULED = "scheduled", "Scheduled"

    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # case_event_case leads with it
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    text = models.TextField(blank=True, default="")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visible_to_customer = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # case page timeline: one case's events in time order
            models.Index(fields=["case", "at"], name="case_event_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class RestrictedCaseView(models.Model):
    """Every time anyone opens a restricted case (e.g. social care): who, which, when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="restricted_views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        indexes = [
            # audit: who opened this restricted case
            models.Index(fields=["case", "-at"], name="restricted_view_case"),
        ]

    def __str__(self) -> str:
        return f"{self.viewer_id} viewed {self.case_id} at {self.at:%Y-%m-%d %H:%M}"


def case_file_path(instance: "CaseFile", filename: str) -> str:
    """A name of our own making, by case and at random: what the sender called the file is
    kept apart (CaseFile.name), so no name they choose reaches the file system."""
    return f"case-files/{instance.case_id}/{uuid.uuid4().hex}.{instance.extension}"


class CaseFile(models.Model):
    """A file sent with an update on a case (a photo of the problem, a letter), checked for
    type by its content and for size (cases.uploads). Staff download it from the case page."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=case_file_path, max_length=200)
    name = models.CharField(max_length=200, help_text="What the sender called it, made safe.")
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name
