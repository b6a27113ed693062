"""Every write to cases and contacts. Each function is one transaction and writes its own
timeline event; views, commands and (later) channel adapters call these and nothing else."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from frontdoor.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseFile,
    Channel,
    Contact,
    Outcome,
    RestrictedCaseView,
)
from frontdoor.cases.selectors import may_see_restricted
from frontdoor.cases.uploads import CheckedUpload, upload_check
from frontdoor.core.calendar import WorkingCalendar, council_calendar
from frontdoor.core.formatting import weekday_date
from frontdoor.core.models import Council
from frontdoor.core.prepared import PreparedQuery
from frontdoor.core.references import format_reference, reference_numbers_allocate
from frontdoor.customers.models import Customer
from frontdoor.directory.models import ContactPoint, Department, Service, SLAPolicy
from frontdoor.directory.selectors import absence_of, absence_refusal
from frontdoor.directory.services import contact_point_mark_used

S = Case.Status
# Channels where the customer is answered in the conversation itself.
LIVE_CHANNELS = frozenset({Channel.PHONE, Channel.FACE_TO_FACE, Channel.CHAT})


class CaseTransitionError(ValidationError):
    """The case is not in a state that allows this action; the message says why."""


@dataclass(frozen=True)
class CaseDraft:
    service: Service
    summary: str
    kind: str = Case.Kind.REQUEST
    priority: int = Case.Priority.NORMAL
    description: str = ""
    location: str = ""
    location_postcode: str = ""
    location_uprn: int | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    previous_case: Case | None = None
    # The keyword routing rule that decided where the case goes, if one did.
    routed_by: Any = None
    # A reference reserved beforehand (case_references_reserve); empty: one is given now.
    reference: str = ""
    # Why the case goes straight to its service's department as it opens (an online form
    # that asks what the department needs, say); empty: it waits for the front office.
    forward_reason: str = ""


def due_dates(
    *, policy: SLAPolicy, opened_at: datetime, calendar: WorkingCalendar
) -> tuple[datetime, datetime]:
    add: Callable[[datetime, int], datetime]
    if policy.unit == SLAPolicy.Unit.WORKING_HOURS:
        add = calendar.add_working_hours
    else:
        add = calendar.add_working_days
    return (
        add(opened_at, policy.first_response_target),
        add(opened_at, policy.resolution_target),
    )


def _event(
    case: Case, kind: str, *, actor: Any, channel: str, at: datetime | None = None, **fields: Any
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, channel=channel, at=at or timezone.now(), **fields
    )


def _require(case: Case, allowed: tuple[str, ...], action: str) -> None:
    if case.status not in allowed:
        raise CaseTransitionError(
            f"This case is {case.get_status_display().lower()}, so it cannot be {action}.",
            code="invalid_transition",
        )


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock so two people acting at once cannot both win.

    The lock is taken on the case row alone, then the case is read with its service and
    department: on PostgreSQL a locking read that joins them and had to wait re-checks the
    join against the department row it first saw, so a case forwarded meanwhile would seem
    not to exist."""
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").get()
    return Case.objects.select_related("service", "department").get(pk=case.pk)


@dataclass(frozen=True)
class CaseOpening:
    """One case to open: what it is about, whose it is, and how it arrived."""

    draft: CaseDraft
    customer: Customer | None
    channel: str
    actor: Any = None
    opened_at: datetime | None = None


def case_open(
    *,
    draft: CaseDraft,
    customer: Customer | None,
    channel: str,
    actor: Any = None,
    opened_at: datetime | None = None,
) -> Case:
    (case,) = cases_open(
        openings=[
            CaseOpening(
                draft=draft, customer=customer, channel=channel, actor=actor, opened_at=opened_at
            )
        ]
    )
    return case


def case_references_reserve(*, count: int = 1, at: datetime | None = None) -> list[str]:
    """References for cases about to be opened, for a caller that opens one case in each
    transaction (an app's report, say) to reserve before its transaction begins.

    Each year's counter is a row that every opening locks until its transaction ends, so
    cases opened at once wait for each other's whole transactions; reserved here, outside
    them, the row is locked only for this moment. A reference reserved and then not used
    (the transaction failed, or the report turned out to be one had before) is skipped:
    references may have gaps."""
    moment = at or timezone.now()
    year = timezone.localtime(moment).year
    prefix = Council.current().reference_prefix
    return [
        format_reference(prefix, year, number)
        for number in reference_numbers_allocate(year=year, count=count)
    ]


