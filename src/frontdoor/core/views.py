from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from frontdoor.cases.selectors import cases_assigned_to, department_inbox
from frontdoor.core.access import staff_member, staff_required
from frontdoor.core.roles import staff_role
from frontdoor.routing.services import advisor_sign_out

HOME_LIST_LIMIT = 10


def home(request: HttpRequest) -> HttpResponse:
    if staff_role(request.user) is not None:
        return redirect("console:home")
    return render(request, "home.html")


@staff_required
def console_home(request: HttpRequest) -> HttpResponse:
    mine = cases_assigned_to(request.user)
    inbox = department_inbox(request.user)
    return render(
        request,
        "console/home.html",
        {
            "my_cases": mine[:HOME_LIST_LIMIT],
            "my_total": mine.count(),
            "inbox": inbox[:HOME_LIST_LIMIT],
            "inbox_total": inbox.count(),
            "department": staff_member(request).department,
        },
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out; an advisor's held work goes back to the queue in its place first."""
    if request.user.is_authenticated:
        advisor_sign_out(user=request.user)
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)
