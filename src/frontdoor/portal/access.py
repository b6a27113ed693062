"""Who may use My Account's pages: residents. Staff are pointed to the console instead, so the
two are never mixed in one session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from frontdoor.core.roles import is_resident
from frontdoor.portal.selectors import resident_account_of


def _staff_told(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/staff.html", status=403)


def resident_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in residents with an account; others are sent to sign in, and staff are told to
    use the staff console."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:sign_in"))
        if not is_resident(request.user):
            return _staff_told(request)
        if resident_account_of(request.user) is None:
            # A user made by hand with no My Account: it cannot be used here.
            logout(request)
            return redirect("portal:sign_in")
        return view(request, *args, **kwargs)

    return wrapped


def signed_out_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages for people not signed in (sign in, register): a signed-in resident goes to their
    cases, and staff are told to use the staff console."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            if not is_resident(request.user):
                return _staff_told(request)
            return redirect("portal:cases")
        return view(request, *args, **kwargs)

    return wrapped
