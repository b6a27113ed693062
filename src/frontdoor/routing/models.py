"""Keyword routing rules (ordered, council-edited, first match wins), and work distribution:
advisors' presence, queues, work items and the offers made of them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from frontdoor.cases.models import Case
from frontdoor.directory.models import ContactPoint, Department, Service, Skill


class RoutingRule(models.Model):
    """A rule on an incoming email's inbox, sender, subject and body.

    Every condition given must hold. A condition in words matches when any of its
    comma-separated words or phrases appears as whole words, in any case; a condition as a
    regular expression matches when the expression is found anywhere (case-insensitive)."""

    class Matching(models.TextChoices):
        WORDS = "words", "Words or phrases, separated by commas"
        REGEX = "regex", "Regular expressions"

    name = models.CharField(max_length=120, unique=True)
    position = models.PositiveIntegerField(
        help_text="Rules are tried from the lowest number up; the first that matches wins."
    )
    is_active = models.BooleanField(default=True)
    inboxes = models.ManyToManyField(
        ContactPoint,
        blank=True,
        related_name="routing_rules",
        limit_choices_to={"kind": ContactPoint.Kind.EMAIL},
        help_text="Leave empty for every inbox.",
    )
    matching = models.CharField(max_length=8, choices=Matching.choices, default=Matching.WORDS)
    sender = models.CharField(max_length=500, blank=True, default="")
    subject = models.CharField(max_length=500, blank=True, default="")
    body = models.CharField(max_length=500, blank=True, default="")

    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routing_rules",
        help_text="Send the case straight to this department, bypassing the front office.",
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="routing_rules"
    )
    priority = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=Case.Priority.choices
    )
    suppress_acknowledgement = models.BooleanField(
        default=False, help_text="Send no automatic acknowledgement for mail this rule catches."
    )

    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class WorkChannel(models.TextChoices):
    """How work is held, for capacity: written work (email, forms, letters, posts) is held
    like an email."""

    EMAIL = "email", "Email and written work"
    PHONE = "phone", "Phone"
    CHAT = "chat", "Chat"
    FACE_TO_FACE = "face_to_face", "Face to face"


class AdvisorState(models.Model):
    """An advisor's presence, set by them and changed by the system (an offer not answered
    puts them on a break), and when they last had nothing to do, which decides who of several
    free advisors is offered work first."""

    class Presence(models.TextChoices):
        AVAILABLE = "available", "Available"
        BUSY = "busy", "Busy"
        ON_BREAK = "on_break", "On a break"
        OFFLINE = "offline", "Offline"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advisor_state"
    )
    presence = models.CharField(max_length=12, choices=Presence.choices, default=Presence.OFFLINE)
    presence_since = models.DateTimeField()
    # Why the system changed it, shown to the advisor and their team leader.
    presence_note = models.CharField(max_length=200, blank=True, default="")
    # The longest idle free advisor is offered work first.
    idle_since = models.DateTimeField()
    # The workspace says the advisor is there every few seconds; silence sets them offline.
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # work_dispatch: the available advisors, longest idle first
            models.Index(fields=["presence", "idle_since"], name="advisor_presence_idle"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_presence_display().lower()})"


class WorkQueue(models.Model):
    """Where work waits for the front office: a channel and the services it takes."""

    name = models.CharField(max_length=120, unique=True)
    channel = models.CharField(max_length=12, choices=WorkChannel.choices)
    services = models.ManyToManyField(
        Service,
        blank=True,
        related_name="work_queues",
        help_text="Leave empty for the queue that takes the channel's other work.",
    )
    minimum_skill_level = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="1 Learning, 2 Skilled, 3 Expert: the least an advisor needs in the "
        "service's skill to be offered this queue's work.",
    )
    push_timeout_seconds = models.PositiveSmallIntegerField(
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(600)],
        help_text="An offer not accepted within this many seconds goes to someone else.",
    )
    position = models.PositiveIntegerField(
        default=100, help_text="Queues are tried from the lowest number up for new work."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class WorkItem(models.Model):
    """A case waiting for front-office action. Offered to one advisor at a time and held by
    one at most: the status says which, and the constraints make sure of it."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Offered"
        ASSIGNED = "assigned", "Assigned"
        DONE = "done", "Done"

    # Work not yet done: waiting, offered or held.
    OPEN = (Status.WAITING, Status.OFFERED, Status.ASSIGNED)

    queue = models.ForeignKey(WorkQueue, on_delete=models.PROTECT, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="work_items")
    channel = models.CharField(max_length=12, choices=WorkChannel.choices)
    skill = models.ForeignKey(
        Skill,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_items",
        db_index=False,  # work_item_choice has it, after status and channel
    )
    minimum_skill_level = models.PositiveSmallIntegerField(default=1)
    priority = models.PositiveSmallIntegerField(choices=Case.Priority.choices)
    due_at = models.DateTimeField(help_text="When the customer must hear back (the SLA).")
    # Its age: kept when an offer is declined or times out, so it goes back in its place.
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    offered_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # work_item_offered leads with it
    )
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # work_item_assigned leads with it
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "priority", "created_at", "pk"]
        indexes = [
            # work_claim: the waiting work of a channel needing one skill at one level, next
            # first (one probe per skill and level an advisor has: see services._choose)
            models.Index(
                fields=[
                    "status",
                    "channel",
                    "skill",
                    "minimum_skill_level",
                    "due_at",
                    "priority",
                    "created_at",
                    "id",
                ],
                name="work_item_choice",
            ),
            # an advisor's load, and their offers
            models.Index(fields=["offered_to", "status"], name="work_item_offered"),
            models.Index(fields=["assigned_to", "status"], name="work_item_assigned"),
            # work_dispatch: offers that ran out
            models.Index(fields=["status", "offer_expires_at"], name="work_item_offer_expiry"),
        ]
        constraints = [
            # A case is in the front office's queues once at most.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["waiting", "offered", "assigned"]),
                name="work_item_one_open_per_case",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        status="offered",
                        offered_to__isnull=False,
                        offer_expires_at__isnull=False,
                        assigned_to__isnull=True,
                    )
                    | models.Q(
                        status="assigned", offered_to__isnull=True, assigned_to__isnull=False
                    )
                    | models.Q(
                        status__in=["waiting", "done"],
                        offered_to__isnull=True,
                        assigned_to__isnull=True,
                    )
                ),
                name="work_item_held_by_one_as_its_status_says",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} ({self.get_status_display().lower()})"


class WorkOffer(models.Model):
    """Every offer of an item to an advisor and its answer: an item declined by someone is not
    offered to them again, and the answers are reportable."""

    class Answer(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        TIMED_OUT = "timed_out", "Not answered in time"
        WITHDRAWN = "withdrawn", "Withdrawn"

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="offers")
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    offered_at = models.DateTimeField()
    answer = models.CharField(max_length=10, choices=Answer.choices, blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["offered_at"]
        indexes = [
            # work_claim: has this advisor declined this item?
            models.Index(fields=["advisor", "item", "answer"], name="work_offer_advisor_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item} offered to {self.advisor}"
