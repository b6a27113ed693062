"""Residents sign in with their email address (in any case) and password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from frontdoor.core.roles import is_resident
from frontdoor.portal.selectors import resident_account_by_email


class ResidentEmailBackend(ModelBackend):
    """authenticate(request, email=…, password=…) for My Account. Staff never sign in this
    way, even with an address that names them: the console has its own sign-in."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        email: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if not email or password is None:
            return None
        account = resident_account_by_email(email)
        if account is None:
            # Hash the password anyway, so an unknown address takes as long as a known one.
            get_user_model()().set_password(password)
            return None
        user = account.user
        if user.check_password(password) and self.user_can_authenticate(user):
            return user if is_resident(user) else None
        return None
