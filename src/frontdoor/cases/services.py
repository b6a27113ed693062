"""Every write to cases and contacts. Each function is one transaction and writes its own
timeline event; views, commands and (later) channel adapters call these and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from frontdoor.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Channel,
    Contact,
    Outcome,
    RestrictedCaseView,
)
from frontdoor.cases.selectors import may_see_restricted
from frontdoor.core.calendar import WorkingCalendar, council_calendar
from frontdoor.core.references import reference_next
from frontdoor.customers.models import Customer
from frontdoor.directory.models import ContactPoint, Department, Service, SLAPolicy
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
    previous_case: Case | None = None


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
    """Re-read the case under a row lock so two people acting at once cannot both win."""
    return Case.objects.select_for_update().select_related("service", "department").get(pk=case.pk)


@transaction.atomic
def case_open(
    *,
    draft: CaseDraft,
    customer: Customer | None,
    channel: str,
    actor: Any = None,
    opened_at: datetime | None = None,
) -> Case:
    opened_at = opened_at or timezone.now()
    service = draft.service
    first_response_due, resolution_due = due_dates(
        policy=service.sla_policy, opened_at=opened_at, calendar=council_calendar()
    )
    case = Case.objects.create(
        reference=reference_next(year=timezone.localtime(opened_at).year),
        service=service,
        customer=customer,
        kind=draft.kind,
        priority=draft.priority,
        status=S.NEW,
        summary=draft.summary.strip(),
        description=draft.description.strip(),
        location=draft.location.strip(),
        location_postcode=draft.location_postcode,
        location_uprn=draft.location_uprn,
        channel=channel,
        restricted=service.restricted,
        opened_at=opened_at,
        first_response_due=first_response_due,
        resolution_due=resolution_due,
        opened_by=actor,
        assigned_to=actor,
        department=service.department,
        first_responded_at=opened_at if channel in LIVE_CHANNELS else None,
        previous_case=draft.previous_case,
    )
    _event(
        case,
        CaseEvent.Kind.OPENED,
        actor=actor,
        channel=channel,
        at=opened_at,
        text=f"{case.get_kind_display()}: {case.summary}"
        + (f" (follows on from {draft.previous_case.reference})" if draft.previous_case else ""),
    )
    if case.restricted and (
        actor is None or not may_see_restricted(actor, department_id=service.department_id)
    ):
        # Whoever took it may not see it; it goes straight to the department that may.
        case.status = S.FORWARDED
        case.assigned_to = None
        case.forwarded_at = opened_at
        case.save(update_fields=["status", "assigned_to", "forwarded_at", "updated_at"])
        _event(
            case,
            CaseEvent.Kind.FORWARDED,
            actor=actor,
            channel=channel,
            at=opened_at,
            text="A restricted service: sent straight to the department",
            department=service.department,
        )
    return case


@transaction.atomic
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
    summary: str = "",
    source_key: str | None = None,
) -> Contact:
    """Record one interaction, attaching it to an existing case or opening a new one.

    Idempotent on source_key (the source's own id, e.g. a Message-ID): recording the same item
    again returns the contact already recorded, even when two callers race."""
    if case is not None and new_case is not None:
        raise ValueError("Attach the contact to an existing case or open a new one, not both.")
    if source_key:
        existing = Contact.objects.filter(source_key=source_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return _contact_create(
                channel=channel,
                customer=customer,
                actor=actor,
                contact_point=contact_point,
                case=case,
                new_case=new_case,
                direction=direction,
                occurred_at=occurred_at,
                duration_seconds=duration_seconds,
                summary=summary,
                source_key=source_key,
            )
    except IntegrityError:
        existing = Contact.objects.filter(source_key=source_key).first() if source_key else None
        if existing is None:
            raise
        return existing


def _contact_create(
    *,
    channel: str,
    customer: Customer | None,
    actor: Any,
    contact_point: ContactPoint | None,
    case: Case | None,
    new_case: CaseDraft | None,
    direction: str,
    occurred_at: datetime | None,
    duration_seconds: int | None,
    summary: str,
    source_key: str | None,
) -> Contact:
    if case is not None:
        case = _lock(case)
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
    occurred_at = occurred_at or timezone.now()
    if new_case is not None:
        case = case_open(
            draft=new_case, customer=customer, channel=channel, actor=actor, opened_at=occurred_at
        )
    contact = Contact.objects.create(
        channel=channel,
        direction=direction,
        contact_point=contact_point,
        customer=customer,
        case=case,
        service=case.service if case else (contact_point.service if contact_point else None),
        occurred_at=occurred_at,
        duration_seconds=duration_seconds,
        handled_by=actor,
        summary=summary.strip(),
        source_key=source_key,
    )
    if contact_point is not None:
        contact_point_mark_used(contact_point_id=contact_point.pk, at=occurred_at)
    if case is not None:
        answered = direction == Contact.Direction.OUTBOUND or channel in LIVE_CHANNELS
        if answered and case.first_responded_at is None:
            Case.objects.filter(pk=case.pk, first_responded_at__isnull=True).update(
                first_responded_at=occurred_at
            )
        verb = "to" if direction == Contact.Direction.OUTBOUND else "from"
        text = f"{contact.get_channel_display()} {verb} the customer"
        if contact.summary:
            text += f": {contact.summary}"
        _event(
            case,
            CaseEvent.Kind.CONTACT,
            actor=actor,
            channel=channel,
            at=occurred_at,
            text=text,
            contact=contact,
        )
    return contact


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
    case = _lock(case)
    _require(case, (S.NEW, S.IN_PROGRESS, S.FORWARDED), "put on hold for the customer")
    if not text.strip():
        raise ValidationError({"text": "Say what you have asked the customer for"})
    now = timezone.now()
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
    *, case: Case, actor: Any, department: Department, reason: str, channel: str = Channel.STAFF
) -> Case:
    case = _lock(case)
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
    now = timezone.now()
    case.status = S.FORWARDED
    case.department = department
    case.assigned_to = None
    case.forwarded_at = now
    case.save(update_fields=["status", "department", "assigned_to", "forwarded_at", "updated_at"])
    _event(
        case,
        CaseEvent.Kind.FORWARDED,
        actor=actor,
        channel=channel,
        at=now,
        text=reason.strip(),
        department=department,
    )
    return case


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
    case = _lock(case)
    _require(case, OPEN_STATUSES, "resolved")
    errors = {}
    if outcome is None:
        errors["outcome"] = "Choose the outcome"
    if not note.strip():
        errors["note"] = "Say what was done to resolve the case"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
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
    _event(
        case,
        CaseEvent.Kind.RESOLVED,
        actor=actor,
        channel=channel,
        at=now,
        text=f"{outcome}: {case.resolution_note}",
    )
    return case


@transaction.atomic
def case_close(*, case: Case, actor: Any, channel: str = Channel.STAFF) -> Case:
    case = _lock(case)
    _require(case, (S.RESOLVED,), "closed before it is resolved")
    now = timezone.now()
    case.status = S.CLOSED
    case.closed_at = now
    case.save(update_fields=["status", "closed_at", "updated_at"])
    _event(case, CaseEvent.Kind.CLOSED, actor=actor, channel=channel, at=now)
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
