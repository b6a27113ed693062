"""Progress notifications: the customer is told when their case is forwarded to a department,
scheduled, resolved or closed, by email or text message as they chose
(notification_preference_for), in the council's wording (Email templates, purposes CASE_*).

cases.services calls these in the transaction of the change, so the message is in the outbox
exactly when the change is; the worker sends it after commit. Never for a case with no
customer or no way to reach them; never twice for one timeline event (its id is the cause
key); and on a restricted case (social care) only a neutral message that says nothing of what
the case is about. Composing a message never holds up the case: a fault is logged with the
case and the change goes on without it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from frontdoor.cases.models import Case, CaseEvent
from frontdoor.core.formatting import weekday_date
from frontdoor.core.memo import ConfigMemo
from frontdoor.core.models import Council
from frontdoor.directory.models import ContactPoint, SLAPolicy
from frontdoor.notify.models import (
    EmailTemplate,
    NotificationPreference,
    OutboundEmail,
    OutboundSMS,
)
from frontdoor.notify.selectors import notification_preference_for
from frontdoor.notify.services import (
    council_from_address,
    email_queue,
    sms_queue,
    template_for,
    template_render,
    template_sms_render,
)

log = logging.getLogger(__name__)

P = EmailTemplate.Purpose
Notice = OutboundEmail | OutboundSMS

# Where a resident follows a case online with its reference (or in My Account), under
# FRONTDOOR_PUBLIC_URL: the same page the online forms' confirmations give.
FOLLOW_PATH = "/track/"

# The fields every notice carries, for a GOV.UK Notify template (see gov_notify), besides
# ((subject)) and ((body)); those that do not apply to a message are empty.
PERSONALISATION_FIELDS = (
    "reference",
    "customer_name",
    "service",
    "department",
    "target_date",
    "scheduled_for",
    "what",
    "outcome",
    "resolution",
    "reopen_by",
    "follow_url",
    "council_name",
    "council_phone",
)


def case_forwarded_notify(*, case: Case, event: CaseEvent) -> Notice | None:
    """The case is now with a department: who, and when we aim to finish."""
    department = event.department or case.department
    return _notice(
        case,
        event,
        P.CASE_FORWARDED,
        lambda: {"department": department.name, "target_date": _target(case)},
    )


def case_scheduled_notify(
    *, case: Case, event: CaseEvent, scheduled_for: date, what: str
) -> Notice | None:
    """Something is booked for the case: what, and on which day."""
    return _notice(
        case,
        event,
        P.CASE_SCHEDULED,
        lambda: {
            "what": what,
            "scheduled_for": weekday_date(scheduled_for),
            "target_date": weekday_date(scheduled_for),
        },
    )


def case_resolved_notify(*, case: Case, event: CaseEvent) -> Notice | None:
    """The case is resolved: how, and until when telling us it is not sorted reopens it."""

    def details() -> dict[str, str]:
        resolved_on = timezone.localdate(case.resolved_at or event.at)
        window = Council.current().reopen_window_days
        return {
            "outcome": str(case.outcome or ""),
            "resolution": case.resolution_note,
            "reopen_by": weekday_date(resolved_on + timedelta(days=window)),
        }

    return _notice(case, event, P.CASE_RESOLVED, details)


def case_closed_notify(*, case: Case, event: CaseEvent) -> Notice | None:
    """The case is closed: nothing more to do, and where it can still be seen."""
    return _notice(case, event, P.CASE_CLOSED, dict)


def case_follow_url(case: Case) -> str:
    """Where the customer follows the case online."""
    return f"{settings.FRONTDOOR_PUBLIC_URL}{FOLLOW_PATH}"


def _notice(
    case: Case, event: CaseEvent, purpose: str, details: Callable[[], dict[str, str]]
) -> Notice | None:
    try:
        with transaction.atomic():  # a savepoint: a fault here undoes only the notice
            return _notice_queue(case, event, purpose, details)
    except Exception:
        log.exception(
            "Could not queue the %s notice on case %s (event %s); the case goes on without it",
            purpose,
            case.reference,
            event.pk,
        )
        return None


def _notice_queue(
    case: Case, event: CaseEvent, purpose: str, details: Callable[[], dict[str, str]]
) -> Notice | None:
    customer = case.customer
    if customer is None:
        return None
    choice = notification_preference_for(customer)
    if choice.by == NotificationPreference.By.NONE:
        return None
    cause_key = f"notice:{event.pk}"
    if (
        OutboundEmail.objects.filter(cause_key=cause_key).exists()
        or OutboundSMS.objects.filter(cause_key=cause_key).exists()
    ):
        return None
    council = Council.current()
    context: dict[str, Any] = dict.fromkeys(PERSONALISATION_FIELDS, "") | {
        "reference": case.reference,
        "reference_tag": council.reference_tag(case.reference),
        "follow_url": case_follow_url(case),
        "council_name": council.name,
        "council_phone": council.phone,
    }
    if case.restricted:
        purpose = P.CASE_UPDATE_NEUTRAL
    else:
        context |= {"customer_name": customer.display_name, "service": case.service.name}
        context |= details()
    inbox = _service_inbox(case)
    template = template_for(purpose=purpose, contact_point_id=inbox.pk if inbox else None)
    subject, text, html = template_render(template, context)
    if case.reference not in subject:
        # Replies thread by the reference in the subject: it is always there.
        subject = f"{subject} {council.reference_tag(case.reference)}"
    personalisation = {field: str(context[field]) for field in PERSONALISATION_FIELDS}
    personalisation["subject"] = subject
    if choice.by == NotificationPreference.By.SMS:
        body = template_sms_render(template, context)
        return sms_queue(
            purpose=purpose,
            to_number=choice.mobile,
            body=body,
            personalisation=personalisation | {"body": body},
            case=case,
            cause_key=cause_key,
        )
    return email_queue(
        kind=OutboundEmail.Kind.NOTIFICATION,
        from_address=inbox.address if inbox else council_from_address(council),
        from_name=council.name,
        to_address=choice.email,
        subject=subject,
        text_body=text,
        html_body=html,
        case=case,
        auto_submitted=True,
        cause_key=cause_key,
        purpose=purpose,
        personalisation=personalisation | {"body": text},
    )


_inbox_memo = ConfigMemo("service inboxes", models=("directory.ContactPoint",))


def _service_inbox(case: Case) -> ContactPoint | None:
    """The service's own inbox, which a notice comes from (and whose wording it takes, if it
    has its own). None for a restricted case, whose notice comes from the council's general
    address (council_from_address), so that the sender says nothing of the service either."""
    if case.restricted:
        return None
    return _inbox_memo.get(("inbox", case.service_id), lambda: _inbox_load(case.service_id))


def _inbox_load(service_id: int) -> ContactPoint | None:
    return (
        ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL, service_id=service_id)
        .exclude(status=ContactPoint.Status.RETIRED)
        .order_by("pk")
        .first()
    )


def _target(case: Case) -> str:
    """When we aim to finish, as the customer reads it: a day, or a time on a day for a
    service whose targets are in working hours."""
    local = timezone.localtime(case.resolution_due)
    if case.service.sla_policy.unit == SLAPolicy.Unit.WORKING_HOURS:
        return f"{local:%-I:%M%p}".lower() + f" on {weekday_date(local.date())}"
    return weekday_date(local.date())
