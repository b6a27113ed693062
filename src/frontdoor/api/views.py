"""The JSON API for the council's own systems, version 1, at /api/v1/. Its OpenAPI schema is
at /api/openapi.json and its reference page at /api/, served with the Swagger UI that ships
inside django-ninja (nothing loads from a CDN).

Each operation: the key (auth), the schema (ninja), a selector or one service, the answer."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja import Field, NinjaAPI, Query, Router, Schema, Status, Swagger
from ninja.pagination import LimitOffsetPagination, paginate

from frontdoor.api import schemas as s
from frontdoor.api.auth import ApiKeyAuth, key_of
from frontdoor.api.errors import CHECK_FIELDS, ApiProblem, handlers_install
from frontdoor.api.presenters import (
    case_detail,
    case_request,
    case_summary,
    customer_draft,
    customer_out,
    no_service,
)
from frontdoor.api.selectors import (
    case_get_for_key,
    case_timeline_for_key,
    cases_for_key,
    service_for_key,
)
from frontdoor.api.services import (
    CustomerAlreadyKnown,
    ExternalIdReused,
    api_case_create,
    api_customer_create,
    restricted_case_read_record,
)
from frontdoor.cases.models import Case
from frontdoor.customers.selectors import customer_by_id, customers_with

DESCRIPTION = """Cases and customers for the council's own systems.

Every request carries an API key, issued by the council's administrator:
`Authorization: Bearer <key>`. A key sees the cases of the services it was issued for
(restricted ones such as social care only when it says so), and may open cases and use
customer records only when it was allowed to.

