"""What an API key is, and what it may see. Which cases are decided here and nowhere else
(through cases.selectors.cases_in_scope); views never fetch a case any other way."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from frontdoor.api.models import ApiKey
from frontdoor.cases.models import Case, CaseEvent
from frontdoor.cases.selectors import CaseScope, case_timeline, cases_in_scope
from frontdoor.directory.models import Service
from frontdoor.directory.selectors import services_active

KEY_PREFIX = "fd_"
# The part of a key kept in the clear: "fd_" and eight hex digits.
PREFIX_LENGTH = len(KEY_PREFIX) + 8


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_for(key: str) -> ApiKey | None:
    """The key's row when the key is one we issued (revoked or not), else None."""
    if not key.startswith(KEY_PREFIX) or len(key) <= PREFIX_LENGTH:
        return None
    row = ApiKey.objects.select_related("contact_point").filter(prefix=key[:PREFIX_LENGTH]).first()
    if row is None or not hmac.compare_digest(row.digest, key_digest(key)):
        return None
    return row


def case_scope_of(key: ApiKey) -> CaseScope:
    return CaseScope(
        every_service=key.every_service,
        service_ids=frozenset(key.services.values_list("pk", flat=True)),
        department_ids=frozenset(key.departments.values_list("pk", flat=True)),
        restricted=key.may_view_restricted,
    )


def cases_visible_to_key(key: ApiKey) -> QuerySet[Case]:
    return cases_in_scope(case_scope_of(key))


def case_get_for_key(key: ApiKey, *, reference: str) -> Case:
    """The case, or 404 when there is none or the key may not see it (so nothing leaks)."""
    try:
        return (
            cases_visible_to_key(key)
            .select_related("service", "department", "outcome")
            .get(reference=reference)
        )
    except Case.DoesNotExist:
        raise Http404(f"No case {reference} that this API key may see.") from None


def cases_for_key(
    key: ApiKey,
    *,
    statuses: list[str] | None = None,
    service: Service | None = None,
    customer_id: int | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Case]:
    """The cases a key may see, filtered, oldest change first: a system keeping up with
    changes asks again from the last change it saw."""
    cases = cases_visible_to_key(key)
    if statuses:
        cases = cases.filter(status__in=statuses)
    if service is not None:
        cases = cases.filter(service=service)
    if customer_id is not None:
        cases = cases.filter(customer_id=customer_id)
    if updated_since is not None:
        cases = cases.filter(updated_at__gte=updated_since)
    return cases.select_related("service", "department", "outcome").order_by("updated_at", "pk")


def case_timeline_for_key(case: Case) -> QuerySet[CaseEvent]:
    """What a customer could be told of the case's history: staff's own notes and hand-offs
    are not shown to another system."""
    return case_timeline(case).filter(visible_to_customer=True)


def service_for_key(key: ApiKey, *, code: str) -> tuple[Service | None, bool]:
    """The active service with this code, and whether the key may open its cases."""
    service = services_active().filter(code=code).first()
    if service is None:
        return None, False
    return service, case_scope_of(key).covers(service)
