"""Issuing tickets, calling them in order, serving them and recording the visit."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from frontdoor.cases.models import Channel, Contact
from frontdoor.directory.models import ContactPoint, Service
from frontdoor.intake.reception.models import ReceptionTicket, TicketEvent
from frontdoor.intake.reception.services import (
    TicketRefused,
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    ticket_serve,
)
from tests.concurrency import at_once
from tests.factories import CustomerFactory
from tests.intake.reception.staff import front_desk_staff

LONDON = ZoneInfo("Europe/London")
T = ReceptionTicket.Status
MORNING = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)


def issue(desk, service, actor, **fields):
    return ticket_issue(desk=desk, service=service, actor=actor, **fields)


def test_tickets_carry_the_services_letter_and_the_days_running_number(
    desk, council_tax, blue_badge, ava
):
    with time_machine.travel(MORNING):
        first = issue(desk, council_tax, ava)
        second = issue(desk, council_tax, ava)
        badge = issue(desk, blue_badge, ava)
    assert [first.code, second.code, badge.code] == ["C001", "C002", "B001"]
    assert first.issued_on == MORNING.date() and first.status == T.WAITING


def test_numbering_starts_again_each_day_and_a_code_is_unique_per_desk_per_day(
    desk, council_tax, ava
):
    with time_machine.travel(MORNING):
        monday = issue(desk, council_tax, ava)
    with time_machine.travel(MORNING + timedelta(days=1)):
        tuesday = issue(desk, council_tax, ava)
    assert monday.code == tuesday.code == "C001"
    with pytest.raises(IntegrityError), transaction.atomic():
        ReceptionTicket.objects.filter(pk=tuesday.pk).update(issued_on=monday.issued_on)


def test_the_day_is_londons_not_utcs(desk, council_tax, ava):
    # 00:30 on 1 June in London is still 31 May in UTC.
    with time_machine.travel(datetime(2026, 5, 31, 23, 59, tzinfo=LONDON)):
        issue(desk, council_tax, ava)
    with time_machine.travel(datetime(2026, 6, 1, 0, 30, tzinfo=LONDON)):
        after_midnight = issue(desk, council_tax, ava)
    assert after_midnight.code == "C001"
    assert str(after_midnight.issued_on) == "2026-06-01"


def test_a_service_the_desk_does_not_offer_or_a_desk_that_is_not_reception_is_refused(
    desk, council_tax, ava
):
    potholes = Service.objects.get(code="potholes")
    with pytest.raises(ValidationError, match="does not issue tickets for Potholes"):
        issue(desk, potholes, ava)
    phone_line = ContactPoint.objects.get(name="Council tax line")
    with pytest.raises(TicketRefused, match="not a reception desk"):
        issue(phone_line, council_tax, ava)
    assert not ReceptionTicket.objects.exists()


def test_issuing_keeps_the_name_and_customer_and_writes_an_event(desk, council_tax, ava):
    customer = CustomerFactory()
    ticket = issue(desk, council_tax, ava, visitor_name="  Jo Bloggs ", customer=customer)
    assert (ticket.visitor_name, ticket.customer, ticket.issued_by) == ("Jo Bloggs", customer, ava)
    event = ticket.events.get()
    assert (event.kind, event.actor) == (TicketEvent.Kind.ISSUED, ava)


def test_call_next_takes_the_oldest_waiting_ticket_to_the_counter(
    desk, council_tax, blue_badge, ava, abe
):
    with time_machine.travel(MORNING, tick=False) as clock:
        oldest = issue(desk, blue_badge, ava)
        clock.shift(60)
        newer = issue(desk, council_tax, ava)
        clock.shift(60)
        called = ticket_call_next(desk=desk, actor=ava, counter=" Desk 2 ")
        next_called = ticket_call_next(desk=desk, actor=abe, counter="Desk 3")
    assert called == oldest and next_called == newer
    called.refresh_from_db()
    assert (called.status, called.called_by, called.counter) == (T.CALLED, ava, "Desk 2")
    assert called.called_at == MORNING + timedelta(seconds=120)
    assert called.events.filter(kind=TicketEvent.Kind.CALLED, counter="Desk 2").exists()


def test_call_next_for_chosen_services_skips_the_others(desk, council_tax, blue_badge, ava):
    issue(desk, blue_badge, ava)
    wanted = issue(desk, council_tax, ava)
    called = ticket_call_next(desk=desk, actor=ava, counter="Desk 1", service_ids=[council_tax.pk])
    assert called == wanted


def test_call_next_says_none_when_no_one_is_waiting_and_leaves_yesterdays_tickets(
    desk, council_tax, ava
):
    with time_machine.travel(MORNING):
        issue(desk, council_tax, ava)
    with time_machine.travel(MORNING + timedelta(days=1)):
        assert ticket_call_next(desk=desk, actor=ava, counter="Desk 1") is None
    assert ReceptionTicket.objects.get().status == T.WAITING


def test_call_next_needs_a_counter(desk, council_tax, ava):
    issue(desk, council_tax, ava)
    with pytest.raises(ValidationError, match="Enter the counter you are at"):
        ticket_call_next(desk=desk, actor=ava, counter="  ")


def test_calling_while_still_serving_someone_is_refused(desk, council_tax, ava):
    first = issue(desk, council_tax, ava)
    second = issue(desk, council_tax, ava)
    ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
    with pytest.raises(TicketRefused, match="You are still serving C001 at Desk 2"):
        ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
    ticket_serve(ticket=first, actor=ava)
    with pytest.raises(TicketRefused, match="still serving C001"):
        ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
    second.refresh_from_db()
    assert second.status == T.WAITING
    ticket_finish(ticket=first, actor=ava)
    assert ticket_call_next(desk=desk, actor=ava, counter="Desk 2") == second


def test_one_person_cannot_hold_two_visitors_even_written_directly(desk, council_tax, ava):
    first, second = issue(desk, council_tax, ava), issue(desk, council_tax, ava)
    ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReceptionTicket.objects.filter(pk=second.pk).update(
            status=T.CALLED, called_by=ava, called_at=first.issued_at + timedelta(seconds=1)
        )


def test_finishing_records_one_face_to_face_contact_with_its_wait_and_duration(
    desk, council_tax, ava
):
    customer = CustomerFactory()
    with time_machine.travel(MORNING, tick=False) as clock:
        ticket = issue(desk, council_tax, ava, customer=customer)
        clock.shift(timedelta(minutes=14))  # waiting
        ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
        clock.shift(timedelta(seconds=30))
        ticket_serve(ticket=ticket, actor=ava)
        clock.shift(timedelta(minutes=6))  # at the counter
        finished = ticket_finish(ticket=ticket, actor=ava)
    contact = Contact.objects.get()
    assert finished.contact == contact and finished.status == T.DONE
    assert contact.channel == Channel.FACE_TO_FACE
    assert contact.direction == Contact.Direction.INBOUND
    assert (contact.contact_point, contact.customer, contact.handled_by) == (desk, customer, ava)
    assert contact.service == council_tax and contact.case is None
    assert contact.occurred_at == MORNING + timedelta(minutes=14)  # when called
    assert contact.wait_seconds == 14 * 60
    assert contact.duration_seconds == 6 * 60 + 30
    assert contact.source_key == f"reception-ticket:{ticket.pk}"
    assert "Council Tax, ticket C001" in contact.summary
    desk.refresh_from_db()
    assert desk.last_used_at == contact.occurred_at


def test_finishing_twice_records_one_contact(desk, council_tax, ava):
    ticket = issue(desk, council_tax, ava, visitor_name="Jo Bloggs")
    ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
    first = ticket_finish(ticket=ticket, actor=ava)  # straight from called is allowed
    again = ticket_finish(ticket=ticket, actor=ava)
    assert again.contact == first.contact
    assert Contact.objects.count() == 1
    assert ticket.events.filter(kind=TicketEvent.Kind.SERVED).count() == 1
    # With no customer on record, the name helps whoever links the visit to one later.
    assert first.contact.summary.endswith("for Jo Bloggs")


def test_a_waiting_ticket_cannot_be_finished_or_marked_not_here(desk, council_tax, ava):
    ticket = issue(desk, council_tax, ava)
    with pytest.raises(TicketRefused, match="C001 is waiting, so it cannot be marked as served"):
        ticket_finish(ticket=ticket, actor=ava)
    with pytest.raises(TicketRefused, match="cannot be marked as not here"):
        ticket_no_show(ticket=ticket, actor=ava)
    with pytest.raises(TicketRefused, match="cannot be started"):
        ticket_serve(ticket=ticket, actor=ava)
    assert not Contact.objects.exists()


def test_not_here_ends_the_ticket_without_a_contact_and_frees_the_counter(desk, council_tax, ava):
    ticket, later = issue(desk, council_tax, ava), issue(desk, council_tax, ava)
    ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
    gone = ticket_no_show(ticket=ticket, actor=ava)
    assert gone.status == T.NO_SHOW and gone.finished_at is not None
    assert not Contact.objects.exists()
    with pytest.raises(TicketRefused, match="is not here, so it cannot be marked as served"):
        ticket_finish(ticket=ticket, actor=ava)
    assert ticket_call_next(desk=desk, actor=ava, counter="Desk 2") == later


@pytest.mark.django_db(transaction=True)
def test_staff_issuing_at_once_never_give_out_the_same_number(council):
    desk = ContactPoint.objects.get(name="Civic Centre reception")
    council_tax = Service.objects.get(code="council-tax")
    ava = get_user_model().objects.get(username="ava")

    def issue_one() -> str:
        return issue(desk, council_tax, ava).code

    codes = at_once(issue_one, threads=6)
    assert sorted(codes) == ["C001", "C002", "C003", "C004", "C005", "C006"]


@pytest.mark.django_db(transaction=True)
def test_staff_calling_at_once_each_get_a_different_visitor_or_are_told_no_one_waits(council):
    desk = ContactPoint.objects.get(name="Civic Centre reception")
    council_tax = Service.objects.get(code="council-tax")
    staff = front_desk_staff(6)
    tickets = [issue(desk, council_tax, staff[0]) for _ in range(4)]
    callers = list(staff)

    def call() -> int | None:
        me = callers.pop()
        called = ticket_call_next(desk=desk, actor=me, counter=f"Desk {me.pk}")
        return called.pk if called else None

    results = at_once(call, threads=len(staff))
    taken = [pk for pk in results if pk is not None]
    assert sorted(taken) == sorted(t.pk for t in tickets)  # each visitor called once
    assert results.count(None) == 2  # the others were told no one is waiting
    called = ReceptionTicket.objects.filter(status=T.CALLED)
    assert called.values("called_by").distinct().count() == 4


@pytest.mark.django_db(transaction=True)
def test_one_persons_two_tabs_calling_at_once_call_one_visitor(council):
    desk = ContactPoint.objects.get(name="Civic Centre reception")
    council_tax = Service.objects.get(code="council-tax")
    ava = get_user_model().objects.get(username="ava")
    for _ in range(3):
        issue(desk, council_tax, ava)

    def call() -> str:
        try:
            called = ticket_call_next(desk=desk, actor=ava, counter="Desk 2")
        except TicketRefused as refused:
            return refused.messages[0]
        return called.code if called else "none"

    results = at_once(call, threads=3)
    assert sorted(results)[0] == "C001"
    assert all(r.startswith("You are still serving C001") for r in sorted(results)[1:])
    assert ReceptionTicket.objects.filter(status=T.CALLED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_finishing_at_once_from_two_screens_records_one_contact(council):
    desk = ContactPoint.objects.get(name="Civic Centre reception")
    council_tax = Service.objects.get(code="council-tax")
    ava = get_user_model().objects.get(username="ava")
    ticket = issue(desk, council_tax, ava)
    ticket_call_next(desk=desk, actor=ava, counter="Desk 2")

    def finish() -> int:
        return ticket_finish(ticket=ticket, actor=ava).contact_id

    assert len(set(at_once(finish, threads=3))) == 1
    assert Contact.objects.count() == 1
