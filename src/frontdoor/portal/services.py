"""Every write to My Account: registering, confirming an address, resetting a password, and
the emails they send (through the outbox, in the council's wording). Each is one transaction.

No answer here says whether an address has an account: registering an address that has one
sends its owner an email instead, and a reset for an unknown address sends nothing, and both
look the same to whoever asked."""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
from typing import Any

from axes.utils import reset as lockout_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from frontdoor.core.models import Council
from frontdoor.core.roles import is_resident
from frontdoor.customers.normalise import phone_is_uk_mobile, phone_to_e164
from frontdoor.customers.services import customer_details_add
from frontdoor.notify.models import EmailTemplate, NotificationPreference, OutboundEmail
from frontdoor.notify.services import (
    council_from_address,
    email_queue,
    notification_preference_set,
    template_for,
    template_render,
)
from frontdoor.portal import limits
from frontdoor.portal.models import ResidentAccount
from frontdoor.portal.selectors import resident_account_by_email, resident_customers

CONFIRMATION_SALT = "frontdoor.portal.email-confirmation"


class TooSoon(Exception):
    """The limit on this email is reached; it may be sent again from `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until)
        self.until = until


def _duration_in_words(seconds: int) -> str:
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


def _link(base_url: str, name: str, *args: Any) -> str:
    return base_url.rstrip("/") + reverse(name, args=args)


def _account_email(*, purpose: str, to: str, context: dict[str, Any]) -> OutboundEmail:
    council = Council.current()
    template = template_for(purpose=purpose, contact_point_id=None)
    subject, text, html = template_render(
        template, {"council_name": council.name, "email": to, **context}
    )
    return email_queue(
        kind=OutboundEmail.Kind.ACCOUNT,
        from_address=council_from_address(council),
        from_name=council.name,
        to_address=to,
        subject=subject,
        text_body=text,
        html_body=html,
    )


def confirmation_token(account: ResidentAccount) -> str:
    """A signed, dated token naming the account and the address it confirms."""
    return signing.dumps({"a": account.pk, "e": account.email.lower()}, salt=CONFIRMATION_SALT)


def _username_for(email: str) -> str:
    """The address itself, unless some user already has that username."""
    users = get_user_model().objects
    if not users.filter(username=email).exists():
        return email
    return f"resident-{uuid.uuid4().hex[:16]}"


@transaction.atomic
def resident_register(*, email: str, password: str, base_url: str) -> ResidentAccount | None:
    """Open an unconfirmed My Account for this address and send the link that confirms it.

    For an address that already has an account nothing is opened; its owner is emailed how
    to sign in or set a new password. Returns the new account, or None for that case."""
    email = email.strip()
    if resident_account_by_email(email) is None:
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    username=_username_for(email.lower()), email=email, password=password
                )
                account = ResidentAccount.objects.create(
                    user=user, email=email, created_at=timezone.now()
                )
        except IntegrityError:
            pass  # registered a moment ago by another request: as if it had been there
        else:
            # unless the address has had its links for the hour already
            with contextlib.suppress(TooSoon):
                resident_confirmation_send(account=account, base_url=base_url)
            return account
    existing = resident_account_by_email(email)
    # Hash the password as a new account would, so the answer takes as long either way.
    get_user_model()().set_password(password)
    if existing is not None:
        try:
            _confirmation_limited(existing.email)
        except TooSoon:
            return None
        _account_email(
            purpose=EmailTemplate.Purpose.ACCOUNT_VERIFICATION,
            to=existing.email,
            context={
                "already_registered": True,
                "sign_in_link": _link(base_url, "portal:sign_in"),
                "reset_link": _link(base_url, "portal:password_reset"),
            },
        )
    return None


def _confirmation_limited(email: str) -> None:
    key = email.lower()
    until = limits.limit_reached(limits.CONFIRMATION_EMAIL, key)
    if until is not None:
        raise TooSoon(until)
    limits.limit_hit(limits.CONFIRMATION_EMAIL, key)


@transaction.atomic
def resident_confirmation_send(*, account: ResidentAccount, base_url: str) -> OutboundEmail:
    """Send (again) the link that confirms the account's address. Raises TooSoon when the
    address has had as many as the limit allows in the last hour."""
    _confirmation_limited(account.email)
    return _account_email(
        purpose=EmailTemplate.Purpose.ACCOUNT_VERIFICATION,
        to=account.email,
        context={
            "already_registered": False,
            "confirm_link": _link(base_url, "portal:confirm_email", confirmation_token(account)),
            "link_expires": _duration_in_words(settings.FRONTDOOR_EMAIL_CONFIRMATION_SECONDS),
        },
    )


class LinkProblem(ValidationError):
    """An emailed link that cannot be used; the code says why (expired, invalid, other)."""


@transaction.atomic
def resident_email_confirm(*, user: Any, token: str) -> ResidentAccount:
    """Mark the signed-in resident's address confirmed, from the link emailed to it.

    The link alone is not enough: the resident must also be signed in to the account it
    names. Otherwise whoever registered someone else's address could have it confirmed by
    that person's mail scanner, or by that person clicking, and then read their cases."""
    try:
        data = signing.loads(
            token, salt=CONFIRMATION_SALT, max_age=settings.FRONTDOOR_EMAIL_CONFIRMATION_SECONDS
        )
    except signing.SignatureExpired:
        raise LinkProblem("The link has expired", code="expired") from None
    except signing.BadSignature:
        raise LinkProblem("The link is not valid", code="invalid") from None
    account = ResidentAccount.objects.select_for_update().filter(user=user).first()
    if account is None or not isinstance(data, dict) or data.get("a") != account.pk:
        raise LinkProblem("The link is for a different account", code="other_account")
    if data.get("e") != account.email.lower():
        raise LinkProblem("The link is not valid", code="invalid")
    if account.verified_at is None:
        account.verified_at = timezone.now()
        account.save(update_fields=["verified_at"])
    return account


