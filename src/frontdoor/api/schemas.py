"""What the API takes and gives, as typed schemas: django-ninja validates requests against
them and writes the OpenAPI schema from them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, ConfigDict, StringConstraints

from frontdoor.customers.normalise import email_normalise, phone_to_e164, postcode_normalise


def _django_checked(normalise):
    """A pydantic check from one of the customers app's normalisers, with its message."""

    def check(value: str) -> str:
        if not value:
            return value
        try:
            return str(normalise(value))
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None

    return AfterValidator(check)


Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Email = Annotated[Text, StringConstraints(max_length=254), _django_checked(email_normalise)]
Phone = Annotated[Text, StringConstraints(max_length=40), _django_checked(phone_to_e164)]
Postcode = Annotated[Text, StringConstraints(max_length=10), _django_checked(postcode_normalise)]
Uprn = Annotated[int, Field(ge=1, le=999_999_999_999)]


class Input(Schema):
    # A misspelt field is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid")


class CaseKind(StrEnum):
    REQUEST = "request"
    ENQUIRY = "enquiry"
    COMPLAINT = "complaint"
    COMPLIMENT = "compliment"
    COMMENT = "comment"


class CasePriority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class CaseStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    AWAITING_CUSTOMER = "awaiting_customer"
    FORWARDED = "forwarded"
    RESOLVED = "resolved"
    CLOSED = "closed"


class CustomerKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class Error(Schema):
    detail: str = Field(description="What went wrong, and what to do.")
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Messages for each field at fault, by its path (e.g. customer.email).",
    )


class Conflict(Error):
    reference: str | None = Field(None, description="The case the external_id opened.")
    customer_id: int | None = Field(None, description="The customer already on record.")


# --- Customers ----------------------------------------------------------------------------


class AddressIn(Input):
    line_1: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    line_2: Annotated[Text, StringConstraints(max_length=200)] = ""
    town: Annotated[Text, StringConstraints(max_length=100)] = ""
    postcode: Annotated[Postcode, StringConstraints(min_length=1)]
    uprn: Uprn | None = None


class CustomerIn(Input):
    kind: CustomerKind = CustomerKind.PERSON
    title: Annotated[Text, StringConstraints(max_length=20)] = ""
    given_name: Annotated[Text, StringConstraints(max_length=100)] = ""
    family_name: Annotated[Text, StringConstraints(max_length=100)] = Field(
        "", description="Required for a person."
    )
    organisation_name: Annotated[Text, StringConstraints(max_length=200)] = Field(
        "", description="Required for an organisation."
    )
    email: Email = ""
    phone: Phone = Field("", description="UK or international (with the country code).")
    address: AddressIn | None = None


class AddressOut(Schema):
    line_1: str
    line_2: str
    town: str
    postcode: str
    uprn: int | None


class CustomerOut(Schema):
    id: int
    kind: CustomerKind
    name: str
    title: str
    given_name: str
    family_name: str
    organisation_name: str
    emails: list[str]
    phones: list[str] = Field(description="In E.164 form, e.g. +447911123456.")
    addresses: list[AddressOut]
    merged_into: int | None = Field(
        description="When this record was merged into another: that customer's id, to use."
    )
    created_at: datetime


class CustomerList(Schema):
    items: list[CustomerOut]


# --- Cases --------------------------------------------------------------------------------


class LocationIn(Input):
    address: Annotated[Text, StringConstraints(max_length=300)] = Field(
        "", description="Where, in words: an address or a description of the place."
    )
    postcode: Postcode = ""
    uprn: Uprn | None = None


class CaseIn(Input):
    service: Annotated[Text, StringConstraints(min_length=1, max_length=60)] = Field(
        description="The service's code, e.g. missed-bin."
    )
    summary: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    description: Annotated[Text, StringConstraints(max_length=20_000)] = ""
    kind: CaseKind = CaseKind.REQUEST
    priority: CasePriority = CasePriority.NORMAL
    location: LocationIn | None = None
    customer_id: int | None = Field(None, description="A customer already on record.")
    customer: CustomerIn | None = Field(
        None,
        description="Or the customer's details: the customer with the same email address "
        "(else phone number) is used, or one is added.",
    )
    external_id: (
        Annotated[Text, StringConstraints(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")]
        | None
    ) = Field(
        None,
        description="Your own id for the request. Sending the same id again opens no "
        "second case: the answer is the case it opened.",
    )


class ServiceOut(Schema):
    code: str
    name: str


class LocationOut(Schema):
    address: str
    postcode: str
    uprn: int | None


class CaseOut(Schema):
    reference: str
    service: ServiceOut
    kind: CaseKind
    priority: CasePriority
    status: CaseStatus
    summary: str
    description: str
    location: LocationOut
    channel: str = Field(description="How the case arrived: phone, email, e_form, open311…")
    customer_id: int | None
    department: str = Field(description="The department that owns the case now.")
    opened_at: datetime
    first_response_due: datetime
    resolution_due: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    updated_at: datetime


class EventOut(Schema):
    kind: str
    label: str
    at: datetime
    text: str
    department: str | None


class CaseDetailOut(CaseOut):
    timeline: list[EventOut] = Field(description="What happened, oldest first.")


class CaseFilters(Schema):
    status: list[CaseStatus] | None = Field(None, description="One or more; any of them.")
    service: Annotated[Text, StringConstraints(max_length=60)] | None = Field(
        None, description="A service code."
    )
    customer_id: int | None = None
    updated_since: AwareDatetime | None = Field(
        None, description="Changed at or after this time (ISO 8601 with a time zone)."
    )
