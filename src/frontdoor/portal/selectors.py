"""Reads of My Account's accounts."""

from __future__ import annotations

from typing import Any

from django.db.models.functions import Lower

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
