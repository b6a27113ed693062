"""Reads for the Open311 endpoints.

What an app may read without a key (the standard's GET requests and mySociety's GET updates)
is decided here, once: requests that arrived over Open311 (apps publish them themselves),
never a restricted case, never who reported it. Cases from the phone, email or the council's
own forms are not published this way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from frontdoor.cases.models import OPEN_STATUSES, Case, CaseEvent
from frontdoor.cases.selectors import progress_events
from frontdoor.core.memo import ConfigMemo
from frontdoor.core.prepared import PreparedQuery
from frontdoor.intake.open311.models import (
    ExtendedStatus,
    Open311Client,
    Open311Request,
    OutcomeStatus,
    api_key_digest,
)
from frontdoor.intake.webforms.models import RequestForm
from frontdoor.intake.webforms.selectors import forms_over_open311

# The standard's defaults for GET requests: the last 90 days, at most 1,000 requests.
DEFAULT_WINDOW = timedelta(days=90)
MOST_RESULTS = 1000

_services_memo = ConfigMemo(
    "open311 services",
    models=("webforms.RequestForm", "webforms.FormField", "directory.Service"),
)
_clients_memo = ConfigMemo("open311 clients", models=("open311.Open311Client",))
_outcomes_memo = ConfigMemo("open311 outcome statuses", models=("open311.OutcomeStatus",))


def client_for_key(api_key: str) -> Open311Client | None:
    """The active client whose key this is, or None. Remembered like configuration (an app
    posts all day): a client made inactive, or given a new key, is refused by this process
    at once and by the others within ten seconds."""
    if not api_key:
        return None
    digest = api_key_digest(api_key)
    return _clients_memo.get(
        digest,
        lambda: (
            Open311Client.objects.filter(api_key_hash=digest, is_active=True)
            .select_related("contact_point")
            .first()
        ),
    )


def services_offered() -> list[RequestForm]:
    """The forms offered as Open311 services, with their questions (remembered for a few
    seconds, like the rest of the council's configuration)."""
    return _services_memo.get("all", lambda: list(forms_over_open311()))


def service_offered(code: str) -> RequestForm | None:
    return next((form for form in services_offered() if form.slug == code), None)


@dataclass
class PublicRequest:
    """A request as anyone may see it (see the module's docstring), read straight from the
    columns it needs: what the app sent of the problem and where, and the case's progress."""

    reference: str
    case_status: str
    department: str
    opened_at: datetime
    resolution_due: datetime
    postcode: str
    form_id: int
    description: str
    address_string: str
    address_id: str
    latitude: Decimal | None
    longitude: Decimal | None
    media_url: str
    progress_text: str | None
    progress_at: datetime | None
    form: RequestForm | None = None

    @property
    def is_open(self) -> bool:
        return self.case_status in OPEN_STATUSES


_PUBLIC_COLUMNS = [
    "case__reference",
    "case__status",
    "case__department__name",
    "case__opened_at",
    "case__resolution_due",
    "case__location_postcode",
    "form_id",
    "description",
    "address_string",
    "address_id",
    "latitude",
    "longitude",
    "media_url",
    "progress_text",
    "progress_at",
]


def _public() -> QuerySet[Open311Request, tuple[Any, ...]]:
    # The forms come from the services remembered above (see _with_forms), not from a join:
    # status checks are most of an app's calls, and each join is more SQL to run.
    latest = progress_events().filter(case_id=OuterRef("case_id")).order_by("-at", "-id")
    return (
        Open311Request.objects.filter(case__restricted=False)
        .annotate(
            progress_text=Subquery(latest.values("text")[:1]),
            progress_at=Subquery(latest.values("at")[:1]),
        )
        .values_list(*_PUBLIC_COLUMNS)
    )


def _publics(rows: list[Sequence[Any]]) -> list[PublicRequest]:
    return _with_forms([PublicRequest(*row) for row in rows])


@dataclass(frozen=True)
class RequestFilter:
    references: list[str]
    service_codes: list[str]
    start: datetime | None
    end: datetime | None
    statuses: list[str]  # "open", "closed"


def requests_public(*, where: RequestFilter) -> list[PublicRequest]:
    """GET requests: by reference when any are given (the rest is then ignored, as the
    standard says), else by service, window (the last 90 days unless given) and status;
    newest first, at most 1,000."""
    found = _public()
    if where.references:
        found = found.filter(case__reference__in=where.references[:MOST_RESULTS])
    else:
        end = where.end or timezone.now()
        start = where.start or end - DEFAULT_WINDOW
        found = found.filter(received_at__gte=start, received_at__lte=end)
        if where.service_codes:
            found = found.filter(form__slug__in=where.service_codes)
        if set(where.statuses) == {"open"}:
            found = found.filter(case__status__in=OPEN_STATUSES)
        elif set(where.statuses) == {"closed"}:
            found = found.exclude(case__status__in=OPEN_STATUSES)
    return _publics(list(found.order_by("-received_at", "-pk")[:MOST_RESULTS]))


# The call apps make most, so its SQL is built once (see core.prepared).
_one_public = PreparedQuery(
    lambda reference: _public().filter(case__reference=reference)[:1], "reference"
)


def request_public(*, reference: str) -> PublicRequest | None:
    """One request, with its latest progress."""
    found = _publics(_one_public.rows(reference=reference))
    return found[0] if found else None


def request_by_token(*, token: str) -> Open311Request | None:
    return (
        Open311Request.objects.filter(token=token, case__restricted=False)
        .select_related("case")
        .first()
    )


def request_of_client(*, client: Open311Client, reference: str) -> Open311Request | None:
    """One of the client's own requests, for it to post an update on."""
    return (
        Open311Request.objects.filter(client=client, case__reference=reference)
        .select_related("case__service", "case__customer")
        .first()
    )


def _with_forms(requests: list[PublicRequest]) -> list[PublicRequest]:
    """Each request's form (and its service) from the remembered services, or fetched for a
    form no longer offered."""
    offered = {form.pk: form for form in services_offered()}
    missing = {r.form_id for r in requests} - offered.keys()
    if missing:
        offered |= RequestForm.objects.select_related("service").in_bulk(list(missing))
    for r in requests:
        r.form = offered[r.form_id]
    return requests


@dataclass(frozen=True)
class CouncilUpdate:
    """One step of the council's on a request an app reported, as mySociety's extension
    gives it."""

    update_id: str
    reference: str
    status: str
    at: datetime
    description: str
    kind: str
    client_request_id: str


def updates_public(*, start: datetime | None, end: datetime | None) -> list[CouncilUpdate]:
    """GET servicerequestupdates: the progress on requests that arrived over Open311, oldest
    first (so an app can page on by start_date), in the window given or the last 90 days, at
    most 1,000."""
    end = end or timezone.now()
    start = start or end - DEFAULT_WINDOW
    reported = Open311Request.objects.filter(case__restricted=False).values("case_id")
    events = (
        progress_events()
        .filter(case_id__in=reported, at__gte=start, at__lte=end)
        .select_related("case__outcome", "case__open311_request")
        .order_by("at", "id")[:MOST_RESULTS]
    )
    statuses = outcome_statuses()
    return [
        CouncilUpdate(
            update_id=str(event.pk),
            reference=event.case.reference,
            status=extended_status(event, event.case, statuses),
            at=event.at,
            description=event.text,
            kind=event.kind,
            client_request_id=event.case.open311_request.client_request_id,
        )
        for event in events
    ]


def outcome_statuses() -> dict[int, str]:
    """outcome id: the status apps are told when a case ends with it."""
    return _outcomes_memo.get(
        "all", lambda: dict(OutcomeStatus.objects.values_list("outcome_id", "status"))
    )


E = CaseEvent.Kind
# Forwarding goes to the council's own back office, so the report stays in progress: the
# extension's INTERNAL_REFERRAL would close it in FixMyStreet ("passed to another team").
_EVENT_STATUS: dict[str, str] = {
    E.FORWARDED: ExtendedStatus.IN_PROGRESS,
    E.ACCEPTED: ExtendedStatus.IN_PROGRESS,
    E.STARTED: ExtendedStatus.IN_PROGRESS,
    E.AWAITING_CUSTOMER: ExtendedStatus.INVESTIGATING,
    E.SCHEDULED: ExtendedStatus.ACTION_SCHEDULED,
    E.REOPENED: ExtendedStatus.OPEN,
}


def extended_status(event: CaseEvent, case: Case, statuses: dict[int, str]) -> str:
    """The extended status an event puts a request in. Resolution is FIXED, or what the
    council set for the outcome; closing (the paperwork after resolution) keeps the
    resolution's status, so a report an app shows as fixed does not turn merely 'closed'."""
    if event.kind in (E.RESOLVED, E.CLOSED):
        if case.outcome_id is not None and not case.is_open:
            return statuses.get(case.outcome_id, ExtendedStatus.FIXED)
        return ExtendedStatus.FIXED
    return _EVENT_STATUS.get(event.kind, str(ExtendedStatus.OPEN))
