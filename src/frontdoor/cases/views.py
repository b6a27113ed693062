from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from frontdoor.cases import services
from frontdoor.cases.forms import (
    EXISTING_CASE,
    AwaitCustomerForm,
    ContactLogForm,
    EmptyForm,
    ForwardForm,
    ReopenForm,
    ReplyForm,
    ResolveForm,
    TextForm,
)
from frontdoor.cases.models import OPEN_STATUSES, Contact
from frontdoor.cases.selectors import (
    case_actions_for,
    case_file_get,
    case_get_for,
    case_timeline,
    cases_assigned_to,
    cases_visible_to,
    customer_cases,
    department_inbox,
)
from frontdoor.core.access import staff_member, staff_required
from frontdoor.customers.selectors import customer_get_for
from frontdoor.intake.email.selectors import case_emails
from frontdoor.intake.email.services import email_reply
from frontdoor.notify.selectors import case_outbound_emails, case_outbound_sms

LIST_LIMIT = 100


@staff_required
@require_http_methods(["GET", "POST"])
def contact_log(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_get_for(request.user, customer_id=customer_id)
    open_cases = customer_cases(request.user, customer_id=customer.pk).filter(
        status__in=OPEN_STATUSES
    )
    follow_up = request.GET.get("case")
    initial = {}
    if follow_up and open_cases.filter(reference=follow_up).exists():
        initial = {"case_choice": EXISTING_CASE, "existing_case": follow_up}
    form = ContactLogForm(_posted(request), open_cases=open_cases, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            contact = services.contact_record(
                customer=customer, actor=request.user, **form.contact_fields()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _after_contact_logged(request, contact)
    return render(request, "cases/contact_log.html", {"form": form, "customer": customer})


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _after_contact_logged(request: HttpRequest, contact: Contact) -> HttpResponse:
    case = contact.case
    if case is None:
        messages.success(request, "Contact logged")
    elif cases_visible_to(request.user).filter(pk=case.pk).exists():
        messages.success(request, f"Contact logged on case {case.reference}")
        return redirect("console:case_detail", reference=case.reference)
    else:
        messages.success(
            request, f"Case {case.reference} sent to {case.department}, who handle this service"
        )
    return redirect("console:customer_detail", customer_id=contact.customer_id)


@staff_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_get_for(request.user, reference=reference)
    services.restricted_case_view_record(case=case, viewer=request.user)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "timeline": case_timeline(case).prefetch_related("files"),
            "actions": case_actions_for(request.user, case),
            "note_form": TextForm(),
            "emails": case_emails(case),
            "sent_emails": case_outbound_emails(case),
            "sent_sms": case_outbound_sms(case),
        },
    )


@staff_required
def case_file_download(request: HttpRequest, reference: str, file_id: int) -> FileResponse:
    """A file sent on the case, to those who may see the case. Always as a download, under
    the name it was sent with (made safe), never shown in the console's own pages."""
    case = case_get_for(request.user, reference=reference)
    services.restricted_case_view_record(case=case, viewer=request.user)
    sent = case_file_get(case, file_id=file_id)
    try:
        stream = sent.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from the file store") from None
    return FileResponse(
        stream, as_attachment=True, filename=sent.name, content_type=sent.content_type
    )


@dataclass(frozen=True)
class CaseAction:
    title: str
    form: type[forms.Form]
    perform: Callable[..., Any]
    done: str
    button: str


def _forward(case: Any, user: Any, data: dict) -> Any:
    return services.case_forward(
        case=case,
        actor=user,
        department=data["department"],
        reason=data["reason"],
        officer=data.get("officer"),
    )


ACTIONS: dict[str, CaseAction] = {
    "start": CaseAction(
        "Start work on the case",
        EmptyForm,
        lambda case, user, data: services.case_start(case=case, actor=user),
        "Case started",
        "Start work",
    ),
    "accept": CaseAction(
        "Take the case",
        EmptyForm,
        lambda case, user, data: services.case_accept(case=case, actor=user),
        "Case taken: it is now in your cases",
        "Take case",
    ),
    "forward": CaseAction(
        "Forward the case to a department", ForwardForm, _forward, "Case forwarded", "Forward case"
    ),
    "resolve": CaseAction(
        "Resolve the case",
        ResolveForm,
        lambda case, user, data: services.case_resolve(
            case=case, actor=user, outcome=data["outcome"], note=data["note"]
        ),
        "Case resolved",
        "Resolve case",
    ),
    "await_customer": CaseAction(
        "Wait for the customer",
        AwaitCustomerForm,
        lambda case, user, data: services.case_await_customer(
            case=case, actor=user, text=data["text"]
        ),
        "Case is waiting for the customer",
        "Save",
    ),
    "close": CaseAction(
        "Close the case",
        EmptyForm,
        lambda case, user, data: services.case_close(case=case, actor=user),
        "Case closed",
        "Close case",
    ),
    "reopen": CaseAction(
        "Reopen the case",
        ReopenForm,
        lambda case, user, data: services.case_reopen(case=case, actor=user, reason=data["reason"]),
        "Case reopened",
        "Reopen case",
    ),
    "email_reply": CaseAction(
        "Reply by email",
        ReplyForm,
        lambda case, user, data: email_reply(case=case, actor=user, text=data["text"]),
        "Reply queued: it is sent in the next few seconds",
        "Send reply",
    ),
    "note": CaseAction(
        "Add a note",
        TextForm,
        lambda case, user, data: services.case_note_add(case=case, actor=user, text=data["text"]),
        "Note added",
        "Add note",
    ),
}


@staff_required
@require_http_methods(["GET", "POST"])
def case_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    case = case_get_for(request.user, reference=reference)
    services.restricted_case_view_record(case=case, viewer=request.user)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("No such action")
    if action not in case_actions_for(request.user, case):
        messages.error(request, f"You cannot {spec.title.lower()} now.")
        return redirect("console:case_detail", reference=case.reference)
    form = spec.form(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            spec.perform(case, request.user, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, spec.done)
            return redirect("console:case_detail", reference=case.reference)
    return render(request, "cases/action.html", {"case": case, "form": form, "spec": spec})


@staff_required
def my_cases(request: HttpRequest) -> HttpResponse:
    cases = cases_assigned_to(request.user)
    return render(
        request,
        "cases/list.html",
        {
            "title": "My cases",
            "cases": cases[:LIST_LIMIT],
            "total": cases.count(),
        },
    )


@staff_required
def department_inbox_view(request: HttpRequest) -> HttpResponse:
    member = staff_member(request)
    if member.department_id is None:
        raise Http404("You are not in a department")
    cases = department_inbox(request.user)
    return render(
        request,
        "cases/list.html",
        {
            "title": f"{member.department} inbox",
            "cases": cases[:LIST_LIMIT],
            "total": cases.count(),
        },
    )
