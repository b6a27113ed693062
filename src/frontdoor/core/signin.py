"""Signing in, for staff and residents alike: what django-axes counts failed attempts against,
the address a request came from, and what a sign-in page says when an account is locked.

Axes refuses a locked account inside authenticate(), before any password is checked, and
marks the request; the sign-in forms read that mark and say until when, on the form itself,
so the page keeps its error summary and the person knows what to do."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from frontdoor.core.formatting import time_in_words
from frontdoor.core.roles import staff_role

# The longest key axes stores (AccessAttempt.username).
_KEY_LENGTH = 255


def attempt_key(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The account an attempt was for: the email address a resident signs in with, or a member
    of staff's username. In lower case, so that 'Cara@Example.com' and 'cara@example.com' are
    one account's failures, as they are one account."""
    posted = getattr(request, "POST", None) or {}
    for source in (credentials or {}, posted):
        for field in ("email", "username"):
            value = source.get(field)
            if value:
                return str(value).strip().lower()[:_KEY_LENGTH]
    return None


def client_address(request: HttpRequest) -> str | None:
    """The address a request came from. Behind the council's proxy (FRONTDOOR_BEHIND_PROXY) it
    is the last one in X-Forwarded-For, which the proxy itself added; whatever comes before it
    the client may have written."""
    candidates = []
    if settings.FRONTDOOR_BEHIND_PROXY:
        candidates.append(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip())
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def lockout_ends(key: str | None) -> datetime | None:
    """When the lock on this account ends, or None if it is not locked.

    Axes keeps one row per account, address and browser, each with its failures and the time
    of the last; the failures of rows whose last attempt is within the cool-off count. The
    lock ends when the newest rows alone no longer add up to the limit: when the oldest row
    needed to reach it falls out of the cool-off."""
    from axes.models import AccessAttempt

    if not key:
        return None
    cool_off = settings.AXES_COOLOFF_TIME
    rows = AccessAttempt.objects.filter(
        username=key, attempt_time__gte=timezone.now() - cool_off
    ).order_by("-attempt_time")
    failures = 0
    for last_attempt, count in rows.values_list("attempt_time", "failures_since_start"):
        failures += count
        if failures >= settings.AXES_FAILURE_LIMIT:
            return last_attempt + cool_off
    return None


def lockout_message(key: str | None) -> str:
    ends = lockout_ends(key)
    if ends is None:
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        when = f"in {minutes} minutes"
    else:
        when = f"from {time_in_words(ends)}"
    return (
        "You have tried to sign in too many times, so this account is locked for now. "
        f"You can try again {when}."
    )


def locked_out(request: HttpRequest | None) -> bool:
    """Whether axes refused this request's sign-in, or locked the account on it."""
    return bool(getattr(request, "axes_locked_out", False))


class LockoutAware:
    """For Django's sign-in forms: a locked account is told so and until when, rather than
    that its password was wrong (it was never checked)."""

    request: HttpRequest | None

    def get_invalid_login_error(self) -> ValidationError:
        if locked_out(self.request):
            return ValidationError(
                lockout_message(attempt_key(self.request, None)), code="locked_out"
            )
        return super().get_invalid_login_error()  # type: ignore[misc]


class StaffSignInForm(LockoutAware, AuthenticationForm):
    """The staff console's sign-in. Residents have accounts too, but sign in to My Account."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if staff_role(user) is None and not user.is_staff:
            raise ValidationError(
                "This sign-in is for council staff. To follow your own cases, sign in to "
                "My Account instead.",
                code="not_staff",
            )


class AdminSignInForm(LockoutAware, AdminAuthenticationForm):
    """The configuration site's sign-in, which counts towards the same lockout."""
