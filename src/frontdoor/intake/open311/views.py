"""Open311 GeoReport v2 at /open311/v2/, with mySociety's updates extension.

Every path ends in .xml or .json. Apps post with an api_key and no session, so these views
(and only these) are exempt from CSRF. Whatever a call gets wrong is answered in the
standard's error shape with its status: 400 bad input, 403 bad key, 404 unknown, 405."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt

from frontdoor.core.models import Council
from frontdoor.intake.open311 import selectors
from frontdoor.intake.open311.inputs import report_read, update_read
from frontdoor.intake.open311.models import Open311Client
from frontdoor.intake.open311.protocol import (
    FORMATS,
    Open311Error,
    answer,
    errors_answer,
    listed,
    moment,
    params_of,
)
from frontdoor.intake.open311.services import open311_request_submit, open311_update_post
from frontdoor.intake.webforms.forms import slots_open
from frontdoor.intake.webforms.models import FormField, RequestForm

View = Callable[..., HttpResponse]
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def endpoint(*methods: str) -> Callable[[View], View]:
    """An Open311 view: the format checked, the jurisdiction checked, the parameters read,
    and any Open311Error answered in the standard's shape."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def wrap(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def run(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            shown = fmt if fmt in FORMATS else "xml"
            try:
                if fmt not in FORMATS:
                    raise Open311Error(400, f"Ask for .xml or .json, not .{fmt}")
                if request.method not in allowed:
                    response = errors_answer(
                        shown, Open311Error(405, f"{request.method} is not allowed here")
                    )
                    response["Allow"] = ", ".join(sorted(allowed))
                    return response
                params = params_of(request)
                _jurisdiction_check(params)
                return view(request, fmt, params, **kwargs)
            except Open311Error as error:
                return errors_answer(shown, error)

        return run

    return wrap


def _jurisdiction_check(params: MultiValueDict) -> None:
    council = Council.current()
    given = (params.get("jurisdiction_id") or "").strip()
    served = council.open311_jurisdiction_id
    if not given:
        if council.open311_jurisdiction_required:
            raise Open311Error(400, f"jurisdiction_id is required: this is {served}")
        return
    if given.lower() != served.lower():
        raise Open311Error(400, f"jurisdiction_id {given!r} is not served here: this is {served}")


def _client(params: MultiValueDict) -> Open311Client:
    client = selectors.client_for_key((params.get("api_key") or "").strip())
    if client is None:
        raise Open311Error(
            403, "api_key was not recognised, or its app may no longer post: ask the council"
        )
    return client


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str, params: MultiValueDict) -> HttpResponse:
    council = Council.current()
    # Definitions may change any day; a client refreshes its cache when the changeset moves.
    changeset = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    ways = ", ".join(w for w in (council.email_from, council.phone) if w)
    return answer(
        fmt,
        "discovery",
        {
            "changeset": changeset,
            "contact": f"{council.name}" + (f": {ways}" if ways else ""),
            "key_service": f"Ask {council.name} for an API key"
            + (f" at {council.email_from}" if council.email_from else ""),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": request.build_absolute_uri(reverse("open311_root")),
                    "changeset": changeset,
                    "type": "production",
                    "formats": [v.split(";")[0] for v in FORMATS.values()],
                }
            ],
        },
    )


def _service(form: RequestForm) -> dict[str, Any]:
    return {
        "service_code": form.slug,
        "service_name": form.service.name,
        "description": form.introduction,
        "metadata": bool(form.fields.all()),
        "type": "realtime",
        "keywords": form.keywords,
        "group": form.group,
    }


@endpoint("GET")
def services(request: HttpRequest, fmt: str, params: MultiValueDict) -> HttpResponse:
    return answer(fmt, "services", [_service(form) for form in selectors.services_offered()])


T = FormField.Datatype
_DATATYPES = {
    T.TEXT: "string",
    T.TEXTAREA: "text",
    T.NUMBER: "number",
    T.DATE: "datetime",
    T.CHOICE: "singlevaluelist",
    T.CHOICES: "multivaluelist",
    T.SLOT: "singlevaluelist",
}


def _attribute(field: FormField, order: int) -> dict[str, Any]:
    if field.datatype == T.SLOT:
        values = [
            {"key": s.date.isoformat(), "name": f"{s.date:%A} {s.date.day} {s.date:%B %Y}"}
            for s in slots_open(field.form)
        ]
    else:
        values = [{"key": c.key, "name": c.name} for c in field.choice_list()]
    return {
        "variable": True,
        "code": field.code,
        "datatype": _DATATYPES[T(field.datatype)],
        "required": field.required,
        "datatype_description": _datatype_description(field),
        "order": order,
        "description": field.label + (f" {field.hint}" if field.hint else ""),
        "values": values,
    }


def _datatype_description(field: FormField) -> str:
    if field.datatype in (T.TEXT, T.TEXTAREA):
        limit = field.max_length or (5000 if field.datatype == T.TEXTAREA else 200)
        return f"Up to {limit:,} characters"
    if field.datatype == T.NUMBER:
        low, high = field.min_value, field.max_value
        if low is not None and high is not None:
            return f"A whole number from {low} to {high}"
        return "A whole number"
    if field.datatype == T.DATE:
        return "A date, like 2026-03-27 (a date-time is taken as its day in the UK)"
    if field.datatype == T.CHOICES:
        return "Any of the values' keys: send attribute[code][] once for each"
    if field.datatype == T.SLOT:
        return "One of the collection dates still open"
    return "One of the values' keys"


