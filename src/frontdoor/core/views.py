from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from frontdoor.core.access import staff_required
from frontdoor.core.roles import staff_role


def home(request: HttpRequest) -> HttpResponse:
    if staff_role(request.user) is not None:
        return redirect("console:home")
    return render(request, "home.html")


@staff_required
def console_home(request: HttpRequest) -> HttpResponse:
    return redirect("console:customer_search")
