from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from frontdoor.cases.models import Case, CaseEvent, Channel, Contact, Outcome
from frontdoor.cases.services import (
    CaseDraft,
    CaseTransitionError,
    case_accept,
    case_await_customer,
    case_close,
    case_forward,
    case_note_add,
    case_reopen,
    case_resolve,
    case_schedule,
    case_start,
    contact_record,
)
from frontdoor.core.models import Council
from frontdoor.directory.models import ContactPoint, Department, Service
from tests.concurrency import at_once
from tests.factories import CustomerFactory, case_for

LONDON = ZoneInfo("Europe/London")
S = Case.Status


def outcome():
    return Outcome.objects.get(name="Information given")


@pytest.fixture
def customer(council):
    return CustomerFactory.create()


def test_a_case_gets_a_reference_with_the_council_prefix_and_year(ava, customer):
    Council.objects.filter(pk=1).update(reference_prefix="ESCC")
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)):
        first = case_for(customer=customer, actor=ava)
        second = case_for(customer=customer, actor=ava)
    assert first.reference == "ESCC-2026-000001"
    assert second.reference == "ESCC-2026-000002"


def test_references_restart_each_year_and_never_repeat(ava, customer):
    with time_machine.travel(datetime(2026, 12, 31, 16, 0, tzinfo=LONDON)):
        december = case_for(customer=customer, actor=ava)
    with time_machine.travel(datetime(2027, 1, 4, 9, 0, tzinfo=LONDON)):
        january = case_for(customer=customer, actor=ava)
    assert december.reference.endswith("2026-000001")
    assert january.reference.endswith("2027-000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=january.pk).update(reference=december.reference)


def test_due_dates_follow_the_service_sla_on_the_working_calendar(ava, customer):
    # Missed bin: Service request, 2 / 10 working days. Friday 16:55 before the August bank
    # holiday in England: day zero is Friday; Monday 31 Aug is skipped.
    opened = datetime(2026, 8, 28, 16, 55, tzinfo=LONDON)
    case = case_for(customer=customer, actor=ava, opened_at=opened)
    assert case.first_response_due == datetime(2026, 9, 2, 17, 0, tzinfo=LONDON)
    assert case.resolution_due == datetime(2026, 9, 14, 17, 0, tzinfo=LONDON)


def test_due_dates_in_working_hours(ava, customer):
    # Dangerous structure: Urgent safety, 2 / 8 working hours.
    opened = datetime(2026, 8, 28, 16, 0, tzinfo=LONDON)
    case = case_for(
        service_code="dangerous-structure", customer=customer, actor=ava, opened_at=opened
    )
    assert case.first_response_due == datetime(2026, 9, 1, 9, 30, tzinfo=LONDON)
    assert case.resolution_due == datetime(2026, 9, 1, 15, 30, tzinfo=LONDON)


def test_opening_writes_the_timeline_and_copies_restriction_and_department(sam, customer):
    case = case_for(
        service_code="adult-social-care", customer=customer, actor=sam, summary="Needs help at home"
    )
    assert case.restricted is True
    assert case.department.name == "Adult Social Care"
    event = case.events.get()
    assert (event.kind, event.actor, event.channel) == (CaseEvent.Kind.OPENED, sam, Channel.PHONE)


def test_logging_a_call_that_opens_a_case_records_contact_and_case_together(ava, customer):
    point = ContactPoint.objects.get(name="Waste and recycling line")
    contact = contact_record(
        channel=Channel.PHONE,
        customer=customer,
        actor=ava,
        contact_point=point,
        new_case=CaseDraft(service=Service.objects.get(code="missed-bin"), summary="Missed bin"),
        duration_seconds=240,
        summary="Bin missed on Tuesday",
    )
    case = contact.case
    assert contact.handled_by == ava and contact.service == case.service
    assert case.first_responded_at == case.opened_at  # answered in the call itself
    assert [e.kind for e in case.events.all()] == [CaseEvent.Kind.OPENED, CaseEvent.Kind.CONTACT]
    point.refresh_from_db()
    assert point.last_used_at == contact.occurred_at


def test_a_visit_on_no_case_keeps_its_wait_and_the_service_it_was_about(ava, customer):
    desk = ContactPoint.objects.get(name="Civic Centre reception")  # a desk of no one service
    contact = contact_record(
        channel=Channel.FACE_TO_FACE,
        customer=customer,
        actor=ava,
        contact_point=desk,
        service=Service.objects.get(code="blue-badge"),
        duration_seconds=300,
        wait_seconds=840,
    )
    contact.refresh_from_db()
    assert (contact.wait_seconds, contact.duration_seconds) == (840, 300)
    assert contact.service.code == "blue-badge"
    # A case's own service wins over the one given.
    on_case = contact_record(
        channel=Channel.FACE_TO_FACE,
        customer=customer,
        case=case_for(customer=customer, actor=ava),
        service=Service.objects.get(code="blue-badge"),
    )
    assert on_case.service.code == "missed-bin" and on_case.wait_seconds is None


def test_a_follow_up_email_recorded_on_a_case_appears_on_its_timeline(ava, customer):
    case = case_for(customer=customer, actor=ava)
    contact_record(channel=Channel.EMAIL, customer=customer, case=case, summary="Any news?")
    assert case.contacts.count() == 1
    assert case.events.filter(kind=CaseEvent.Kind.CONTACT).get().text.startswith("Email from")


def test_the_same_source_item_is_recorded_once_and_the_repeat_returns_it(ava, customer):
    draft = CaseDraft(service=Service.objects.get(code="missed-bin"), summary="Missed bin")
    first = contact_record(
        channel=Channel.EMAIL, customer=customer, new_case=draft, source_key="<abc@example.com>"
    )
    again = contact_record(
        channel=Channel.EMAIL, customer=customer, new_case=draft, source_key="<abc@example.com>"
    )
    assert again == first
    assert Contact.objects.count() == 1 and Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_recorders_of_the_same_item_make_one_contact_and_one_case(council):
    customer = CustomerFactory.create()
    draft = CaseDraft(service=Service.objects.get(code="missed-bin"), summary="Missed bin")

    def record() -> int:
        return contact_record(
            channel=Channel.EMAIL,
            customer=customer,
            new_case=draft,
            source_key="<race@example.com>",
        ).pk

    assert len(set(at_once(record, threads=4))) == 1
    assert Contact.objects.count() == 1 and Case.objects.count() == 1


def test_a_contact_cannot_go_on_another_customers_case_or_a_closed_one(ava, customer):
    case = case_for(customer=customer, actor=ava)
    other = CustomerFactory.create()
    with pytest.raises(ValidationError, match="another customer's case"):
        contact_record(channel=Channel.PHONE, customer=other, case=case, actor=ava)
    case = case_resolve(case=case, actor=ava, outcome=outcome(), note="Done")
    with pytest.raises(CaseTransitionError, match="is resolved. Reopen it first"):
        contact_record(channel=Channel.PHONE, customer=customer, case=case, actor=ava)
    assert not Contact.objects.exists()


def test_starting_a_colleagues_case_says_whose_it_was(ava, tess, customer):
    case = case_for(customer=customer, actor=ava)
    case_start(case=case, actor=tess)
    assert case.events.get(kind="started").text == "Taken over from Ava Advisor"


def test_a_restricted_case_cannot_be_forwarded_to_another_department(sam, customer):
    case = case_for(service_code="adult-social-care", customer=customer, actor=sam)
    with pytest.raises(ValidationError, match="Restricted cases stay with Adult Social Care"):
        case_forward(
            case=case,
            actor=sam,
            reason="Housing issue",
            department=Department.objects.get(name="Housing"),
        )


def test_reopening_gives_fresh_targets(ava, customer):
    opened = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
    case = case_for(customer=customer, actor=ava, opened_at=opened)
    case = case_resolve(case=case, actor=ava, outcome=outcome(), note="Done")
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=LONDON)):
        case = case_reopen(case=case, actor=ava, reason="Still missed")
    assert case.resolution_due == datetime(2026, 6, 15, 17, 0, tzinfo=LONDON)


