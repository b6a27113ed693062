"""Reads for the reception queue, and who may work the front desk."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from frontdoor.core.roles import FRONT_OFFICE_ROLES, Role, staff_role
from frontdoor.directory.models import ContactPoint
from frontdoor.intake.reception.models import ACTIVE_STATUSES, DeskService, ReceptionTicket

T = ReceptionTicket.Status

# The estimate looks at the visits finished this long ago or less…
ESTIMATE_WINDOW = timedelta(hours=2)
# …and says nothing from fewer than this many of them.
ESTIMATE_MIN_VISITS = 3


def may_staff_reception(user: Any) -> bool:
    """Advisors and team leaders work the front desk: issue tickets and call visitors."""
    return staff_role(user) in FRONT_OFFICE_ROLES


def reception_desks() -> QuerySet[ContactPoint]:
    """The desks that take visitors: reception contact points not retired."""
    return ContactPoint.objects.filter(kind=ContactPoint.Kind.RECEPTION).exclude(
        status=ContactPoint.Status.RETIRED
    )


def desk_get(*, desk_id: int) -> ContactPoint:
    try:
        return reception_desks().get(pk=desk_id)
    except ContactPoint.DoesNotExist:
        raise Http404("No such reception desk") from None


def desk_services(desk: ContactPoint) -> QuerySet[DeskService]:
    """The services the desk issues tickets for, in the order the council set."""
    return DeskService.objects.filter(desk=desk, service__is_active=True).select_related("service")


def day_start(moment: datetime) -> datetime:
    """Local midnight before the moment: a desk's queue is the day's. A ticket left waiting
    when the desk closed is not called the next morning."""
    local = timezone.localtime(moment)
    return timezone.make_aware(datetime.combine(local.date(), time.min), local.tzinfo)


@dataclass(frozen=True)
class WaitingTicket:
    ticket: ReceptionTicket
    waited_seconds: int


def tickets_waiting(desk: ContactPoint, *, now: datetime | None = None) -> list[WaitingTicket]:
    """The day's waiting tickets at the desk, oldest first, with how long each has waited."""
    now = now or timezone.now()
    tickets = (
        ReceptionTicket.objects.filter(desk=desk, status=T.WAITING, issued_at__gte=day_start(now))
        .select_related("service")
        .order_by("issued_at", "pk")
    )
    return [WaitingTicket(t, max(0, int((now - t.issued_at).total_seconds()))) for t in tickets]


def tickets_at_counters(
    desk: ContactPoint, *, now: datetime | None = None
) -> list[ReceptionTicket]:
    """The day's tickets called to a counter or being served there, latest call first."""
    now = now or timezone.now()
    return list(
        ReceptionTicket.objects.filter(
            desk=desk, status__in=ACTIVE_STATUSES, issued_at__gte=day_start(now)
        )
        .select_related("service", "called_by")
        .order_by("-called_at", "-pk")
    )


def ticket_held_by(user: Any) -> ReceptionTicket | None:
    """The ticket this member of staff has called and not yet finished, at any desk."""
    return (
        ReceptionTicket.objects.filter(called_by=user, status__in=ACTIVE_STATUSES)
        .select_related("service", "desk", "customer")
        .first()
    )


def ticket_get_for(user: Any, *, ticket_id: int) -> ReceptionTicket:
    """A ticket this member of staff may act on: one they called, or, for a team leader, any
    (to finish a colleague's visitor who was left at a counter). 404 for any other."""
    tickets = ReceptionTicket.objects.select_related("service", "desk", "customer", "contact")
    if staff_role(user) == Role.TEAM_LEADER:
        found = tickets.filter(pk=ticket_id).first()
    elif may_staff_reception(user):
        found = tickets.filter(pk=ticket_id, called_by=user).first()
    else:
        found = None
    if found is None:
        raise Http404("That ticket is not yours")
    return found


def ticket_last_finished_by(user: Any, *, ticket_id: int | None) -> ReceptionTicket | None:
    """The ticket the member of staff has just finished, for the follow-up links."""
    if ticket_id is None:
        return None
    return (
        ReceptionTicket.objects.filter(pk=ticket_id, called_by=user, status=T.DONE)
        .select_related("service", "customer")
        .first()
    )


@dataclass(frozen=True)
class ServiceWait:
    desk_service: DeskService
    waiting: int
    # None: too few recent visits to say.
    estimate_seconds: int | None

    @property
    def estimate_minutes(self) -> int | None:
        if self.estimate_seconds is None:
            return None
        return max(1, math.ceil(self.estimate_seconds / 60))


def wait_estimates(desk: ContactPoint, *, now: datetime | None = None) -> list[ServiceWait]:
    """How many are waiting for each of the desk's services, and how long someone taking a
    ticket now can expect to wait.

    The estimate is the average time a visit for that service took (from call to finish)
    over the visits finished in the last two hours, times the people waiting ahead for it,
    divided by the counters that served it in those two hours:

        estimate = mean service time × people waiting ÷ counters serving the service

    Why this and not the median of recent waits: a recent wait says how long the queue was
    when those visitors arrived, so it lags behind a queue that has just grown or emptied;
    service times change slowly, and the people ahead are counted now. Counting counters per
    service suits desks where counters take particular services; where every counter takes
    everything it errs on the short side. Fewer than ESTIMATE_MIN_VISITS recent visits give
    no estimate (None) rather than a guess from one unusual visit."""
    now = now or timezone.now()
    offered = list(desk_services(desk))
    waiting = dict(
        ReceptionTicket.objects.filter(desk=desk, status=T.WAITING, issued_at__gte=day_start(now))
        .values_list("service")
        .annotate(count=Count("pk"))
        .order_by()
    )
    served: dict[int, list[float]] = defaultdict(list)
    counters: dict[int, set[str]] = defaultdict(set)
    recent = ReceptionTicket.objects.filter(
        desk=desk, finished_at__gte=now - ESTIMATE_WINDOW, status=T.DONE
    ).values_list("service_id", "called_at", "finished_at", "counter")
    for service_id, called_at, finished_at, counter in recent:
        if called_at is None or finished_at is None:  # reception_ticket_finished_after_call
            continue
        served[service_id].append((finished_at - called_at).total_seconds())
        counters[service_id].add(counter)
    estimates = []
    for desk_service in offered:
        service_id = desk_service.service_id
        ahead = waiting.get(service_id, 0)
        durations = served[service_id]
        estimate: int | None = None
        if len(durations) >= ESTIMATE_MIN_VISITS:
            mean = sum(durations) / len(durations)
            estimate = round(mean * ahead / len(counters[service_id]))
        estimates.append(ServiceWait(desk_service, ahead, estimate))
    return estimates


def showing_key(*parts: object) -> str:
    """A short fingerprint of what a live part of a page shows, so that an unchanged answer
    is not sent again (the page keeps its focus, and a screen reader is not told twice)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
