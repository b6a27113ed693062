from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from frontdoor.cases.models import Case
from frontdoor.customers.models import Customer
from frontdoor.customers.selectors import customer_email_addresses, customer_uk_mobiles
from frontdoor.notify.models import NotificationPreference, OutboundEmail, OutboundSMS

By = NotificationPreference.By


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


def case_outbound_sms(case: Case) -> QuerySet[OutboundSMS]:
    """The text messages sent on a case the caller may already see."""
    return case.outbound_sms.order_by("created_at")


def case_outbound_message(case: Case, *, channel: str, pk: int) -> OutboundEmail | OutboundSMS:
    """One email ("email") or text ("sms") sent on a case the caller may already see, or 404:
    a message of another case is not reached through this one."""
    model: type[OutboundEmail] | type[OutboundSMS]
    if channel == "email":
        model = OutboundEmail
    elif channel == "sms":
        model = OutboundSMS
    else:
        raise Http404("No such message")
    try:
        return model.objects.select_related("case").get(pk=pk, case=case)
    except model.DoesNotExist:
        raise Http404("No such message") from None


@dataclass(frozen=True)
class NotificationChoice:
    """How a customer is told about progress, and where it would go."""

    by: str  # NotificationPreference.By
    chosen: bool  # they (or staff for them) chose it; False: the default
    email: str  # their address for email, or ""
    mobile: str  # their UK mobile (E.164) for texts, or ""

    @property
    def ways(self) -> list[str]:
        """The ways they could choose from: those they have an address or number for."""
        return [
            way
            for way, possible in ((By.EMAIL, self.email), (By.SMS, self.mobile), (By.NONE, True))
            if possible
        ]


def notification_preference_for(customer: Customer) -> NotificationChoice:
    """How the customer is told about their cases: as they chose, while they still have the
    address or number for it; otherwise by email if they have an address, else by text if
    they have a UK mobile, else not at all."""
    emails = customer_email_addresses(customer)
    mobiles = customer_uk_mobiles(customer)
    email, mobile = (emails[0] if emails else ""), (mobiles[0] if mobiles else "")
    stored = NotificationPreference.objects.filter(customer=customer).first()
    if stored is not None:
        reachable = {By.EMAIL: bool(email), By.SMS: bool(mobile), By.NONE: True}
        if reachable.get(By(stored.by), False):
            return NotificationChoice(by=stored.by, chosen=True, email=email, mobile=mobile)
    default = By.EMAIL if email else By.SMS if mobile else By.NONE
    return NotificationChoice(by=default, chosen=False, email=email, mobile=mobile)
