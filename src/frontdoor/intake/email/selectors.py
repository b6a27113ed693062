from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from frontdoor.cases.models import Case
from frontdoor.core.roles import Role, staff_role
from frontdoor.intake.email.models import InboundEmail

# Quarantined mail has no case yet, so no case decides who may read it: supervisors do.
QUARANTINE_ROLES = frozenset({Role.TEAM_LEADER, Role.MANAGER, Role.ADMINISTRATOR})


def may_see_quarantine(user: Any) -> bool:
    return staff_role(user) in QUARANTINE_ROLES


def quarantine_visible_to(user: Any) -> QuerySet[InboundEmail]:
    if staff_role(user) not in QUARANTINE_ROLES:
        return InboundEmail.objects.none()
    return (
        InboundEmail.objects.filter(status=InboundEmail.Status.QUARANTINED)
        .select_related("contact_point")
        .defer("raw")
        .order_by("-received_at")
    )


def quarantined_email_get_for(user: Any, *, email_id: int) -> InboundEmail:
    try:
        return quarantine_visible_to(user).get(pk=email_id)
    except InboundEmail.DoesNotExist:
        raise Http404("No such message") from None


def received_on_cases(message_ids: Iterable[str]) -> dict[str, tuple[datetime, int]]:
    """For each of these Message-IDs that we received on a case: when (the latest, if it came
    to several inboxes), and that case's id (threading a reply to it)."""
    ids = set(message_ids)
    if not ids:
        return {}
    found: dict[str, tuple[datetime, int]] = {}
    rows = (
        InboundEmail.objects.filter(message_id__in=ids, case__isnull=False)
        .order_by()
        .values_list("message_id", "received_at", "case_id")
    )
    for message_id, received_at, case_id in rows:
        if message_id not in found or received_at > found[message_id][0]:
            found[message_id] = (received_at, case_id)
    return found


def stored_keys(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], InboundEmail]:
    """The messages already stored, by (inbox id, message key): what a re-delivery returns."""
    wanted = set(pairs)
    if not wanted:
        return {}
    rows = (
        InboundEmail.objects.filter(
            contact_point_id__in={inbox for inbox, _ in wanted},
            message_key__in={key for _, key in wanted},
        )
        .select_related("case")
        .order_by()
    )
    return {
        (row.contact_point_id, row.message_key): row
        for row in rows
        if (row.contact_point_id, row.message_key) in wanted
    }


def case_emails(case: Case) -> QuerySet[InboundEmail]:
    """The emails on a case the caller may already see (cases.selectors decided that)."""
    return case.inbound_emails.defer("raw").prefetch_related("attachments").order_by("received_at")


def recent_mail_for_trial(user: Any, *, limit: int) -> QuerySet[InboundEmail]:
    """Recent accepted mail to try a routing rule on: for those who may read the rules."""
    from frontdoor.routing.selectors import RULE_READERS

    if staff_role(user) not in RULE_READERS:
        return InboundEmail.objects.none()
    return (
        InboundEmail.objects.filter(status=InboundEmail.Status.ACCEPTED)
        # mail on restricted cases is for their own department only
        .exclude(case__restricted=True)
        .select_related("contact_point")
        .only(
            "pk",
            "contact_point__address",
            "contact_point__name",
            "from_address",
            "subject",
            "text_body",
            "received_at",
            "case_id",
        )
        .order_by("-received_at")[:limit]
    )
