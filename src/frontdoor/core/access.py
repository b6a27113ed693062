from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from frontdoor.core.roles import staff_role

if TYPE_CHECKING:
    from frontdoor.directory.models import StaffMember


def staff_member(request: HttpRequest) -> "StaffMember":
    """The signed-in member of staff, in a view that staff_required guards."""
    member: StaffMember = request.user.staff_member  # type: ignore[union-attr]
    return member


def staff_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed-in staff only: others are sent to sign in; residents get 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if staff_role(request.user) is None:
            raise PermissionDenied("The staff console is for council staff.")
        return view(request, *args, **kwargs)

    return wrapped