# Part of its caller's transaction rather than a savepoint of its own: every caller lets a
# failure here end its own block (see contacts_record), and a savepoint is two more round
# trips on the path of every case opened.
@transaction.atomic(savepoint=False)
def cases_open(*, openings: Sequence[CaseOpening]) -> list[Case]:
    """Open cases with references and working-day targets, in the order given.

    A batch (mail arriving together, say) reserves its references in one step and writes its
    rows together; each case is the same as if it had been opened alone. A restricted case that
    whoever took it may not see goes straight to the department that may, as does a case
    whose draft gives a forward_reason."""
    cases, events = _cases_opened(openings)
    CaseEvent.objects.bulk_create(events)
    return cases


def _cases_opened(openings: Sequence[CaseOpening]) -> tuple[list[Case], list[CaseEvent]]:
    """cases_open's cases written, and their first events for the caller to write (with
    events of its own, in one statement)."""
    if not openings:
        return [], []
    now = timezone.now()
    calendar = council_calendar()
    prefix = Council.current().reference_prefix
    moments = [opening.opened_at or now for opening in openings]
    years = Counter(
        timezone.localtime(moment).year
        for opening, moment in zip(openings, moments, strict=True)
        if not opening.draft.reference
    )
    numbers = {  # each year's counter row is locked, in order of year like every batch
        year: iter(reference_numbers_allocate(year=year, count=years[year]))
        for year in sorted(years)
    }
    cases: list[Case] = []
    sent_on: list[bool] = []
    for opening, opened_at in zip(openings, moments, strict=True):
        draft, actor = opening.draft, opening.actor
        service = draft.service
        first_response_due, resolution_due = due_dates(
            policy=service.sla_policy, opened_at=opened_at, calendar=calendar
        )
        year = timezone.localtime(opened_at).year
        straight_on = bool(draft.forward_reason) or (
            service.restricted
            and (
                actor is None or not may_see_restricted(actor, department_id=service.department_id)
            )
        )
        sent_on.append(straight_on)
        cases.append(
            Case(
                reference=draft.reference or format_reference(prefix, year, next(numbers[year])),
                service=service,
                customer=opening.customer,
                kind=draft.kind,
                priority=draft.priority,
                status=S.FORWARDED if straight_on else S.NEW,
                summary=draft.summary.strip(),
                description=draft.description.strip(),
                location=draft.location.strip(),
                location_postcode=draft.location_postcode,
                location_uprn=draft.location_uprn,
                latitude=draft.latitude,
                longitude=draft.longitude,
                channel=opening.channel,
                restricted=service.restricted,
                opened_at=opened_at,
                first_response_due=first_response_due,
                resolution_due=resolution_due,
                opened_by=actor,
                assigned_to=None if straight_on else actor,
                department=service.department,
                forwarded_at=opened_at if straight_on else None,
                first_responded_at=opened_at if opening.channel in LIVE_CHANNELS else None,
                previous_case=draft.previous_case,
                routed_by=draft.routed_by,
            )
        )
    Case.objects.bulk_create(cases)
    events = []
    for case, opening, straight_on in zip(cases, openings, sent_on, strict=True):
        follows = opening.draft.previous_case
        events.append(
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.OPENED,
                actor=opening.actor,
                channel=opening.channel,
                at=case.opened_at,
                text=f"{case.get_kind_display()}: {case.summary}"
                + (f" (follows on from {follows.reference})" if follows else ""),
            )
        )
        if straight_on:
            events.append(
                CaseEvent(
                    case=case,
                    kind=CaseEvent.Kind.FORWARDED,
                    actor=opening.actor,
                    channel=opening.channel,
                    at=case.opened_at,
                    text=opening.draft.forward_reason.strip()
                    or "A restricted service: sent straight to the department",
                    department=case.department,
                )
            )
    return cases, events


@dataclass(frozen=True)
class ContactDraft:
    """One interaction to record: on an existing case, on a new one, or on none."""

    channel: str
    customer: Customer | None
    actor: Any = None
    contact_point: ContactPoint | None = None
    case: Case | None = None
    new_case: CaseDraft | None = None
    direction: str = Contact.Direction.INBOUND
    occurred_at: datetime | None = None
    duration_seconds: int | None = None
    wait_seconds: int | None = None
    summary: str = ""
    # The source's own id (a Message-ID, say): a contact with one is never recorded twice.
    source_key: str | None = None
    # What a contact on no case was about (a reception ticket's service, say); a case's own
    # service wins, and without either the contact point's service is taken.
    service: Service | None = None


