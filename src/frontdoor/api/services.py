"""Every write the JSON API makes: its keys, and the cases and customers its callers send.
Cases and contacts are written through cases.services, customers through customers.services."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from frontdoor.api.models import ApiKey, RestrictedCaseRead
from frontdoor.api.selectors import KEY_PREFIX, PREFIX_LENGTH, key_digest
from frontdoor.cases.models import Case, Channel
from frontdoor.cases.selectors import case_from_source
from frontdoor.cases.services import CaseDraft, ContactDraft, contacts_record
from frontdoor.customers.models import Customer
from frontdoor.customers.selectors import customers_with
from frontdoor.customers.services import CustomerDraft, customer_create, customer_find_or_create
from frontdoor.directory.models import ContactPoint, Department, Service
from frontdoor.directory.services import contact_point_create
from frontdoor.routing.services import work_items_enqueue

# A key's last use is a "when did this integration last call us" date: moving it on once a
# minute is enough, and spares a write on every request.
MARK_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiKeyDraft:
    name: str
    # None: a new e-form contact point, named after the key, is made for it.
    contact_point: ContactPoint | None = None
    every_service: bool = False
    departments: Sequence[Department] = ()
    services: Sequence[Service] = ()
    may_view_restricted: bool = False
    may_create_cases: bool = False
    may_use_customers: bool = False


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    # The whole key, to show once: only its digest is kept.
    secret: str


@transaction.atomic
def api_key_issue(*, draft: ApiKeyDraft, actor: Any) -> IssuedKey:
    """Issue a key for one of the council's systems, on the contact point its requests will
    arrive on (a new one unless the integration has one from an earlier key)."""
    name = draft.name.strip()
    if not name:
        raise ValidationError({"name": "Name the system that will use the key"})
    if ApiKey.objects.filter(name=name).exists():
        raise ValidationError({"name": f"There is already a key called {name}: choose another"})
    point = draft.contact_point
    if point is None:
        point = contact_point_create(
            kind=ContactPoint.Kind.E_FORM,
            name=f"JSON API: {name}",
            address=contact_point_address(name),
        )
    elif point.kind != ContactPoint.Kind.E_FORM:
        raise ValidationError(
            {"contact_point": "Choose an e-form contact point, or leave it empty for a new one"}
        )
    while True:
        secret = f"{KEY_PREFIX}{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"
        if not ApiKey.objects.filter(prefix=secret[:PREFIX_LENGTH]).exists():
            break
    key = ApiKey.objects.create(
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        digest=key_digest(secret),
        contact_point=point,
        every_service=draft.every_service,
        may_view_restricted=draft.may_view_restricted,
        may_create_cases=draft.may_create_cases,
        may_use_customers=draft.may_use_customers,
        created_at=timezone.now(),
        created_by=actor,
    )
    key.departments.set(draft.departments)
    key.services.set(draft.services)
    return IssuedKey(key=key, secret=secret)


def contact_point_address(name: str) -> str:
    """The address of the contact point made for a key's integration."""
    return f"api:{name.strip()}"


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: Any) -> bool:
    """Stop the key working, from its next request. False if it was revoked already."""
    now = timezone.now()
    revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor
    )
    if revoked:
        key.revoked_at, key.revoked_by = now, actor
    return bool(revoked)


@transaction.atomic
def api_key_mark_used(*, key: ApiKey, at: datetime) -> None:
    """Move last_used_at forward only, and at most once a minute: one conditional UPDATE."""
    if key.last_used_at is not None and at < key.last_used_at + MARK_EVERY:
        return
    ApiKey.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=at), pk=key.pk).update(
        last_used_at=at
    )
    key.last_used_at = at


@transaction.atomic
def restricted_case_read_record(*, key: ApiKey, case: Case) -> None:
    if case.restricted:
        RestrictedCaseRead.objects.create(key=key, case=case, at=timezone.now())


@dataclass(frozen=True)
class CaseRequest:
    """A case as another system sends it. The customer is one already known, or the details
    to find or add them by, or nobody (an anonymous report)."""

    draft: CaseDraft
    customer: Customer | None = None
    customer_details: CustomerDraft | None = None
    # The sender's own id for the request: the same id sent again opens nothing new.
    external_id: str = ""


class ExternalIdReused(Exception):
    """The sender's id names a case already opened from a different request."""

    def __init__(self, case: Case) -> None:
        super().__init__(case.reference)
        self.case = case


def source_key_for(*, key: ApiKey, external_id: str) -> str:
    """The contact's source identity. Scoped by the integration's contact point rather than
    the key, so that a request sent again after its key was replaced is still known."""
    return f"api:{key.contact_point_id}:{external_id}"


@transaction.atomic
def api_case_create(*, key: ApiKey, request: CaseRequest) -> tuple[Case, bool]:
    """Open a case from another system as an inbound e-form contact on the key's contact point,
    and queue it for the front office as email intake does. Returns the case and whether it
    is new: a request whose external id was seen before gives back the case it opened (even
    when two copies arrive at once), and ExternalIdReused is raised when that case was opened
    for a different service or summary."""
    source_key = source_key_for(key=key, external_id=request.external_id)
    if request.external_id:
        known = case_from_source(source_key=source_key)
        if known is not None:
            return _same_request(known, request), False
    try:
        with transaction.atomic():
            return _case_open(key=key, request=request, source_key=source_key), True
    except IntegrityError:
        # Another copy of the request was stored first; everything this copy wrote (a new
        # customer, say) has gone with the savepoint.
        known = case_from_source(source_key=source_key) if request.external_id else None
        if known is None:
            raise
        return _same_request(known, request), False


def _case_open(*, key: ApiKey, request: CaseRequest, source_key: str) -> Case:
    customer = request.customer
    if customer is None and request.customer_details is not None:
        customer, _ = customer_find_or_create(draft=request.customer_details)
    # contacts_record rather than contact_record: a repeat must fail this whole savepoint,
    # not just the contact's, or the customer made for it would be left behind.
    (contact,) = contacts_record(
        drafts=[
            ContactDraft(
                channel=Channel.E_FORM,
                customer=customer,
                contact_point=key.contact_point,
                new_case=request.draft,
                summary=request.draft.summary,
                source_key=source_key if request.external_id else None,
            )
        ]
    )
    case = contact.case
    assert case is not None
    work_items_enqueue(cases=[case])
    return case


def _same_request(case: Case, request: CaseRequest) -> Case:
    if case.service_id != request.draft.service.pk or case.summary != request.draft.summary.strip():
        raise ExternalIdReused(case)
    return case


class CustomerAlreadyKnown(Exception):
    """A customer with the email address or phone number sent is on record already."""

    def __init__(self, customer: Customer, field: str) -> None:
        super().__init__(customer.pk)
        self.customer = customer
        self.field = field


@transaction.atomic
def api_customer_create(*, draft: CustomerDraft) -> Customer:
    """Add a customer another system sends, unless one with their email address or phone
    number is known already (CustomerAlreadyKnown names them): systems add people
    automatically, and a duplicate record splits someone's history in two."""
    for field, values in (("email", draft.emails), ("phone", draft.phones)):
        for value in values:
            found = customers_with(**{field: value})
            if found:
                raise CustomerAlreadyKnown(found[0], field)
    return customer_create(draft=draft)
