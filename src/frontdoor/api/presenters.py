"""Frontdoor's records as the API shows them, and the API's input as drafts for services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from frontdoor.api import schemas as s
from frontdoor.api.errors import CHECK_FIELDS, ApiProblem
from frontdoor.api.services import CaseRequest
from frontdoor.cases.models import Case, CaseEvent
from frontdoor.cases.services import CaseDraft
from frontdoor.customers.models import Customer
from frontdoor.customers.selectors import customer_by_id
from frontdoor.customers.services import AddressDraft, CustomerDraft
from frontdoor.directory.models import Service

PRIORITY_NAMES = {
    Case.Priority.URGENT: s.CasePriority.URGENT,
    Case.Priority.HIGH: s.CasePriority.HIGH,
    Case.Priority.NORMAL: s.CasePriority.NORMAL,
    Case.Priority.LOW: s.CasePriority.LOW,
}


PRIORITIES = {name: number for number, name in PRIORITY_NAMES.items()}


def no_service(code: str) -> str:
    return f"No service has the code {code!r}: ask the council for its service codes"


def case_request(payload: s.CaseIn, service: Service) -> CaseRequest:
    """The case to open, with the customer it is for: one on record (by id, not merged), or
    the details to find or add them by, or nobody."""
    location = payload.location
    customer = None
    if payload.customer_id is not None:
        if payload.customer is not None:
            raise ApiProblem(
                422,
                CHECK_FIELDS,
                errors={"customer": ["Give the customer's id or their details, not both"]},
            )
        customer = customer_by_id(customer_id=payload.customer_id)
        if customer is None:
            raise ApiProblem(
                422,
                CHECK_FIELDS,
                errors={"customer_id": [f"No customer has id {payload.customer_id}"]},
            )
        if customer.merged_into_id is not None:
            raise ApiProblem(
                422,
                CHECK_FIELDS,
                errors={
                    "customer_id": [
                        f"Customer {customer.pk} was merged into customer "
                        f"{customer.merged_into_id}: send that id"
                    ]
                },
            )
    return CaseRequest(
        draft=CaseDraft(
            service=service,
            summary=payload.summary,
            kind=payload.kind.value,
            priority=PRIORITIES[payload.priority],
            description=payload.description,
            location=location.address if location else "",
            location_postcode=location.postcode if location else "",
            location_uprn=location.uprn if location else None,
        ),
        customer=customer,
        customer_details=(
            customer_draft(payload.customer, prefix="customer.") if payload.customer else None
        ),
        external_id=payload.external_id or "",
    )


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "service": {"code": case.service.code, "name": case.service.name},
        "kind": case.kind,
        "priority": PRIORITY_NAMES[Case.Priority(case.priority)],
        "status": case.status,
        "summary": case.summary,
        "description": case.description,
        "location": {
            "address": case.location,
            "postcode": case.location_postcode,
            "uprn": case.location_uprn,
        },
        "channel": case.channel,
        "customer_id": case.customer_id,
        "department": case.department.name,
        "opened_at": case.opened_at,
        "first_response_due": case.first_response_due,
        "resolution_due": case.resolution_due,
        "first_responded_at": case.first_responded_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "outcome": case.outcome.name if case.outcome_id and case.outcome else None,
        "updated_at": case.updated_at,
    }


def case_detail(case: Case, events: Iterable[CaseEvent]) -> dict[str, Any]:
    return {
        **case_summary(case),
        "timeline": [
            {
                "kind": event.kind,
                "label": event.get_kind_display(),
                "at": event.at,
                "text": event.text,
                "department": event.department.name if event.department else None,
            }
            for event in events
        ],
    }


def customer_out(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "kind": customer.kind,
        "name": customer.display_name,
        "title": customer.title,
        "given_name": customer.given_name,
        "family_name": customer.family_name,
        "organisation_name": customer.organisation_name,
        "emails": [email.address for email in customer.emails.all()],
        "phones": [phone.number for phone in customer.phones.all()],
        "addresses": [
            {
                "line_1": a.line_1,
                "line_2": a.line_2,
                "town": a.town,
                "postcode": a.postcode,
                "uprn": a.uprn,
            }
            for a in customer.addresses.all()
        ],
        "merged_into": customer.merged_into_id,
        "created_at": customer.created_at,
    }


def customer_draft(payload: s.CustomerIn, *, prefix: str = "") -> CustomerDraft:
    """The customer to add or find. The checks that need two fields at once are made here,
    with the field to blame: a person needs a family name, an organisation its name."""
    if payload.kind == s.CustomerKind.PERSON and not payload.family_name:
        raise ApiProblem(
            422, CHECK_FIELDS, errors={f"{prefix}family_name": ["Enter the person's last name"]}
        )
    if payload.kind == s.CustomerKind.ORGANISATION and not payload.organisation_name:
        raise ApiProblem(
            422,
            CHECK_FIELDS,
            errors={f"{prefix}organisation_name": ["Enter the organisation's name"]},
        )
    address = payload.address
    return CustomerDraft(
        kind=payload.kind.value,
        title=payload.title,
        given_name=payload.given_name,
        family_name=payload.family_name,
        organisation_name=payload.organisation_name,
        emails=[payload.email] if payload.email else [],
        phones=[payload.phone] if payload.phone else [],
        addresses=(
            [
                AddressDraft(
                    line_1=address.line_1,
                    line_2=address.line_2,
                    town=address.town,
                    postcode=address.postcode,
                    uprn=address.uprn,
                )
            ]
            if address is not None
            else []
        ),
    )