def contact_record(
    *,
    channel: str,
    customer: Customer | None,
    actor: Any = None,
    contact_point: ContactPoint | None = None,
    case: Case | None = None,
    new_case: CaseDraft | None = None,
    direction: str = Contact.Direction.INBOUND,
    occurred_at: datetime | None = None,
    duration_seconds: int | None = None,
    wait_seconds: int | None = None,
    summary: str = "",
    source_key: str | None = None,
    service: Service | None = None,
) -> Contact:
    """Record one interaction, attaching it to an existing case or opening a new one.

    Idempotent on source_key: recording the same item again returns the contact already
    recorded, even when two callers race."""
    draft = ContactDraft(
        channel=channel,
        customer=customer,
        actor=actor,
        contact_point=contact_point,
        case=case,
        new_case=new_case,
        direction=direction,
        occurred_at=occurred_at,
        duration_seconds=duration_seconds,
        wait_seconds=wait_seconds,
        summary=summary,
        source_key=source_key,
        service=service,
    )
    try:
        with transaction.atomic():
            (contact,) = contacts_record(drafts=[draft])
            return contact
    except IntegrityError:
        existing = (
            Contact.objects.filter(source_key=draft.source_key).first()
            if draft.source_key
            else None
        )
        if existing is None:
            raise
        return existing


# Part of its caller's transaction, for the reason cases_open gives; contact_record and the
# intake batches put it in a savepoint of their own where they recover from its failures.
@transaction.atomic(savepoint=False)
def contacts_record(*, drafts: Sequence[ContactDraft]) -> list[Contact]:
    """Record interactions in the order given, opening the new cases they bring.

    A draft whose source_key was recorded before gives back the contact recorded then (also
    within the batch). All or nothing: a case that is closed or another customer's fails the
    whole batch with a ValidationError saying which case."""
    for draft in drafts:
        if draft.case is not None and draft.new_case is not None:
            raise ValueError("Attach the contact to an existing case or open a new one, not both.")
    known = _contacts_known([d.source_key for d in drafts if d.source_key])
    fresh = [i for i in _first_of_each_source(drafts) if drafts[i].source_key not in known]
    locked = _lock_all([c.pk for i in fresh if (c := drafts[i].case) is not None])
    for i in fresh:
        if (existing := drafts[i].case) is not None:
            _check_open_and_theirs(locked[existing.pk], drafts[i].customer)
    now = timezone.now()
    openings = [
        CaseOpening(
            draft=d.new_case,
            customer=d.customer,
            channel=d.channel,
            actor=d.actor,
            opened_at=d.occurred_at or now,
        )
        for d in (drafts[i] for i in fresh)
        if d.new_case is not None
    ]
    opened_cases, events = _cases_opened(openings)
    opened = iter(opened_cases)
    contacts = []
    for i in fresh:
        draft = drafts[i]
        if draft.new_case is not None:
            case: Case | None = next(opened)
        else:
            case = locked[draft.case.pk] if draft.case is not None else None
        point = draft.contact_point
        contacts.append(
            Contact(
                channel=draft.channel,
                direction=draft.direction,
                contact_point=point,
                customer=draft.customer,
                case=case,
                service=_service_of(draft, case),
                occurred_at=draft.occurred_at or now,
                duration_seconds=draft.duration_seconds,
                wait_seconds=draft.wait_seconds,
                handled_by=draft.actor,
                summary=draft.summary.strip(),
                source_key=draft.source_key,
            )
        )
    Contact.objects.bulk_create(contacts)
    _contacts_follow_up(contacts, events)
    _contacts_count_later(contacts)
    recorded: dict[int, Contact] = dict(zip(fresh, contacts, strict=True))
    for contact in contacts:
        if contact.source_key:
            known[contact.source_key] = contact
    return [
        recorded[i] if i in recorded else known[str(draft.source_key)]
        for i, draft in enumerate(drafts)
    ]


def _contacts_count_later(contacts: list[Contact]) -> None:
    """Mark the contacts' days for the reporting rollups to count again. Reporting builds on
    cases, so it is imported here rather than at the top."""
    from frontdoor.reporting.services import contact_days_mark

    contact_days_mark(moments=[contact.occurred_at for contact in contacts])


