from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from frontdoor.cases.models import Case
from frontdoor.notify.models import OutboundEmail


def sent_on_cases(message_ids: Iterable[str]) -> dict[str, tuple[datetime, int]]:
    """For each of these Message-IDs that is an email we sent on a case: when, and the case's
    id (threading a reply to it)."""
    ids = set(message_ids)
    if not ids:
        return {}
    return {
        message_id: (created_at, case_id)
        for message_id, created_at, case_id in OutboundEmail.objects.filter(
            message_id__in=ids, case__isnull=False
        )
        .order_by()
        .values_list("message_id", "created_at", "case_id")
    }


def case_outbound_emails(case: Case) -> QuerySet[OutboundEmail]:
    """The emails sent on a case the caller may already see (cases.selectors decided that)."""
    return case.outbound_emails.select_related("sent_by").order_by("created_at")
