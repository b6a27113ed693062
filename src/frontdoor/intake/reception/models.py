"""The reception queue: the services a desk issues tickets for, the tickets, and what
happened to each ticket."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from frontdoor.cases.models import Contact
from frontdoor.customers.models import Customer
from frontdoor.directory.models import ContactPoint, Service

_RECEPTION_DESKS = {"kind": ContactPoint.Kind.RECEPTION}


class DeskService(models.Model):
    """A service a reception desk issues tickets for, and the letter its tickets carry."""

    desk = models.ForeignKey(
        ContactPoint,
        on_delete=models.CASCADE,
        related_name="desk_services",
        limit_choices_to=_RECEPTION_DESKS,
        db_index=False,  # desk_service_letter leads with it
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    letter = models.CharField(
        max_length=1,
        validators=[RegexValidator(r"^[A-Z]$", "Use one capital letter, like C.")],
        help_text="Tickets for this service are numbered C001, C002… each day.",
    )
    position = models.PositiveSmallIntegerField(
        default=100, help_text="Services are listed at the desk from the lowest number up."
    )

    class Meta:
        ordering = ["position", "service__name"]
        constraints = [
            models.UniqueConstraint(fields=["desk", "letter"], name="desk_service_letter"),
            models.UniqueConstraint(fields=["desk", "service"], name="desk_service_once"),
        ]

    def __str__(self) -> str:
        return f"{self.letter}: {self.service}"


class TicketCounter(models.Model):
    """The last number given to a desk's tickets of one letter on one day. Its row lock is
    what keeps two members of staff issuing at once from giving out the same number."""

    desk = models.ForeignKey(
        ContactPoint,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # ticket_counter_once leads with it
    )
    day = models.DateField()
    letter = models.CharField(max_length=1)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["desk", "day", "letter"], name="ticket_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.letter} on {self.day}: {self.last_number}"


class ReceptionTicket(models.Model):
    """One visitor's place in the queue at a reception desk, from the ticket in their hand to
    the face-to-face contact recorded when they have been seen."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        CALLED = "called", "Called"
        SERVING = "serving", "Being served"
        DONE = "done", "Served"
        NO_SHOW = "no_show", "Not here"

    desk = models.ForeignKey(
        ContactPoint,
        on_delete=models.PROTECT,
        related_name="reception_tickets",
        limit_choices_to=_RECEPTION_DESKS,
        db_index=False,  # reception_ticket_queue and reception_ticket_finished lead with it
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    # What the visitor is shown and called by, like W014: the service's letter and the day's
    # running number. Unique per desk per day (issued_on is the local date of issued_at).
    code = models.CharField(max_length=12)
    issued_on = models.DateField()
    visitor_name = models.CharField(max_length=120, blank=True, default="")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    called_at = models.DateTimeField(null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    counter = models.CharField(
        max_length=40, blank=True, default="", help_text="Where the visitor was called to."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    contact = models.OneToOneField(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["issued_at", "pk"]
        indexes = [
            # ticket_call_next and the waiting lists: a desk's waiting tickets, oldest first;
            # and the tickets being called or served at a desk now
            models.Index(fields=["desk", "status", "issued_at"], name="reception_ticket_queue"),
            # wait_estimates: the tickets a desk finished in the last two hours
            models.Index(fields=["desk", "finished_at"], name="reception_ticket_finished"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "issued_on", "code"], name="reception_ticket_code_once_a_day"
            ),
            # One visitor at a time for each member of staff: two tabs pressing "call next"
            # at once cannot both call someone. Also finds the ticket someone is serving.
            models.UniqueConstraint(
                fields=["called_by"],
                condition=models.Q(status__in=["called", "serving"]),
                name="reception_ticket_one_at_a_time",
            ),
            models.CheckConstraint(
                condition=models.Q(status="waiting")
                | models.Q(called_at__isnull=False, called_at__gte=models.F("issued_at")),
                name="reception_ticket_called_after_issue",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["done", "no_show"])
                | models.Q(finished_at__isnull=False, finished_at__gte=models.F("called_at")),
                name="reception_ticket_finished_after_call",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_status_display().lower()})"

    @property
    def wait_seconds(self) -> int | None:
        if self.called_at is None:
            return None
        return max(0, int((self.called_at - self.issued_at).total_seconds()))

    @property
    def served_seconds(self) -> int | None:
        if self.called_at is None or self.finished_at is None:
            return None
        return max(0, int((self.finished_at - self.called_at).total_seconds()))


ACTIVE_STATUSES = (ReceptionTicket.Status.CALLED, ReceptionTicket.Status.SERVING)


class TicketEvent(models.Model):
    """One step in a ticket's life (issued, called, serving, served, not here): who and when."""

    class Kind(models.TextChoices):
        ISSUED = "issued", "Issued"
        CALLED = "called", "Called"
        SERVING = "serving", "Being served"
        SERVED = "served", "Served"
        NO_SHOW = "no_show", "Not here"

    ticket = models.ForeignKey(ReceptionTicket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counter = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"