def test_full_lifecycle_forward_accept_resolve_close_reopen(ava, bea, customer):
    case = case_for(customer=customer, actor=ava)
    case = case_start(case=case, actor=ava)
    case = case_await_customer(case=case, actor=ava, text="Asked which bin")
    case = case_forward(
        case=case, actor=ava, department=bea.staff_member.department, reason="Crew to return"
    )
    assert (case.status, case.assigned_to, case.department.name) == (
        S.FORWARDED,
        None,
        "Waste and Recycling",
    )
    case = case_accept(case=case, actor=bea)
    assert (case.status, case.assigned_to) == (S.IN_PROGRESS, bea)
    case = case_resolve(case=case, actor=bea, outcome=outcome(), note="Crew returned")
    assert case.status == S.RESOLVED and case.resolved_first_contact is False
    case = case_close(case=case, actor=bea)
    case = case_reopen(case=case, actor=ava, reason="Bin still not emptied")
    assert (case.status, case.reopened_count, case.outcome) == (S.IN_PROGRESS, 1, None)
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [
        "opened",
        "started",
        "awaiting_customer",
        "forwarded",
        "accepted",
        "resolved",
        "closed",
        "reopened",
    ]
    forwarded = case.events.get(kind="forwarded")
    assert forwarded.text == "Crew to return" and forwarded.department.name == "Waste and Recycling"