Errors are JSON: `{"detail": "what to do", "errors": {"field.path": ["message"]}}`, with
400 (not JSON), 401 (no key, or a key not known or revoked), 403 (not allowed to this key),
404, 409 (a conflict with what is on record) or 422 (a field is not right)."""


class FrontdoorApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        # case_create rather than frontdoor_api_views_case_create: what client generators
        # name their methods after.
        return str(operation.view_func.__name__)


api = FrontdoorApi(
    title="Frontdoor API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_url="/",
    openapi_url="/openapi.json",
    auth=ApiKeyAuth(),
)
handlers_install(api, params={"payload", "filters"})

may_read = ApiKeyAuth()
may_create = ApiKeyAuth(permission="may_create_cases")
may_use_customers = ApiKeyAuth(permission="may_use_customers")
PROBLEMS = {400: s.Error, 401: s.Error, 403: s.Error, 404: s.Error, 422: s.Error}

v1 = Router()


class CasePage(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=100, description="How many cases, at most 100.")
        offset: int = Field(0, ge=0)


@v1.post(
    "/cases",
    auth=may_create,
    tags=["cases"],
    response={201: s.CaseDetailOut, 200: s.CaseDetailOut, 409: s.Conflict, **PROBLEMS},
    summary="Open a case",
    description="Opens a case for one of the key's services, as a contact on the key's "
    "contact point, and queues it for the front office. 201 when it is new; 200 with the "
    "case it opened when the same external_id was sent before.",
)
def case_create(request: HttpRequest, payload: s.CaseIn, response: HttpResponse):
    key = key_of(request)
    service, allowed = service_for_key(key, code=payload.service)
    if service is None:
        raise ApiProblem(422, CHECK_FIELDS, errors={"service": [no_service(payload.service)]})
    if (payload.customer_id is not None or payload.customer is not None) and (
        not key.may_use_customers
    ):
        # Naming a customer finds (and answers with) their record: that is using customers.
        raise ApiProblem(
            403,
            "This API key may not use customer records, so it may open cases only for no "
            "customer. Ask the council's administrator.",
        )
    if not allowed:
        raise ApiProblem(403, f"This API key may not open cases for {service.name}.")
    try:
        case, created = api_case_create(key=key, request=case_request(payload, service))
    except ExternalIdReused as reused:
        raise ApiProblem(
            409,
            f"external_id {payload.external_id} opened case {reused.case.reference}, for "
            "another service or summary: send a new external_id for a new request.",
            errors={"external_id": ["Already used for a different request"]},
            reference=reused.case.reference,
        ) from None
    response["Location"] = reverse("api:case_get", kwargs={"reference": case.reference})
    return Status(201 if created else 200, case_detail(case, case_timeline_for_key(case)))


@v1.get(
    "/cases",
    auth=may_read,
    tags=["cases"],
    response={200: list[s.CaseOut], **PROBLEMS},
    summary="List cases",
    description="The key's cases, the least recently changed first: to follow changes, ask "
    "again with updated_since set to the last updated_at seen.",
)
@paginate(CasePage)
def case_list(request: HttpRequest, filters: Query[s.CaseFilters]):
    key = key_of(request)
    service = None
    if filters.service:
        service, _ = service_for_key(key, code=filters.service)
        if service is None:
            raise ApiProblem(422, CHECK_FIELDS, errors={"service": [no_service(filters.service)]})
    cases = cases_for_key(
        key,
        statuses=[status.value for status in filters.status or []],
        service=service,
        customer_id=filters.customer_id,
        updated_since=filters.updated_since,
    )
    return _Presented(cases, key)


@v1.get(
    "/cases/{reference}",
    auth=may_read,
    tags=["cases"],
    response={200: s.CaseDetailOut, **PROBLEMS},
    summary="Read a case",
    description="Its status, dates and the timeline a customer could be shown.",
)
def case_get(request: HttpRequest, reference: str):
    key = key_of(request)
    case = case_get_for_key(key, reference=reference)
    restricted_case_read_record(key=key, case=case)
    return case_detail(case, case_timeline_for_key(case))


@v1.post(
    "/customers",
    auth=may_use_customers,
    tags=["customers"],
    response={201: s.CustomerOut, 409: s.Conflict, **PROBLEMS},
    summary="Add a customer",
    description="409, with their id, when a customer with the email address or phone "
    "number is on record already.",
)
def customer_create(request: HttpRequest, payload: s.CustomerIn):
    try:
        customer = api_customer_create(draft=customer_draft(payload))
    except CustomerAlreadyKnown as known:
        what = "email address" if known.field == "email" else "phone number"
        raise ApiProblem(
            409,
            f"Customer {known.customer.pk} has this {what} already: use their id.",
            errors={known.field: [f"Customer {known.customer.pk} has this {what}"]},
            customer_id=known.customer.pk,
        ) from None
    found = customer_by_id(customer_id=customer.pk)
    assert found is not None
    return Status(201, customer_out(found))


@v1.get(
    "/customers",
    auth=may_use_customers,
    tags=["customers"],
    response={200: s.CustomerList, **PROBLEMS},
    summary="Find customers by email address or phone number",
    description="Customers with this email address and this phone number (whichever are "
    "given), longest-standing first; at most 50.",
)
def customer_search(request: HttpRequest, email: s.Email = "", phone: s.Phone = ""):
    if not email and not phone:
        raise ApiProblem(
            422,
            "Give an email address or a phone number to search by.",
            errors={"email": ["Give an email address or a phone number"]},
        )
    return {"items": [customer_out(c) for c in customers_with(email=email, phone=phone)]}


@v1.get(
    "/customers/{customer_id}",
    auth=may_use_customers,
    tags=["customers"],
    response={200: s.CustomerOut, **PROBLEMS},
    summary="Read a customer",
)
def customer_get(request: HttpRequest, customer_id: int):
    customer = customer_by_id(customer_id=customer_id)
    if customer is None:
        raise ApiProblem(404, f"No customer has id {customer_id}.")
    return customer_out(customer)


api.add_router("/v1/", v1)


def address_unknown(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other address under /api/: answered in JSON like the rest of the API."""
    return JsonResponse(
        {
            "detail": "There is nothing at this address: the operations are listed at /api/.",
            "errors": {},
        },
        status=404,
    )


class _Presented:
    """A page of cases turned into their answers as the paginator slices them."""

    def __init__(self, cases: QuerySet[Case], key: Any) -> None:
        self.cases = cases
        self.key = key

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        cases = list(self.cases[page])
        for case in cases:  # a list shows their summaries: each is a read, as one case is
            if case.restricted:
                restricted_case_read_record(key=self.key, case=case)
        return [case_summary(case) for case in cases]

    def __len__(self) -> int:  # the paginator's count
        return int(self.cases.count())
