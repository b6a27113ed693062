"""Writes for Open311: the apps allowed in, the requests they report and the updates they post.

A request becomes a case through the online forms' one write path (`request_submit`), on the
app's own contact point; an update becomes a customer update on the case, and may reopen it."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from frontdoor.cases.models import Case, Channel
from frontdoor.cases.selectors import cases_by_id
from frontdoor.cases.services import (
    case_app_comment_add,
    case_references_reserve,
    case_reopen,
)
from frontdoor.core.models import Council
from frontdoor.core.prepared import PreparedQuery
from frontdoor.customers.services import customers_for_emails
from frontdoor.directory.models import ContactPoint
from frontdoor.directory.services import contact_point_create
from frontdoor.intake.open311.models import (
    ExtendedStatus,
    Open311Client,
    Open311Request,
    Open311Update,
    api_key_digest,
)
from frontdoor.intake.webforms.models import FormSubmission, RequestForm
from frontdoor.intake.webforms.services import Place, Requester, RequestMade, request_submit_within

KEY_PREFIX = "fd311_"


def api_key_new() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(30)


@transaction.atomic
def open311_client_create(
    *,
    name: str,
    own_id_attribute: str = "fixmystreet_id",
    confirm_by_email: bool = False,
    api_key: str | None = None,
) -> tuple[Open311Client, str]:
    """A new app, on a new Open311 contact point of its own; gives back its key, which is
    not kept (only its digest is), so it can be shown once."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the app's name"})
    if Open311Client.objects.filter(name=name).exists():
        raise ValidationError({"name": f"There is already an Open311 client called {name}"})
    address = base = f"open311:{slugify(name) or 'client'}"
    taken = set(
        ContactPoint.objects.filter(
            kind=ContactPoint.Kind.OPEN311, address__startswith=base
        ).values_list("address", flat=True)
    )
    number = 1
    while address in taken:  # "Fix My Street" and "fix-my-street" are two apps
        number += 1
        address = f"{base}-{number}"
    point = contact_point_create(
        kind=ContactPoint.Kind.OPEN311, name=f"{name} (Open311)", address=address, published=False
    )
    key = api_key or api_key_new()
    client = Open311Client.objects.create(
        name=name,
        contact_point=point,
        api_key_hash=api_key_digest(key),
        own_id_attribute=own_id_attribute,
        confirm_by_email=confirm_by_email,
    )
    return client, key


@transaction.atomic
def open311_client_key_issue(*, client: Open311Client) -> str:
    """A new key for the app, replacing the old one at once."""
    key = api_key_new()
    client.api_key_hash = api_key_digest(key)
    client.save(update_fields=["api_key_hash"])  # saved, so remembered clients are forgotten
    return key


@dataclass(frozen=True)
class ReportPosted:
    """A request as an app posted it, already checked: the answers cleaned by the form
    builder, the rest as sent."""

    form: RequestForm
    answers: dict[str, Any]
    attributes: dict[str, Any]
    client_request_id: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address_string: str = ""
    address_id: str = ""
    postcode: str = ""
    uprn: int | None = None
    description: str = ""
    media_url: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    device_id: str = ""
    account_id: str = ""


def report_source_key(client: Open311Client, report: ReportPosted) -> str:
    """The app's own id when it gives one, else a digest of everything it sent: the same
    report posted twice (a retry after a lost answer) is one case."""
    if report.client_request_id:
        return f"open311:{client.pk}:{report.client_request_id}"
    sent = {f.name: getattr(report, f.name) for f in fields(report)} | {"form": report.form.slug}
    digest = hashlib.sha256(json.dumps(sent, sort_keys=True, default=str).encode()).hexdigest()
    return f"open311:{client.pk}:sha256:{digest}"


def open311_request_submit(
    *, client: Open311Client, report: ReportPosted
) -> tuple[Open311Request, bool]:
    """The case for an app's report, made once: (its Open311 record, whether it is new).

    Not one transaction from the start, on purpose: a report had before is answered from its
    record, and a new one reserves its case reference in a moment of its own before the
    transaction that makes the case begins, so reports arriving together do not queue for
    the reference counter for the length of each other's transactions."""
    source_key = report_source_key(client, report)
    if _request_of_source.first(source_key=source_key) is not None:
        return _request_of(source_key), False
    (reference,) = case_references_reserve()
    try:
        return _request_submit(client, report, source_key, reference)
    except IntegrityError:
        # The same report, posted again at the same moment, was stored first: this call's
        # transaction is gone, and what the other made is the answer.
        if _request_of_source.first(source_key=source_key) is None:
            raise
        return _request_of(source_key), False


def _request_of(source_key: str) -> Open311Request:
    return Open311Request.objects.select_related("case").get(source_key=source_key)


# Asked of every report and nearly always a miss: one query built once (see core.prepared).
_request_of_source = PreparedQuery(
    lambda source_key: Open311Request.objects.filter(source_key=source_key).values_list("pk")[:1],
    "source_key",
)


