"""Every write to the reception queue. Each function is one transaction and writes the
ticket's event itself; the front-desk screen calls these and nothing else.

Two members of staff act at once all day at a busy desk, so the two hot writes are made safe
for it: numbers come from a counter row that the UPDATE locks (issuing), and a waiting ticket
is taken with a conditional UPDATE after a FOR UPDATE SKIP LOCKED pick on PostgreSQL (calling),
so two callers each get a different visitor. On SQLite each transaction holds the write lock
from its start (transaction_mode IMMEDIATE), which serialises them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from frontdoor.cases.models import Channel
from frontdoor.cases.services import contact_record
from frontdoor.customers.models import Customer
from frontdoor.directory.models import ContactPoint, Service
from frontdoor.intake.reception.models import (
    ACTIVE_STATUSES,
    DeskService,
    ReceptionTicket,
    TicketCounter,
    TicketEvent,
)
from frontdoor.intake.reception.selectors import day_start, ticket_held_by

T = ReceptionTicket.Status


class TicketRefused(ValidationError):
    """The ticket, or the member of staff, is not in a state that allows this; the message
    says why and what to do."""


def _event(ticket: ReceptionTicket, kind: str, *, actor: Any, at: Any) -> None:
    TicketEvent.objects.create(ticket=ticket, kind=kind, actor=actor, at=at, counter=ticket.counter)


def _number_next(*, desk_id: int, day: Any, letter: str) -> int:
    """The next number for the letter at the desk today. The UPDATE locks the counter row
    until commit, so a second issuer waits and then counts on from the first's number."""
    TicketCounter.objects.get_or_create(desk_id=desk_id, day=day, letter=letter)
    counter = TicketCounter.objects.filter(desk_id=desk_id, day=day, letter=letter)
    counter.update(last_number=F("last_number") + 1)
    return counter.values_list("last_number", flat=True).get()


@transaction.atomic
def ticket_issue(
    *,
    desk: ContactPoint,
    service: Service,
    actor: Any,
    visitor_name: str = "",
    customer: Customer | None = None,
) -> ReceptionTicket:
    """Give a visitor a ticket for a service the desk offers, numbered like C014: the
    service's letter and the day's running number for it at this desk."""
    if desk.kind != ContactPoint.Kind.RECEPTION or desk.status == ContactPoint.Status.RETIRED:
        raise TicketRefused(f"{desk.name} is not a reception desk that takes visitors.")
    offered = DeskService.objects.filter(desk=desk, service=service).first()
    if offered is None or not service.is_active:
        raise ValidationError({"service": f"{desk.name} does not issue tickets for {service}"})
    now = timezone.now()
    day = timezone.localdate(now)
    number = _number_next(desk_id=desk.pk, day=day, letter=offered.letter)
    ticket = ReceptionTicket.objects.create(
        desk=desk,
        service=service,
        code=f"{offered.letter}{number:03d}",
        issued_on=day,
        visitor_name=visitor_name.strip(),
        customer=customer,
        issued_at=now,
        issued_by=actor,
    )
    _event(ticket, TicketEvent.Kind.ISSUED, actor=actor, at=now)
    return ticket


def _busy(held: ReceptionTicket) -> TicketRefused:
    return TicketRefused(
        f"You are still serving {held.code} at {held.counter}. Choose Served or Not here "
        "for them before you call the next ticket.",
        code="already_serving",
    )