@transaction.atomic
def resident_password_reset_request(*, email: str, base_url: str) -> None:
    """Email a link to set a new password, if the address has an account that may use one.
    Says nothing either way, and sends no more than the limit allows an hour."""
    account = resident_account_by_email(email)
    if account is None or not is_resident(account.user):
        return
    key = account.email.lower()
    if limits.limit_reached(limits.RESET_EMAIL, key) is not None:
        return
    limits.limit_hit(limits.RESET_EMAIL, key)
    user = account.user
    _account_email(
        purpose=EmailTemplate.Purpose.PASSWORD_RESET,
        to=account.email,
        context={
            "reset_link": _link(
                base_url,
                "portal:password_reset_confirm",
                urlsafe_base64_encode(force_bytes(user.pk)),
                default_token_generator.make_token(user),
            ),
            "link_expires": _duration_in_words(settings.PASSWORD_RESET_TIMEOUT),
        },
    )


@transaction.atomic
def resident_password_set(*, user: Any, password: str) -> None:
    """Set a new password from the emailed link. Following the link showed the address is the
    resident's, so it is confirmed too; and the account's sign-in lockout ends."""
    user.set_password(password)
    user.save(update_fields=["password"])
    account = ResidentAccount.objects.select_for_update().get(user=user)
    if account.verified_at is None:
        account.verified_at = timezone.now()
        account.save(update_fields=["verified_at"])
    lockout_reset(username=account.email.lower())


@transaction.atomic
def resident_account_ensure(*, user: Any, email: str, verified_at: datetime | None) -> None:
    """Give an existing user (the demo's residents) a My Account for this address."""
    ResidentAccount.objects.get_or_create(
        user=user,
        defaults={"email": email, "verified_at": verified_at, "created_at": timezone.now()},
    )


@transaction.atomic
def resident_notifications_set(*, user: Any, by: str, mobile: str = "") -> int:
    """How a resident hears about their cases' progress, recorded on every customer record
    their confirmed address is on. A mobile number they give for texts is added to those
    records first. Returns how many records were changed."""
    customers = resident_customers(user)
    if not customers:
        raise ValidationError(
            {"by": "We have nothing to tell you about yet: you can choose once you have a case"}
        )
    number = ""
    if mobile.strip():
        try:
            number = phone_to_e164(mobile)
        except ValidationError:
            raise ValidationError(
                {"mobile": "Enter a UK mobile number, like 07911 123 456"}
            ) from None
        if not phone_is_uk_mobile(number):
            raise ValidationError({"mobile": "Enter a UK mobile number, like 07911 123 456"})
    for customer in customers:
        if number:
            customer_details_add(customer=customer, phone=number)
        try:
            notification_preference_set(customer=customer, by=by, actor=user)
        except ValidationError as error:
            if by == NotificationPreference.By.SMS:
                raise ValidationError(
                    {"mobile": "Enter the UK mobile number we should text"}
                ) from error
            raise
    return len(customers)
