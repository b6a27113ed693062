from __future__ import annotations

from django.db.models import QuerySet

from frontdoor.cases.models import Case
from frontdoor.notify.models import OutboundEmail


def case_for_sent_message_ids(message_ids: list[str]) -> Case | None:
    """The case of the latest email we sent with one of these Message-IDs (a reply to it)."""
    sent = (
        OutboundEmail.objects.filter(message_id__in=message_ids, case__isnull=False)
        .select_related("case")
        .order_by("-created_at")
        .first()
    )
    return sent.case if sent else None


def case_outbound_emails(case: Case) -> QuerySet[OutboundEmail]:
    """The emails sent on a case the caller may already see (cases.selectors decided that)."""
    return case.outbound_emails.select_related("sent_by").order_by("created_at")
