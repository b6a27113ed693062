"""A request made on an online form (or by an app over Open311) becomes a case: one write path.

The customer is found by email (or made), the case is opened on the form's service with
its answers, the contact is counted on the form's contact point, a collection date is booked,
the case goes to the front-office queue or straight to the department, and the confirmation
is queued in the outbox: all in one transaction, and once per source key."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from frontdoor.cases.models import CaseEvent, Channel
from frontdoor.cases.services import CaseDraft, ContactDraft, case_schedule, contacts_record
from frontdoor.core.formatting import weekday_date
from frontdoor.core.models import Council
from frontdoor.core.prepared import PreparedQuery
from frontdoor.customers.models import Customer
from frontdoor.customers.services import (
    CustomerDraft,
    customer_create,
    customer_details_add,
    customer_find_or_create,
)
from frontdoor.directory.models import ContactPoint
from frontdoor.intake.email.acknowledgement import ways_in
from frontdoor.intake.webforms.forms import answer_shown
from frontdoor.intake.webforms.models import CollectionSlot, FormField, FormSubmission, RequestForm
from frontdoor.notify.models import EmailTemplate, OutboundEmail
from frontdoor.notify.notices import case_forwarded_notify
from frontdoor.notify.services import (
    EmailDraft,
    council_from_address,
    emails_queue,
    template_for,
    template_render,
)
from frontdoor.routing.services import work_items_enqueue

# Per address, in any hour: enough for a busy household, too few for a robot.
SUBMISSIONS_PER_HOUR_FROM_AN_IP = 20
SUBMISSIONS_PER_HOUR_FROM_AN_EMAIL = 10


@dataclass(frozen=True)
class Requester:
    name: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Place:
    description: str = ""
    postcode: str = ""
    uprn: int | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass(frozen=True)
class RequestMade:
    """What arrives: the form, the answers (cleaned, by field code), who and where."""

    form: RequestForm
    answers: dict[str, Any]
    requester: Requester
    # The source's own identity: a web session's token, an Open311 client's report id.
    source_key: str
    place: Place = field(default_factory=Place)
    description: str = ""
    channel: str = Channel.WEB_FORM
    contact_point: ContactPoint | None = None
    client_ip: str | None = None
    # The per-address limits stop robots on the public form. An app that signs in with its
    # own key (Open311) is not anonymous, and one keen reporter may send dozens an hour.
    rate_limited: bool = True
    # Whether the requester is emailed the confirmation; an app that confirms to its own
    # users (FixMyStreet does) may not want the council to send a second one.
    confirm_by_email: bool = True
    # The case's reference, when the caller reserved it beforehand (see
    # cases.services.case_references_reserve); empty: one is given now.
    reference: str = ""


class TooManyRequests(ValidationError):
    """The per-address limit was reached; the message says when to try again."""


def submissions_limit_check(*, client_ip: str | None, email: str) -> None:
    since = timezone.now() - timedelta(hours=1)
    recent = FormSubmission.objects.filter(submitted_at__gte=since)
    if client_ip and recent.filter(client_ip=client_ip).count() >= SUBMISSIONS_PER_HOUR_FROM_AN_IP:
        raise TooManyRequests(
            "We have had a lot of requests from your connection in the last hour. "
            "Please try again in an hour, or phone us.",
            code="rate_limited",
        )
    if email and recent.filter(email=email.lower()).count() >= SUBMISSIONS_PER_HOUR_FROM_AN_EMAIL:
        raise TooManyRequests(
            "We have had a lot of requests from this email address in the last hour. "
            "Please try again in an hour, or phone us.",
            code="rate_limited",
        )


def request_submit(*, request: RequestMade) -> FormSubmission:
    """Make the case for a request, or give back the one already made for its source key."""
    try:
        with transaction.atomic():
            return _submit(request)
    except IntegrityError:
        existing = _already(request.source_key)
        if existing is None:
            raise
        return existing


def request_submit_within(*, request: RequestMade) -> FormSubmission:
    """request_submit as part of the caller's transaction, with no savepoint of its own (an
    app's report, which writes its own record beside it): a copy that raced this one and was
    stored first fails the caller's transaction with IntegrityError, and the caller, who owns
    it, gives back what the copy made."""
    return _submit(request)


def _already(source_key: str) -> FormSubmission | None:
    # Asked on every submission and nearly always a miss: the miss is one query built once
    # (see core.prepared), and the rare hit fetches the submission.
    found = _submission_of_source.first(source_key=source_key)
    return None if found is None else FormSubmission.objects.get(pk=found[0])


_submission_of_source = PreparedQuery(
    lambda source_key: FormSubmission.objects.filter(contact__source_key=source_key).values_list(
        "pk"
    )[:1],
    "source_key",
)


@transaction.atomic(savepoint=False)
def _submit(request: RequestMade) -> FormSubmission:
    if (existing := _already(request.source_key)) is not None:
        return existing
    form = request.form
    if not form.is_published:
        raise ValidationError("This form is closed. Please contact us another way.", code="closed")
    if request.rate_limited:
        submissions_limit_check(client_ip=request.client_ip, email=request.requester.email)
    fields = list(form.fields.all())
    slot = _slot_book(form, fields, request.answers)
    customer = _customer_for(request.requester)
    kind = next(
        (
            str(request.answers[f.code])
            for f in fields
            if f.sets_case_kind and request.answers.get(f.code)
        ),
        form.kind,
    )
    place = request.place
    department = form.service.department
    # Opened with the department when the form asks what it needs (one that no longer takes
    # cases leaves the case with the front office, who will find it a home).
    forward_reason = (
        f"{form.title}: the online form asks what the department needs"
        if form.straight_to_department and department.is_active
        else ""
    )
    # contacts_record rather than contact_record: a repeat that raced this one must fail the
    # whole request (see request_submit), not just the contact's savepoint.
    (contact,) = contacts_record(
        drafts=[
            ContactDraft(
                channel=request.channel,
                customer=customer,
                contact_point=request.contact_point or form.contact_point,
                new_case=CaseDraft(
                    service=form.service,
                    summary=_summary(form, place),
                    kind=kind,
                    description=_description(fields, request.answers, request.description),
                    location=place.description,
                    location_postcode=place.postcode,
                    location_uprn=place.uprn,
                    latitude=place.latitude,
                    longitude=place.longitude,
                    reference=request.reference,
                    forward_reason=forward_reason,
                ),
                summary=f"{form.title} ({request.contact_point or form.contact_point})"[:200],
                source_key=request.source_key,
            )
        ]
    )
    case = contact.case
    assert case is not None
    submission = FormSubmission.objects.create(
        form=form,
        case=case,
        contact=contact,
        answers=request.answers,
        slot=slot,
        name=request.requester.name.strip()[:200],
        email=request.requester.email.lower(),
        phone=request.requester.phone,
        client_ip=request.client_ip,
        submitted_at=contact.occurred_at,
    )
    if slot is not None:  # the confirmation tells them the date
        case = case_schedule(
            case=case,
            actor=None,
            scheduled_for=slot.date,
            text=f"{form.service.name} booked online",
            channel=request.channel,
            tell_customer=False,
        )
        submission.case = case
    if forward_reason:
        # the form's confirmation tells them, when they gave an email address for it
        if not request.requester.email:
            case_forwarded_notify(case=case, event=case.events.get(kind=CaseEvent.Kind.FORWARDED))
    else:
        work_items_enqueue(cases=[case], just_opened=True)
    if request.requester.email and request.confirm_by_email:
        _confirmation_queue(submission, fields)
    return submission


def _slot_book(
    form: RequestForm, fields: list[FormField], answers: dict[str, Any]
) -> CollectionSlot | None:
    wanted = next(
        (answers.get(f.code) for f in fields if f.datatype == FormField.Datatype.SLOT), None
    )
    if not wanted:
        return None
    day = date.fromisoformat(str(wanted))
    slot = CollectionSlot.objects.select_for_update().filter(form=form, date=day).first()
    if slot is None or slot.booked >= slot.capacity or day <= timezone.localdate():
        raise ValidationError(
            {"slot": "That collection date has just been taken. Choose another date."},
            code="slot_full",
        )
    CollectionSlot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)
    slot.booked += 1
    return slot


def _customer_for(requester: Requester) -> Customer | None:
    """The customer with this email (or a new one), else a new customer with the phone, else
    no one (an anonymous report).

    Only the email finds an existing customer: a phone number typed on a public form (a
    shared household phone, a slip of the finger) must never put a stranger's report on
    someone else's record, where their My Account would show it. A customer found is left
    as they are; the phone they gave stays on the submission for whoever handles it."""
    if not (requester.email or requester.phone):
        return None
    words = requester.name.split()
    given, family = (" ".join(words[:-1]), words[-1]) if words else ("", "")
    if not family:
        family = requester.email.partition("@")[0] if requester.email else "Not given"
    draft = CustomerDraft(given_name=given[:100], family_name=family[:100])
    if not requester.email:
        return customer_create(draft=replace(draft, phones=[requester.phone]))
    customer, created = customer_find_or_create(draft=replace(draft, emails=[requester.email]))
    if created and requester.phone:
        customer_details_add(customer=customer, phone=requester.phone)
    return customer


def _summary(form: RequestForm, place: Place) -> str:
    where = place.description.splitlines()[0].strip() if place.description else ""
    return (f"{form.title}: {where}" if where else form.title)[:200]


def answer_pairs(fields: list[FormField], answers: dict[str, Any]) -> list[tuple[str, str]]:
    """(question, answer) for each question answered, as a person reads them."""
    return [
        (f.label.rstrip("?"), answer_shown(f, answers.get(f.code)))
        for f in fields
        if f.code in answers
    ]


def _description(fields: list[FormField], answers: dict[str, Any], extra: str) -> str:
    lines = [f"{question}: {answer}" for question, answer in answer_pairs(fields, answers)]
    if extra.strip():
        lines += ["", extra.strip()]
    return "\n".join(lines)


def _confirmation_queue(submission: FormSubmission, fields: list[FormField]) -> OutboundEmail:
    council = Council.current()
    case, form = submission.case, submission.form
    template = template_for(
        purpose=EmailTemplate.Purpose.FORM_CONFIRMATION, contact_point_id=form.contact_point_id
    )
    subject, text, html = template_render(
        template,
        {
            "council_name": council.name,
            "customer_name": submission.name,
            "reference": case.reference,
            "reference_tag": council.reference_tag(case.reference),
            "form_title": form.title,
            "service": form.service.name,
            "answers": answer_pairs(fields, submission.answers),
            "location": case.location,
            "resolve_by": weekday_date(case.resolution_due),
            "what_happens_next": form.what_happens_next,
            "ways_in": ways_in(case, form.contact_point, council),
            "track_url": f"{settings.FRONTDOOR_PUBLIC_URL}/track/",
        },
    )
    if case.reference not in subject:
        subject = f"{subject} {council.reference_tag(case.reference)}"
    (email,) = emails_queue(
        drafts=[
            EmailDraft(
                kind=OutboundEmail.Kind.CONFIRMATION,
                from_address=council_from_address(council),
                from_name=council.name,
                to_address=submission.email,
                subject=subject,
                text_body=text,
                html_body=html,
                case=case,
                auto_submitted=True,
                cause_key=f"form:{submission.contact_id}",
            )
        ]
    )
    return email