@transaction.atomic
def _request_submit(
    client: Open311Client, report: ReportPosted, source_key: str, reference: str
) -> tuple[Open311Request, bool]:
    submission = request_submit_within(
        request=RequestMade(
            form=report.form,
            answers=report.answers,
            requester=Requester(
                name=f"{report.first_name} {report.last_name}".strip(),
                email=report.email,
                phone=report.phone,
            ),
            source_key=source_key,
            place=Place(
                description=_where(report),
                postcode=report.postcode,
                uprn=report.uprn,
                latitude=report.latitude,
                longitude=report.longitude,
            ),
            description=_what(client, report),
            channel=Channel.OPEN311,
            contact_point=client.contact_point,
            rate_limited=False,
            confirm_by_email=client.confirm_by_email,
            reference=reference,
        )
    )
    if submission.case.reference != reference:
        # A call with the same report got there first: request_submit_within gave back the case
        # it made, whose record was written in the same transaction as that case.
        known = Open311Request.objects.get(case_id=submission.case_id)
        known.case = submission.case
        return known, False
    return _record_create(client, report, source_key, submission), True


def _record_create(
    client: Open311Client, report: ReportPosted, source_key: str, submission: FormSubmission
) -> Open311Request:
    return Open311Request.objects.create(
        client=client,
        case=submission.case,
        form=report.form,
        source_key=source_key,
        client_request_id=report.client_request_id,
        token=secrets.token_hex(16),
        latitude=report.latitude,
        longitude=report.longitude,
        address_string=report.address_string,
        address_id=report.address_id,
        description=report.description,
        media_url=report.media_url,
        attributes=report.attributes,
        email=report.email.lower(),
        device_id=report.device_id,
        account_id=report.account_id,
        received_at=submission.submitted_at,
    )


def _where(report: ReportPosted) -> str:
    closest = str(report.attributes.get("closest_address") or "").strip()
    if report.address_string or closest:
        return (report.address_string or closest)[:300]
    if report.latitude is not None and report.longitude is not None:
        return f"Map point {report.latitude}, {report.longitude}"
    return f"Address {report.address_id}"


def _what(client: Open311Client, report: ReportPosted) -> str:
    lines = [report.description] if report.description else []
    if report.media_url:
        lines.append(f"Photo: {report.media_url}")
    lines.append(f"Reported through {client.name}")
    return "\n\n".join(lines)


@dataclass(frozen=True)
class UpdatePosted:
    """An update an app posted (mySociety's extension), already checked."""

    update_id: str
    status: str
    description: str = ""
    updated_at: datetime | None = None
    media_url: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    email: str = ""
    first_name: str = ""
    last_name: str = ""


# An app's statuses saying the problem is still there, and those saying it has gone.
ASKS_TO_REOPEN = {ExtendedStatus.REOPEN, ExtendedStatus.OPEN}
SAYS_DONE = {ExtendedStatus.FIXED, ExtendedStatus.CLOSED}


@transaction.atomic
def open311_update_post(
    *, client: Open311Client, request: Open311Request, update: UpdatePosted
) -> tuple[Open311Update, bool]:
    """Take an app's update on one of its reports once: (the update, whether it is new).

    The comment becomes a customer update (an inbound contact and a timeline event) on the
    case. REOPEN or OPEN on a resolved or closed case reopens it within the council's reopen
    window (as a reply by email would); later, the case stays as it is and the update says
    so, for staff to decide. Other statuses are the app's view and change nothing: a resident
    marking a report fixed does not resolve the council's case."""
    # Updates on one report one at a time, so a repeat waits for the first and finds it.
    Open311Request.objects.select_for_update().filter(pk=request.pk).values_list("pk").get()
    known = (
        Open311Update.objects.filter(client=client, client_update_id=update.update_id)
        .select_related("event")
        .first()
    )
    if known is not None:
        return known, False
    case = cases_by_id([request.case_id])[request.case_id]
    reopened = False
    notes = []
    if update.status in ASKS_TO_REOPEN and not case.is_open:
        if _within_reopen_window(case):
            case = case_reopen(
                case=case,
                actor=None,
                reason=f"The reporter says through {client.name} that it is not sorted",
                channel=Channel.OPEN311,
            )
            reopened = True
        else:
            days = Council.current().reopen_window_days
            notes.append(
                f"They asked for it to be reopened, but it was finished more than {days} "
                "days ago: reopen it or open a new case."
            )
    elif update.status in SAYS_DONE and case.is_open:
        notes.append(f"{client.name} now shows it as {update.status.lower()}.")
    text = "\n\n".join([update.description or f"Marked {update.status} in {client.name}.", *notes])
    if update.media_url:
        text += f"\n\nPhoto: {update.media_url}"
    name = f"{update.first_name} {update.last_name}".strip()
    customer = (
        customers_for_emails(senders=[(update.email, name)])[update.email.lower()]
        if update.email
        else case.customer
    )
    event = case_app_comment_add(
        case=case,
        text=text,
        channel=Channel.OPEN311,
        customer=customer,
        contact_point=client.contact_point,
        source_key=f"open311:{client.pk}:update:{update.update_id}",
    )
    now = timezone.now()
    record = Open311Update.objects.create(
        request=request,
        client=client,
        client_update_id=update.update_id,
        status=update.status,
        description=update.description,
        media_url=update.media_url,
        attributes=update.attributes,
        updated_at=update.updated_at or now,
        received_at=now,
        event=event,
        reopened=reopened,
        email=update.email.lower(),
        name=name[:200],
    )
    return record, True


def _within_reopen_window(case: Case) -> bool:
    window = timedelta(days=Council.current().reopen_window_days)
    finished = case.closed_at or case.resolved_at or case.updated_at
    return timezone.now() - finished <= window