def _cases_count_later(resolved: list[datetime | None]) -> None:
    """Mark the days cases were resolved on for the reporting rollups to count again."""
    from frontdoor.reporting.services import case_days_mark

    case_days_mark(moments=resolved)


def _contacts_known(keys: list[str]) -> dict[str, Contact]:
    """The contacts recorded before with these source keys. One key (a report, a message) is
    nearly always a miss, asked in a query built once (see core.prepared)."""
    if not keys:
        return {}
    if len(keys) == 1 and _contact_of_source.first(source_key=keys[0]) is None:
        return {}
    found = Contact.objects.filter(source_key__in=keys).order_by()
    return {c.source_key: c for c in found if c.source_key}


_contact_of_source = PreparedQuery(
    lambda source_key: Contact.objects.filter(source_key=source_key).values_list("pk")[:1],
    "source_key",
)


def _service_of(draft: ContactDraft, case: Case | None) -> Service | None:
    if case is not None:
        return case.service
    if draft.service is not None:
        return draft.service
    return draft.contact_point.service if draft.contact_point is not None else None


def _first_of_each_source(drafts: Sequence[ContactDraft]) -> list[int]:
    """The positions of the drafts to record: each source key's first draft, and every draft
    without one."""
    seen: set[str] = set()
    first = []
    for position, draft in enumerate(drafts):
        if draft.source_key:
            if draft.source_key in seen:
                continue
            seen.add(draft.source_key)
        first.append(position)
    return first


def _lock_all(case_ids: list[int]) -> dict[int, Case]:
    """The cases re-read under row locks, so two people acting at once cannot both win."""
    if not case_ids:
        return {}
    wanted = set(case_ids)
    # In order of id, as every batch takes them (intake reopens cases in that order too), so
    # that two batches do not wait on each other's rows. The rows alone are locked, then read
    # with what they join, for the reason _lock gives.
    list(Case.objects.select_for_update().filter(pk__in=wanted).order_by("pk").values_list("pk"))
    return Case.objects.select_related("service", "department").in_bulk(wanted)


def _check_open_and_theirs(case: Case, customer: Customer | None) -> None:
    if customer is not None and case.customer_id not in (None, customer.pk):
        raise ValidationError(
            {"existing_case": f"Case {case.reference} is another customer's case"}
        )
    if not case.is_open:
        raise CaseTransitionError(
            f"Case {case.reference} is {case.get_status_display().lower()}. "
            "Reopen it first, or open a new case.",
            code="case_not_open",
        )


def _contacts_follow_up(contacts: list[Contact], events: list[CaseEvent]) -> None:
    """What recording contacts changes elsewhere: the contact points' last use, a case's first
    response (an outbound or live contact answers the customer), and the cases' timelines
    (written with the events of the cases the contacts opened)."""
    last_use: dict[int, datetime] = {}
    for contact in contacts:
        if contact.contact_point_id is not None:
            point = contact.contact_point_id
            last_use[point] = max(last_use.get(point, contact.occurred_at), contact.occurred_at)
    for point in sorted(last_use):
        contact_point_mark_used(contact_point_id=point, at=last_use[point])
    for contact in contacts:
        case = contact.case
        if case is None:
            continue
        answered = contact.direction == Contact.Direction.OUTBOUND or contact.channel in (
            LIVE_CHANNELS
        )
        if answered and case.first_responded_at is None:
            Case.objects.filter(pk=case.pk, first_responded_at__isnull=True).update(
                first_responded_at=contact.occurred_at
            )
            case.first_responded_at = contact.occurred_at
        verb = "to" if contact.direction == Contact.Direction.OUTBOUND else "from"
        text = f"{contact.get_channel_display()} {verb} the customer"
        if contact.summary:
            text += f": {contact.summary}"
        events.append(
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.CONTACT,
                actor=contact.handled_by,
                channel=contact.channel,
                at=contact.occurred_at,
                text=text,
                contact=contact,
            )
        )
    CaseEvent.objects.bulk_create(events)


@transaction.atomic
def case_note_add(*, case: Case, actor: Any, text: str, channel: str = Channel.STAFF) -> CaseEvent:
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter a note"})
    return _event(
        case,
        CaseEvent.Kind.NOTE,
        actor=actor,
        channel=channel,
        text=text,
        visible_to_customer=False,
    )


