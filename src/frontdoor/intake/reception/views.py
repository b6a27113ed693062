"""The front-desk screen (staff) and the waiting-room display (public, no sign-in)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontdoor.core.access import staff_required
from frontdoor.core.forms import whole_number
from frontdoor.customers.selectors import customers_visible_to
from frontdoor.directory.models import ContactPoint
from frontdoor.intake.reception.forms import TicketCallForm, TicketIssueForm
from frontdoor.intake.reception.selectors import (
    desk_get,
    desk_services,
    may_staff_reception,
    reception_desks,
    showing_key,
    ticket_get_for,
    ticket_held_by,
    ticket_last_finished_by,
    tickets_at_counters,
    tickets_waiting,
    wait_estimates,
)
from frontdoor.intake.reception.services import (
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    ticket_serve,
)

# Remembered for the member of staff between calls: where they sit, whom they just served.
COUNTER_KEY = "reception_counter"
FINISHED_KEY = "reception_finished_ticket"


def _front_desk(request: HttpRequest) -> None:
    if not may_staff_reception(request.user):
        raise PermissionDenied("The front desk is for advisors and team leaders.")


@staff_required
def desk_list(request: HttpRequest) -> HttpResponse:
    _front_desk(request)
    desks = list(reception_desks())
    if len(desks) == 1:
        return redirect("console:reception_desk", desk_id=desks[0].pk)
    return render(request, "reception/desk_list.html", {"desks": desks})


def _issue_form(request: HttpRequest, desk: ContactPoint, data: Any = None) -> TicketIssueForm:
    return TicketIssueForm(
        data,
        initial={"customer": request.GET.get("customer")},
        offered=desk_services(desk),
        customers=customers_visible_to(request.user),
    )


def _call_form(request: HttpRequest, desk: ContactPoint, data: Any = None) -> TicketCallForm:
    return TicketCallForm(
        data, offered=desk_services(desk), initial={"counter": request.session.get(COUNTER_KEY)}
    )


def _screen(
    request: HttpRequest,
    desk: ContactPoint,
    *,
    issue_form: TicketIssueForm,
    call_form: TicketCallForm,
) -> HttpResponse:
    errored = next((f for f in (issue_form, call_form) if f.errors), None)
    customer_id = whole_number(issue_form["customer"].value())
    customer = (
        customers_visible_to(request.user).filter(pk=customer_id).first()
        if customer_id is not None
        else None
    )
    return render(
        request,
        "reception/desk.html",
        {
            "desk": desk,
            "form": errored,  # the error summary and the page title say what went wrong
            "issue_form": issue_form,
            "call_form": call_form,
            "customer": customer,
            "held": ticket_held_by(request.user),
            "finished": ticket_last_finished_by(
                request.user, ticket_id=request.session.get(FINISHED_KEY)
            ),
            **_desk_now(desk),
        },
    )


def _desk_now(desk: ContactPoint) -> dict[str, Any]:
    now = timezone.now()
    waiting, at_counters = tickets_waiting(desk, now=now), tickets_at_counters(desk, now=now)
    showing = showing_key(
        [(w.ticket.pk, w.waited_seconds // 60) for w in waiting],
        [(t.pk, t.status, t.counter) for t in at_counters],
    )
    return {"waiting": waiting, "at_counters": at_counters, "showing": showing}


@staff_required
@require_http_methods(["GET", "POST"])
def desk_screen(request: HttpRequest, desk_id: int) -> HttpResponse:
    """The front desk: issue tickets (POST here), see who waits, call the next visitor."""
    _front_desk(request)
    desk = desk_get(desk_id=desk_id)
    issue_form = _issue_form(request, desk, request.POST if request.method == "POST" else None)
    if issue_form.is_bound and issue_form.is_valid():
        data = issue_form.cleaned_data
        try:
            ticket = ticket_issue(
                desk=desk,
                service=data["service"].service,
                actor=request.user,
                visitor_name=data["visitor_name"],
                customer=data["customer"],
            )
        except ValidationError as error:
            issue_form.add_error(None, error)
        else:
            messages.success(request, f"Ticket {ticket.code} issued for {ticket.service}")
            return redirect("console:reception_desk", desk_id=desk.pk)
    return _screen(request, desk, issue_form=issue_form, call_form=_call_form(request, desk))


@staff_required
@require_POST
def desk_call_next(request: HttpRequest, desk_id: int) -> HttpResponse:
    _front_desk(request)
    desk = desk_get(desk_id=desk_id)
    call_form = _call_form(request, desk, request.POST)
    if call_form.is_valid():
        counter = call_form.cleaned_data["counter"]
        request.session[COUNTER_KEY] = counter
        try:
            ticket = ticket_call_next(
                desk=desk, actor=request.user, counter=counter, service_ids=call_form.service_ids()
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if ticket is None:
                only = " for the services you chose" if call_form.service_ids() else ""
                messages.error(request, f"No one is waiting{only}.")
            else:
                request.session.pop(FINISHED_KEY, None)  # on to the next visitor
                messages.success(
                    request, f"Ticket {ticket.code} ({ticket.service}) called to {counter}"
                )
        return redirect("console:reception_desk", desk_id=desk.pk)
    return _screen(request, desk, issue_form=_issue_form(request, desk), call_form=call_form)


@staff_required
@require_GET
@never_cache
def desk_now(request: HttpRequest, desk_id: int) -> HttpResponse:
    """The waiting list and the counters, asked for every few seconds by the front-desk
    screen; empty (204) when nothing has changed."""
    _front_desk(request)
    desk = desk_get(desk_id=desk_id)
    now = _desk_now(desk)
    if request.GET.get("showing") == now["showing"]:
        return HttpResponse(status=204)
    return render(request, "reception/desk_now.html", {"desk": desk, **now})


TICKET_ACTIONS = {
    "serve": (ticket_serve, "{code}: you are serving them"),
    "finish": (ticket_finish, "{code} served: the visit is recorded"),
    "no-show": (ticket_no_show, "{code} marked as not here"),
}


@staff_required
@require_POST
def ticket_act(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    _front_desk(request)
    if action not in TICKET_ACTIONS:
        raise Http404("No such action")
    ticket = ticket_get_for(request.user, ticket_id=ticket_id)
    perform, done = TICKET_ACTIONS[action]
    try:
        ticket = perform(ticket=ticket, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(code=ticket.code))
        if action == "finish":
            request.session[FINISHED_KEY] = ticket.pk
    return redirect("console:reception_desk", desk_id=ticket.desk_id)


# --- The waiting-room display: public, no sign-in, no personal data ----------------------


def _display_now(desk: ContactPoint) -> dict[str, Any]:
    now = timezone.now()
    at_counters = tickets_at_counters(desk, now=now)
    waits = wait_estimates(desk, now=now)
    called = ",".join(str(t.pk) for t in at_counters)
    # The ids of the tickets at counters lead, so the next answer can tell which are new.
    showing = (
        called
        + ":"
        + showing_key(
            [(t.pk, t.status, t.counter) for t in at_counters],
            [(w.desk_service.pk, w.waiting, w.estimate_minutes) for w in waits],
        )
    )
    return {"desk": desk, "at_counters": at_counters, "waits": waits, "showing": showing}


def _newly_called(previous: str, at_counters: list[Any]) -> list[Any]:
    before = {whole_number(pk) for pk in previous.partition(":")[0].split(",")} - {None}
    return [t for t in reversed(at_counters) if t.pk not in before and t.status == t.Status.CALLED]


@require_GET
def display(request: HttpRequest, desk_id: int) -> HttpResponse:
    """The waiting-room screen: who is called to which counter, how many wait for each
    service and for about how long. Ticket numbers and counters only, never names."""
    context = _display_now(desk_get(desk_id=desk_id))
    # A member of staff may open it in their own browser: their messages wait for their
    # own screen, not this one.
    return render(request, "reception/display.html", {**context, "messages": ()})


@require_GET
@never_cache
def display_now(request: HttpRequest, desk_id: int) -> HttpResponse:
    """The live part of the display, asked for every few seconds; 204 when nothing changed.
    Tickets called since the last answer are announced in the page's polite live region."""
    now = _display_now(desk_get(desk_id=desk_id))
    previous = request.GET.get("showing", "")
    if previous == now["showing"]:
        return HttpResponse(status=204)
    announce = _newly_called(previous, now["at_counters"])
    return render(
        request, "reception/display_now.html", {**now, "announce": announce, "messages": ()}
    )