@transaction.atomic
def ticket_call_next(
    *,
    desk: ContactPoint,
    actor: Any,
    counter: str,
    service_ids: Collection[int] = (),
) -> ReceptionTicket | None:
    """Call the day's oldest waiting ticket at the desk (only for the services given, if any)
    to the actor's counter. None when no one is waiting. Refused while the actor is still
    serving someone: one visitor at a time."""
    counter = counter.strip()
    if not counter:
        raise ValidationError({"counter": "Enter the counter you are at, like Desk 2"})
    # One person's calls one at a time (two tabs clicked together): the second waits for the
    # first and is told whom they are serving, rather than racing it to the next ticket and
    # perhaps winning with a later one.
    get_user_model().objects.select_for_update().filter(pk=actor.pk).values_list("pk").first()
    held = ticket_held_by(actor)
    if held is not None:
        raise _busy(held)
    now = timezone.now()
    waiting = ReceptionTicket.objects.filter(
        desk=desk, status=T.WAITING, issued_at__gte=day_start(now)
    )
    if service_ids:
        waiting = waiting.filter(service_id__in=service_ids)
    passed_over: list[int] = []
    while True:
        # PostgreSQL: skip a ticket another caller has just locked and take the next one,
        # rather than queue behind them for a ticket they are about to take.
        chosen = (
            waiting.exclude(pk__in=passed_over)
            .select_for_update(skip_locked=True)
            .order_by("issued_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if chosen is None:
            return None
        try:
            with transaction.atomic():
                # Taken only if still waiting, whatever happened since it was chosen.
                taken = ReceptionTicket.objects.filter(pk=chosen, status=T.WAITING).update(
                    status=T.CALLED, called_at=now, called_by=actor, counter=counter
                )
        except IntegrityError:
            # reception_ticket_one_at_a_time: the actor's other tab called someone meanwhile.
            held = ticket_held_by(actor)
            if held is None:
                raise
            raise _busy(held) from None
        if taken:
            break
        passed_over.append(chosen)
    ticket = ReceptionTicket.objects.select_related("service", "desk").get(pk=chosen)
    _event(ticket, TicketEvent.Kind.CALLED, actor=actor, at=now)
    return ticket


def _lock(ticket: ReceptionTicket) -> ReceptionTicket:
    """Re-read the ticket under a row lock so two people acting on it at once take turns."""
    return ReceptionTicket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)


def _require(ticket: ReceptionTicket, allowed: Collection[str], action: str) -> None:
    if ticket.status not in allowed:
        raise TicketRefused(
            f"Ticket {ticket.code} is {ticket.get_status_display().lower()}, so it cannot be "
            f"{action}.",
            code="invalid_transition",
        )


@transaction.atomic
def ticket_serve(*, ticket: ReceptionTicket, actor: Any) -> ReceptionTicket:
    """The visitor called has come to the counter."""
    ticket = _lock(ticket)
    _require(ticket, (T.CALLED,), "started")
    ticket.status = T.SERVING
    ticket.save(update_fields=["status"])
    _event(ticket, TicketEvent.Kind.SERVING, actor=actor, at=timezone.now())
    return ticket


@transaction.atomic
def ticket_finish(*, ticket: ReceptionTicket, actor: Any) -> ReceptionTicket:
    """The visitor has been seen: record the visit as one face-to-face contact at the desk,
    taken when they were called, lasting until now, with how long they waited.

    Idempotent: finishing a finished ticket again gives it back with the contact recorded the
    first time (and the contact's source key keeps it once even if this were bypassed)."""
    ticket = _lock(ticket)
    if ticket.status == T.DONE:
        return ticket
    _require(ticket, ACTIVE_STATUSES, "marked as served")
    ticket.finished_at = timezone.now()
    ticket.status = T.DONE
    about = f"Reception visit about {ticket.service}, ticket {ticket.code}"
    if ticket.customer_id is None and ticket.visitor_name:
        about += f", for {ticket.visitor_name}"
    ticket.contact = contact_record(
        channel=Channel.FACE_TO_FACE,
        customer=ticket.customer,
        actor=ticket.called_by or actor,
        contact_point=ticket.desk,
        service=ticket.service,
        occurred_at=ticket.called_at,
        duration_seconds=ticket.served_seconds,
        wait_seconds=ticket.wait_seconds,
        summary=about,
        source_key=f"reception-ticket:{ticket.pk}",
    )
    ticket.save(update_fields=["status", "finished_at", "contact"])
    _event(ticket, TicketEvent.Kind.SERVED, actor=actor, at=ticket.finished_at)
    return ticket


@transaction.atomic
def ticket_no_show(*, ticket: ReceptionTicket, actor: Any) -> ReceptionTicket:
    """The visitor called did not come to the counter (they left, or did not hear)."""
    ticket = _lock(ticket)
    _require(ticket, (T.CALLED,), "marked as not here")
    ticket.status = T.NO_SHOW
    ticket.finished_at = timezone.now()
    ticket.save(update_fields=["status", "finished_at"])
    _event(ticket, TicketEvent.Kind.NO_SHOW, actor=actor, at=ticket.finished_at)
    return ticket