def case_app_comment_add(
    *,
    case: Case,
    text: str,
    channel: str,
    customer: Customer | None,
    contact_point: ContactPoint | None = None,
    occurred_at: datetime | None = None,
    source_key: str | None = None,
) -> CaseEvent:
    """A comment an app sends for the customer (an Open311 update): an inbound contact on
    the case and a customer-update event on its timeline, once per source key even when two
    callers race. (A resident's own update in My Account, with its file, is
    case_customer_update_add.)

    Taken on a resolved or closed case too, unlike a logged contact: the customer's words are
    kept where staff will see them, and staff (or the caller, within the council's window)
    decide whether the case reopens."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter the update"})
    try:
        with transaction.atomic():
            return _app_comment_add(
                case, text, channel, customer, contact_point, occurred_at, source_key
            )
    except IntegrityError:
        existing = (
            CaseEvent.objects.filter(
                kind=CaseEvent.Kind.CUSTOMER_UPDATE, contact__source_key=source_key
            ).first()
            if source_key
            else None
        )
        if existing is None:
            raise
        return existing


def _app_comment_add(
    case: Case,
    text: str,
    channel: str,
    customer: Customer | None,
    contact_point: ContactPoint | None,
    occurred_at: datetime | None,
    source_key: str | None,
) -> CaseEvent:
    if source_key and (
        known := CaseEvent.objects.filter(
            kind=CaseEvent.Kind.CUSTOMER_UPDATE, contact__source_key=source_key
        ).first()
    ):
        return known
    return _customer_update_write(
        case=case,
        text=text,
        summary=text[:200],
        channel=channel,
        customer=customer,
        contact_point=contact_point,
        at=occurred_at or timezone.now(),
        source_key=source_key,
        actor=None,
    )


def _customer_update_write(
    *,
    case: Case,
    text: str,
    summary: str,
    channel: str,
    customer: Customer | None,
    contact_point: ContactPoint | None,
    at: datetime,
    source_key: str | None,
    actor: Any,
) -> CaseEvent:
    """What the customer added, written once for every way it arrives: an inbound contact
    (the contact baseline counts it) and one customer-update event with it. The contact's
    usual "contact logged" event is not written as well: it would say the same twice."""
    contact = Contact.objects.create(
        channel=channel,
        direction=Contact.Direction.INBOUND,
        contact_point=contact_point,
        customer=customer,
        case=case,
        service=case.service,
        occurred_at=at,
        summary=summary,
        source_key=source_key,
    )
    if contact_point is not None:
        contact_point_mark_used(contact_point_id=contact_point.pk, at=at)
    _contacts_count_later([contact])
    event = _event(
        case,
        CaseEvent.Kind.CUSTOMER_UPDATE,
        actor=actor,
        channel=channel,
        at=at,
        text=text,
        contact=contact,
    )
    case.save(update_fields=["updated_at"])
    # Someone must read it: an open case goes back in the front office's queue, as an email
    # reply does (a case with a department stays in its inbox, where the update shows).
    from frontdoor.routing.services import work_items_enqueue  # routing imports this module

    work_items_enqueue(cases=[case])
    return event


@transaction.atomic
def case_start(*, case: Case, actor: Any, channel: str = Channel.STAFF) -> Case:
    case = _lock(case)
    _require(case, (S.NEW, S.AWAITING_CUSTOMER), "started")
    previous = case.assigned_to
    case.status = S.IN_PROGRESS
    case.assigned_to = actor
    case.save(update_fields=["status", "assigned_to", "updated_at"])
    text = ""
    if previous is not None and previous != actor:
        text = f"Taken over from {previous.get_full_name() or previous.get_username()}"
    _event(case, CaseEvent.Kind.STARTED, actor=actor, channel=channel, text=text)
    return case


@transaction.atomic
def case_await_customer(*, case: Case, actor: Any, text: str, channel: str = Channel.STAFF) -> Case:
    now = timezone.now()
    case = _lock_after_its_queue_work_ends(case, at=now)
    _require(case, (S.NEW, S.IN_PROGRESS, S.FORWARDED), "put on hold for the customer")
    if not text.strip():
        raise ValidationError({"text": "Say what you have asked the customer for"})
    case.status = S.AWAITING_CUSTOMER
    case.first_responded_at = case.first_responded_at or now
    case.save(update_fields=["status", "first_responded_at", "updated_at"])
    _event(
        case,
        CaseEvent.Kind.AWAITING_CUSTOMER,
        actor=actor,
        channel=channel,
        at=now,
        text=text.strip(),
    )
    return case


@transaction.atomic
def case_forward(
    *,
    case: Case,
    actor: Any,
    department: Department,
    reason: str,
    channel: str = Channel.STAFF,
    officer: Any = None,
    tell_customer: bool = True,
) -> Case:
    """Send the case to a department's inbox, or to a named officer there. Forwarding to
    someone who is away is refused, saying who covers. The customer is told (see
    notify.notices) unless tell_customer is False: a case routed on as it arrives, say, whose
    acknowledgement already tells them."""
    if officer is not None:
        _check_officer(officer, department)
    now = timezone.now()
    case = _lock_after_its_queue_work_ends(case, at=now)
    _require(case, OPEN_STATUSES, "forwarded")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is being forwarded"})
    if case.status == S.FORWARDED and case.department_id == department.pk:
        raise CaseTransitionError(
            f"This case is already with {department.name}. Choose another department.",
            code="same_department",
        )
    if not department.is_active:
        raise ValidationError({"department": f"{department.name} no longer takes cases"})
    owner = case.service.department
    if case.restricted and department != owner:
        raise ValidationError(
            {"department": f"Restricted cases stay with {owner.name}, who alone may see them"}
        )
    case.status = S.FORWARDED
    case.department = department
    case.assigned_to = officer
    case.forwarded_at = now
    case.save(update_fields=["status", "department", "assigned_to", "forwarded_at", "updated_at"])
    forwarded = _event(
        case,
        CaseEvent.Kind.FORWARDED,
        actor=actor,
        channel=channel,
        at=now,
        text=reason.strip(),
        department=department,
    )
    if officer is not None:  # staff's business, not the customer's
        _event(
            case,
            CaseEvent.Kind.ASSIGNED,
            actor=actor,
            channel=channel,
            at=now,
            text=f"Forwarded for {officer.get_full_name() or officer.get_username()}",
            visible_to_customer=False,
        )
    if tell_customer:
        # notify builds on cases, so it is imported here rather than at the top
        from frontdoor.notify.notices import case_forwarded_notify

        case_forwarded_notify(case=case, event=forwarded)
    return case


def _check_officer(officer: Any, department: Department) -> None:
    member = getattr(officer, "staff_member", None)
    if member is None or not member.is_active or not officer.is_active:
        raise ValidationError({"officer": "Choose a member of staff who works here now"})
    if member.department_id != department.pk:
        raise ValidationError({"officer": f"{member} is not in {department.name}"})
    away = absence_of(member)
    if away is not None:
        raise ValidationError({"officer": absence_refusal(member, away)})


@transaction.atomic
def case_assign(
    *,
    case_id: int,
    to: Any,
    actor: Any,
    text: str,
    channel: str = Channel.STAFF,
    at: datetime | None = None,
) -> None:
    """Give an open case to someone to work on now (from the queue, or by a team leader); a
    new case is then in progress. One conditional UPDATE, which also locks the row: the queue
    hands out cases all day, so this does not read the case first. (On PostgreSQL the queue's
    claim does the same in the server: routing/migrations/0003.)"""
    at = at or timezone.now()
    taken = Case.objects.filter(pk=case_id, status__in=OPEN_STATUSES).update(
        assigned_to=to,
        status=models.Case(
            models.When(status=S.NEW, then=models.Value(S.IN_PROGRESS)),
            default=models.F("status"),
        ),
        updated_at=at,
    )
    if not taken:
        raise CaseTransitionError(
            "This case is no longer open, so it cannot be assigned.", code="invalid_transition"
        )
    CaseEvent.objects.create(
        case_id=case_id,
        kind=CaseEvent.Kind.ASSIGNED,
        actor=actor,
        channel=channel,
        at=at,
        text=text,
        visible_to_customer=False,
    )


@transaction.atomic
def case_release(*, case: Case, actor: Any, text: str, channel: str = Channel.STAFF) -> Case:
    """Take a case back from whoever was working on it, for the queue to give it again."""
    case = _lock(case)
    case.assigned_to = None
    case.save(update_fields=["assigned_to", "updated_at"])
    _event(
        case,
        CaseEvent.Kind.RELEASED,
        actor=actor,
        channel=channel,
        text=text,
        visible_to_customer=False,
    )
    return case


def _lock_after_its_queue_work_ends(case: Case, *, at: datetime) -> Case:
    """For an action after which the case no longer needs the front office (it was answered,
    forwarded, resolved or closed): its place in the work queues ends, then the case is
    locked as _lock does. In that order because the queue's claim locks an item and then its
    case: an action that locked the case first and then waited for the item a claimer had
    just taken would deadlock with it. If the action is refused, the transaction rolls back
    and the work is as it was.

    Work items are routing's; imported here rather than at the top because routing builds on
    cases."""
    from frontdoor.routing.services import work_items_end

    work_items_end(case_id=case.pk, at=at)
    return _lock(case)


@transaction.atomic
def case_accept(*, case: Case, actor: Any, channel: str = Channel.STAFF) -> Case:
    """A back-office officer takes a forwarded case from the department inbox."""
    case = _lock(case)
    _require(case, (S.FORWARDED,), "taken")
    case.status = S.IN_PROGRESS
    case.assigned_to = actor
    case.save(update_fields=["status", "assigned_to", "updated_at"])
    _event(case, CaseEvent.Kind.ACCEPTED, actor=actor, channel=channel, department=case.department)
    return case


def _first_point_of_contact(case: Case, *, resolver: Any, at: datetime) -> bool:
    """Resolved at first point of contact: the person who took the one inbound contact resolved
    it the same day, with no forwarding, no reopening, no waiting on the customer and no
    reply needed."""
    if case.forwarded_at is not None or case.reopened_count:
        return False
    if case.events.filter(kind=CaseEvent.Kind.AWAITING_CUSTOMER).exists():
        return False
    contacts = list(case.contacts.values_list("direction", "handled_by_id", "occurred_at")[:3])
    if len(contacts) != 1:
        return False
    direction, handled_by_id, occurred_at = contacts[0]
    return (
        direction == Contact.Direction.INBOUND
        and handled_by_id == getattr(resolver, "pk", None)
        and timezone.localdate(occurred_at) == timezone.localdate(at)
    )


@transaction.atomic
def case_resolve(
    *, case: Case, actor: Any, outcome: Outcome | None, note: str, channel: str = Channel.STAFF
) -> Case:
    now = timezone.now()
    case = _lock_after_its_queue_work_ends(case, at=now)
    _require(case, OPEN_STATUSES, "resolved")
    errors = {}
    if outcome is None:
        errors["outcome"] = "Choose the outcome"
    if not note.strip():
        errors["note"] = "Say what was done to resolve the case"
    if errors:
        raise ValidationError(errors)
    case.status = S.RESOLVED
    case.outcome = outcome
    case.resolution_note = note.strip()
    case.resolved_at = now
    case.first_responded_at = case.first_responded_at or now
    case.resolved_first_contact = _first_point_of_contact(case, resolver=actor, at=now)
    case.assigned_to = case.assigned_to or actor
    case.save(
        update_fields=[
            "status",
            "outcome",
            "resolution_note",
            "resolved_at",
            "first_responded_at",
            "resolved_first_contact",
            "assigned_to",
            "updated_at",
        ]
    )
    _cases_count_later([now])
    resolved = _event(
        case,
        CaseEvent.Kind.RESOLVED,
        actor=actor,
        channel=channel,
        at=now,
        text=f"{outcome}: {case.resolution_note}",
    )
    from frontdoor.notify.notices import case_resolved_notify  # as in case_forward

    case_resolved_notify(case=case, event=resolved)
    return case


@transaction.atomic
def case_close(*, case: Case, actor: Any, channel: str = Channel.STAFF) -> Case:
    now = timezone.now()
    case = _lock_after_its_queue_work_ends(case, at=now)
    _require(case, (S.RESOLVED,), "closed before it is resolved")
    case.status = S.CLOSED
    case.closed_at = now
    case.save(update_fields=["status", "closed_at", "updated_at"])
    closed = _event(case, CaseEvent.Kind.CLOSED, actor=actor, channel=channel, at=now)
    from frontdoor.notify.notices import case_closed_notify  # as in case_forward

    case_closed_notify(case=case, event=closed)
    return case


@transaction.atomic
def case_schedule(
    *,
    case: Case,
    actor: Any,
    scheduled_for: date,
    text: str,
    channel: str = Channel.STAFF,
    tell_customer: bool = True,
) -> Case:
    """Book something for an open case on a day (a bulky waste collection, a visit), and
    tell the customer (unless another message already does, like a form's confirmation).
    The timeline says what and when; the case keeps its status."""
    case = _lock(case)
    _require(case, OPEN_STATUSES, "scheduled")
    text = text.strip()
    errors = {}
    if not text:
        errors["text"] = "Say what will happen on that day"
    if scheduled_for < timezone.localdate():
        errors["scheduled_for"] = "The date must be today or in the future"
    if errors:
        raise ValidationError(errors)
    case.save(update_fields=["updated_at"])
    day = weekday_date(scheduled_for)
    scheduled = _event(
        case, CaseEvent.Kind.SCHEDULED, actor=actor, channel=channel, text=f"{text}: {day}"
    )
    if tell_customer:
        from frontdoor.notify.notices import case_scheduled_notify  # as in case_forward

        case_scheduled_notify(case=case, event=scheduled, scheduled_for=scheduled_for, what=text)
    return case


@transaction.atomic
def case_reopen(*, case: Case, actor: Any, reason: str, channel: str = Channel.STAFF) -> Case:
    case = _lock(case)
    _require(case, (S.RESOLVED, S.CLOSED), "reopened while it is still open")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is being reopened"})
    now = timezone.now()
    # A reopened case gets fresh targets from now, so it is not overdue the moment it reopens.
    _, case.resolution_due = due_dates(
        policy=case.service.sla_policy, opened_at=now, calendar=council_calendar()
    )
    _cases_count_later([case.resolved_at])  # its day no longer counts it
    case.status = S.IN_PROGRESS
    case.reopened_count += 1
    case.outcome = None
    case.resolution_note = ""
    case.resolved_at = None
    case.closed_at = None
    case.resolved_first_contact = None
    case.assigned_to = actor
    case.save(
        update_fields=[
            "status",
            "reopened_count",
            "outcome",
            "resolution_note",
            "resolved_at",
            "closed_at",
            "resolved_first_contact",
            "assigned_to",
            "resolution_due",
            "updated_at",
        ]
    )
    _event(case, CaseEvent.Kind.REOPENED, actor=actor, channel=channel, at=now, text=reason.strip())
    return case


def restricted_case_view_record(*, case: Case, viewer: Any) -> None:
    if case.restricted:
        RestrictedCaseView.objects.create(case=case, viewer=viewer, at=timezone.now())


@transaction.atomic
def case_customer_update_add(
    *, case: Case, author: Any, text: str, upload: UploadedFile | None = None
) -> CaseEvent:
    """The customer adds to their open case from My Account: what they say, a file, or both,
    as an inbound web-form contact and one "update from the customer" event that staff see
    on the case page with the file. Whose case it is was decided by the caller's selector
    (cases_of_resident)."""
    text = text.strip()
    errors: dict[str, Any] = {}
    if not text and upload is None:
        errors["text"] = "Enter your update, or choose a file to send"
    checked = None
    if upload is not None:
        try:
            checked = upload_check(upload)
        except ValidationError as problem:
            errors["upload"] = problem
    if errors:
        raise ValidationError(errors)
    case = _lock(case)
    if not case.is_open:
        raise CaseTransitionError(
            f"This case is {case.get_status_display().lower()}, so it cannot be added to. "
            "If you need to tell us more, contact us again.",
            code="case_not_open",
        )
    event = _customer_update_write(
        case=case,
        text=text,
        summary=text or (f"Sent a file: {checked.name}" if checked else ""),
        channel=Channel.WEB_FORM,
        customer=case.customer,
        contact_point=None,
        at=timezone.now(),
        source_key=None,
        actor=author,
    )
    if upload is not None and checked is not None:
        _case_file_store(case=case, event=event, upload=upload, checked=checked, author=author)
    return event


def _case_file_store(
    *, case: Case, event: CaseEvent, upload: UploadedFile, checked: CheckedUpload, author: Any
) -> CaseFile:
    """Keep the file under a name of our own, and remove it again if its row is not written,
    so that a failure leaves no file behind that nothing refers to."""
    record = CaseFile(
        case=case,
        event=event,
        name=checked.name,
        content_type=checked.content_type,
        extension=checked.extension,
        size=checked.size,
        uploaded_at=event.at,
        uploaded_by=author,
    )
    record.file.save(checked.name, upload, save=False)
    try:
        record.save()
    except Exception:
        record.file.delete(save=False)
        raise
    return record