def test_resolving_needs_an_outcome_and_a_note_and_nothing_is_half_saved(ava, customer):
    case = case_for(customer=customer, actor=ava)
    with pytest.raises(ValidationError) as error:
        case_resolve(case=case, actor=ava, outcome=None, note="  ")
    assert set(error.value.message_dict) == {"outcome", "note"}
    case.refresh_from_db()
    assert case.status == S.NEW and not case.events.filter(kind="resolved").exists()


def test_the_database_refuses_a_resolved_case_without_outcome(ava, customer):
    case = case_for(customer=customer, actor=ava)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=S.RESOLVED)


def test_resolved_at_first_point_of_contact_when_one_call_and_no_forwarding(ava, customer):
    contact = contact_record(
        channel=Channel.PHONE,
        customer=customer,
        actor=ava,
        summary="When is my bin day?",
        new_case=CaseDraft(service=Service.objects.get(code="missed-bin"), summary="Bin day"),
    )
    case = case_resolve(case=contact.case, actor=ava, outcome=outcome(), note="Told Tuesday")
    assert case.resolved_first_contact is True


def test_resolved_by_someone_else_or_after_asking_the_customer_is_not_first_contact(
    ava, tess, customer
):
    service = Service.objects.get(code="missed-bin")
    handed_on = contact_record(
        channel=Channel.PHONE,
        customer=customer,
        actor=ava,
        new_case=CaseDraft(service=service, summary="A"),
    )
    case = case_resolve(case=handed_on.case, actor=tess, outcome=outcome(), note="Done")
    assert case.resolved_first_contact is False
    asked = contact_record(
        channel=Channel.PHONE,
        customer=customer,
        actor=ava,
        new_case=CaseDraft(service=service, summary="B"),
    )
    case_await_customer(case=asked.case, actor=ava, text="Which bin?")
    case = case_resolve(case=asked.case, actor=ava, outcome=outcome(), note="Done")
    assert case.resolved_first_contact is False


