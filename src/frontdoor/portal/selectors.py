"""Reads of My Account's accounts."""

from __future__ import annotations

from typing import Any

from django.db.models.functions import Lower

from frontdoor.customers.models import Customer
from frontdoor.customers.selectors import customer_ids_with_email, customers_unmerged
from frontdoor.portal.models import ResidentAccount


def resident_account_by_email(email: str) -> ResidentAccount | None:
    """The account for this address however it is typed, or None. Through the unique index on
    the lower-cased address (resident_account_email_once)."""
    return (
        ResidentAccount.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=email.strip().lower())
        .select_related("user")
        .first()
    )


def resident_account_of(user: Any) -> ResidentAccount | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "resident_account", None)


def resident_customers(user: Any) -> list[Customer]:
    """The customer records a signed-in resident's confirmed address is on (and those merged
    into them): whose cases My Account shows, and whose notification choice it sets. None
    until the address is confirmed."""
    account = resident_account_of(user)
    if account is None or not account.is_verified:
        return []
    ids = customer_ids_with_email(account.email)
    return customers_unmerged(ids)