@endpoint("GET")
def service_definition(
    request: HttpRequest, fmt: str, params: MultiValueDict, service_code: str
) -> HttpResponse:
    form = selectors.service_offered(service_code)
    if form is None:
        raise Open311Error(404, f"There is no service {service_code!r}: GET services for the list")
    return answer(
        fmt,
        "service_definition",
        {
            "service_code": form.slug,
            "attributes": [_attribute(f, n) for n, f in enumerate(form.fields.all(), start=1)],
        },
    )


def _request(found: selectors.PublicRequest) -> dict[str, Any]:
    """A request as anyone may see it: what the app sent of the problem and where it is,
    and how the council is getting on. Never who reported it."""
    assert found.form is not None
    return {
        "service_request_id": found.reference,
        "status": "open" if found.is_open else "closed",
        "status_notes": found.progress_text or "",
        "service_name": found.form.service.name,
        "service_code": found.form.slug,
        "description": found.description,
        "agency_responsible": found.department,
        "service_notice": found.form.what_happens_next,
        "requested_datetime": found.opened_at,
        "updated_datetime": found.progress_at or found.opened_at,
        "expected_datetime": found.resolution_due if found.is_open else None,
        "address": found.address_string,
        "address_id": found.address_id,
        "zipcode": found.postcode,
        "lat": found.latitude,
        "long": found.longitude,
        "media_url": found.media_url,
    }


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str, params: MultiValueDict) -> HttpResponse:
    if request.method == "POST":
        return _request_post(fmt, params)
    statuses = [s.lower() for s in listed(params, "status")]
    if set(statuses) - {"open", "closed"}:
        raise Open311Error(400, "status must be open or closed (or both, comma-separated)")
    start = moment(params, "start_date")
    end = moment(params, "end_date", end_of_day=True)
    if start and end and end < start:
        raise Open311Error(400, "end_date must not be before start_date")
    found = selectors.requests_public(
        where=selectors.RequestFilter(
            references=listed(params, "service_request_id"),
            service_codes=listed(params, "service_code"),
            start=start,
            end=end,
            statuses=statuses,
        )
    )
    return answer(fmt, "service_requests", [_request(r) for r in found])


def _request_post(fmt: str, params: MultiValueDict) -> HttpResponse:
    client = _client(params)
    report = report_read(params, client=client)
    try:
        record, created = open311_request_submit(client=client, report=report)
    except ValidationError as error:  # a collection date just taken, a form just closed
        raise Open311Error(400, *error.messages) from None
    return answer(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": record.case.reference,
                # Every request is realtime; the token is there for clients written for
                # batch servers, and tokens/{token} answers it at once.
                "token": record.token,
                "service_notice": report.form.what_happens_next,
                "account_id": record.account_id or None,
            }
        ],
        status=201 if created else 200,
    )


@endpoint("GET")
def request_detail(
    request: HttpRequest, fmt: str, params: MultiValueDict, reference: str
) -> HttpResponse:
    record = selectors.request_public(reference=reference)
    if record is None:
        raise Open311Error(404, f"There is no request {reference!r}")
    return answer(fmt, "service_requests", [_request(record)])


@endpoint("GET")
def token(request: HttpRequest, fmt: str, params: MultiValueDict, token: str) -> HttpResponse:
    record = selectors.request_by_token(token=token)
    if record is None:
        raise Open311Error(404, f"There is no request with token {token!r}")
    return answer(
        fmt,
        "service_requests",
        [{"service_request_id": record.case.reference, "token": record.token}],
    )


@endpoint("GET", "POST")
def updates(request: HttpRequest, fmt: str, params: MultiValueDict) -> HttpResponse:
    if request.method == "POST":
        return _update_post(fmt, params)
    start = moment(params, "start_date")
    end = moment(params, "end_date", end_of_day=True)
    if start and end and end < start:
        raise Open311Error(400, "end_date must not be before start_date")
    items = []
    for update in selectors.updates_public(start=start, end=end):
        item: dict[str, Any] = {
            "update_id": update.update_id,
            "service_request_id": update.reference,
            "status": update.status,
            "updated_datetime": update.at,
            "description": update.description,
            "media_url": "",
            "external_status_code": update.kind,
        }
        if update.client_request_id:
            item["fixmystreet_id"] = update.client_request_id
        items.append(item)
    return answer(fmt, "service_request_updates", items)


def _update_post(fmt: str, params: MultiValueDict) -> HttpResponse:
    client = _client(params)
    reference, update = update_read(params)
    record = selectors.request_of_client(client=client, reference=reference)
    if record is None:
        raise Open311Error(404, f"There is no request {reference!r} from {client.name}")
    try:
        posted, created = open311_update_post(client=client, request=record, update=update)
    except ValidationError as error:
        raise Open311Error(400, *error.messages) from None
    return answer(
        fmt,
        "service_request_updates",
        [{"update_id": str(posted.event_id)}],
        status=201 if created else 200,
    )


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    fmt = "json" if path.endswith(".json") else "xml"
    return errors_answer(fmt, Open311Error(404, f"There is no Open311 resource at {path!r}"))


@csrf_exempt
def root(request: HttpRequest) -> HttpResponse:
    return errors_answer(
        "xml", Open311Error(404, "Start at discovery.xml or services.xml (or .json)")
    )
