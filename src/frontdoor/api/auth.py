"""Who is calling: an API key in the Authorization header, as `Bearer <key>`.

Keys are sent by other systems, never by a browser, so the API takes no cookies and CSRF
does not apply to it; the rest of the site keeps Django's CSRF protection."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from frontdoor.api.errors import ApiProblem
from frontdoor.api.models import ApiKey
from frontdoor.api.selectors import api_key_for
from frontdoor.api.services import api_key_mark_used

HOW_TO_SEND = "Send your API key in the Authorization header, as: Bearer <key>"

PERMISSIONS = {
    "may_create_cases": "This API key may not open cases. Ask the council's administrator.",
    "may_use_customers": "This API key may not use customer records. Ask the council's "
    "administrator.",
}


class ApiKeyAuth(HttpBearer):
    """The key, checked; with a permission named, a key without it is refused (403) before
    the request is read, so the answer does not depend on what was sent."""

    def __init__(self, permission: str | None = None) -> None:
        super().__init__()
        if permission is not None and permission not in PERMISSIONS:
            raise ValueError(f"Unknown permission {permission!r}")
        self.permission = permission

    def __call__(self, request: HttpRequest) -> ApiKey:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            raise ApiProblem(401, HOW_TO_SEND)
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey:
        key = api_key_for(token)
        if key is None:
            raise ApiProblem(401, "This API key is not known: check that all of it was sent.")
        if not key.is_active:
            raise ApiProblem(
                401, "This API key has been revoked. Ask the council's administrator for a new one."
            )
        if self.permission is not None and not getattr(key, self.permission):
            raise ApiProblem(403, PERMISSIONS[self.permission])
        api_key_mark_used(key=key, at=timezone.now())
        return key


def key_of(request: Any) -> ApiKey:
    """The key a request authenticated with (set by ApiKeyAuth)."""
    key: ApiKey = request.auth
    return key