def test_a_chasing_call_means_not_first_point_of_contact(ava, customer):
    contact = contact_record(
        channel=Channel.PHONE,
        customer=customer,
        actor=ava,
        summary="Bin missed",
        new_case=CaseDraft(service=Service.objects.get(code="missed-bin"), summary="Missed bin"),
    )
    contact_record(
        channel=Channel.PHONE, customer=customer, actor=ava, case=contact.case, summary="Chasing"
    )
    case = case_resolve(case=contact.case, actor=ava, outcome=outcome(), note="Collected")
    assert case.resolved_first_contact is False


@pytest.mark.parametrize(
    "action",
    [
        lambda c, u: case_close(case=c, actor=u),
        lambda c, u: case_accept(case=c, actor=u),
        lambda c, u: case_reopen(case=c, actor=u, reason="x"),
    ],
)
def test_transitions_not_allowed_from_new_say_why(ava, customer, action):
    case = case_for(customer=customer, actor=ava)
    with pytest.raises(CaseTransitionError, match="This case is new"):
        action(case, ava)


def test_forwarding_to_the_department_it_is_already_with_is_refused(ava, customer):
    case = case_for(customer=customer, actor=ava)
    waste = Department.objects.get(name="Waste and Recycling")
    case_forward(case=case, actor=ava, department=waste, reason="Crew")
    with pytest.raises(CaseTransitionError, match="already with Waste and Recycling"):
        case_forward(case=case, actor=ava, department=waste, reason="Again")


def test_forwarding_needs_a_reason(ava, customer):
    case = case_for(customer=customer, actor=ava)
    with pytest.raises(ValidationError, match="Say why"):
        case_forward(case=case, actor=ava, department=Department.objects.first(), reason="")


def test_notes_are_staff_only_on_the_timeline(ava, customer):
    case = case_for(customer=customer, actor=ava)
    event = case_note_add(case=case, actor=ava, text="Customer is hard of hearing")
    assert event.visible_to_customer is False
    with pytest.raises(ValidationError):
        case_note_add(case=case, actor=ava, text=" ")


@pytest.mark.django_db(transaction=True)
def test_two_people_forwarding_one_case_at_once_both_land_in_turn(council):
    from django.contrib.auth import get_user_model

    case = case_for(channel=Channel.PHONE)
    users = get_user_model().objects.select_related("staff_member")
    targets = iter(
        [
            (users.get(username="ava"), Department.objects.get(name="Finance")),
            (users.get(username="abe"), Department.objects.get(name="Highways")),
        ]
    )

    def forward():
        who, department = next(targets)
        return case_forward(case=case, actor=who, department=department, reason="Theirs").pk

    assert at_once(forward, threads=2) == [case.pk, case.pk]
    assert case.events.filter(kind=CaseEvent.Kind.FORWARDED).count() == 2


def test_scheduling_notes_what_and_the_day_and_keeps_the_status(ava, customer):
    case = case_for(service_code="bulky-waste", customer=customer, actor=ava)
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)):
        case = case_schedule(
            case=case, actor=ava, scheduled_for=date(2026, 3, 5), text=" Collection of a sofa "
        )
    assert case.status == S.NEW
    event = case.events.get(kind=CaseEvent.Kind.SCHEDULED)
    assert event.text == "Collection of a sofa: Thursday 5 March 2026"
    assert (event.actor, event.channel, event.visible_to_customer) == (ava, "staff", True)


def test_scheduling_refuses_a_past_day_no_text_and_a_closed_case(ava, customer):
    case = case_for(service_code="bulky-waste", customer=customer, actor=ava)
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)):
        with pytest.raises(ValidationError) as refused:
            case_schedule(case=case, actor=ava, scheduled_for=date(2026, 3, 1), text=" ")
        assert set(refused.value.message_dict) == {"scheduled_for", "text"}
        case = case_close(
            case=case_resolve(case=case, actor=ava, outcome=outcome(), note="Done"), actor=ava
        )
        with pytest.raises(CaseTransitionError):
            case_schedule(case=case, actor=ava, scheduled_for=date(2026, 3, 5), text="Visit")
    assert not case.events.filter(kind=CaseEvent.Kind.SCHEDULED).exists()
