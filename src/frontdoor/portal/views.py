"""My Account and case tracking: each view is a selector, a form, one service call, a page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from frontdoor.cases.models import Case
from frontdoor.cases.selectors import (
    case_of_resident_get,
    case_timeline_for_customer,
    case_tracked,
    cases_of_resident,
)
from frontdoor.cases.services import case_customer_update_add
from frontdoor.core.formatting import time_in_words
from frontdoor.core.forms import errors_onto
from frontdoor.core.models import Council
from frontdoor.core.references import format_reference
from frontdoor.core.roles import is_resident
from frontdoor.core.signin import client_address
from frontdoor.notify.selectors import notification_preference_for
from frontdoor.portal import limits, wording
from frontdoor.portal.access import resident_required, signed_out_only
from frontdoor.portal.forms import (
    CaseUpdateForm,
    EmailForm,
    NewPasswordForm,
    NotificationsForm,
    RegisterForm,
    SignInForm,
    TrackForm,
)
from frontdoor.portal.selectors import resident_account_of, resident_customers
from frontdoor.portal.services import (
    LinkProblem,
    TooSoon,
    resident_confirmation_send,
    resident_email_confirm,
    resident_notifications_set,
    resident_password_reset_request,
    resident_register,
)

CASES_PER_PAGE = 20
# The cases this browser has found with /track/: reference to the email address it gave.
TRACKED = "portal:tracked"


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _base_url(request: HttpRequest) -> str:
    """Links in emails go to Frontdoor's configured address, never one taken from the
    request's Host header (which a caller chooses)."""
    return settings.FRONTDOOR_PUBLIC_URL


def _case_context(case: Case) -> dict[str, Any]:
    return {
        "case": case,
        "status": wording.status_of(case),
        "channel": wording.channel_of(case),
        "their_words": case.description if case.channel in wording.CUSTOMER_WRITTEN else "",
        "timeline": wording.timeline_of(case, case_timeline_for_customer(case)),
    }


@resident_required
def cases_list(request: HttpRequest) -> HttpResponse:
    account = resident_account_of(request.user)
    if account is None or not account.is_verified:
        return render(request, "portal/unconfirmed.html", {"account": account})
    page = Paginator(cases_of_resident(request.user), CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [
        {"case": case, "status": wording.status_of(case), "channel": wording.channel_of(case)}
        for case in page
    ]
    return render(
        request,
        "portal/cases.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "ellipsis": Paginator.ELLIPSIS,
            "rows": rows,
            "account": account,
        },
    )


@resident_required
@require_http_methods(["GET", "POST"])
def case_page(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_of_resident_get(request.user, reference=reference)
    max_bytes = settings.FRONTDOOR_MAX_UPLOAD_BYTES
    form = CaseUpdateForm(_posted(request), request.FILES or None, max_bytes=max_bytes)
    if form.is_bound and form.is_valid() and case.is_open:
        try:
            case_customer_update_add(
                case=case,
                author=request.user,
                text=form.cleaned_data["text"],
                upload=form.cleaned_data["upload"],
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, "Your update has been sent")
            return redirect("portal:case", reference=case.reference)
    return render(request, "portal/case.html", {**_case_context(case), "form": form})


@signed_out_only
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(_posted(request))
    if form.is_bound and form.is_valid():
        resident_register(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            base_url=_base_url(request),
        )
        request.session["portal:registered"] = form.cleaned_data["email"]
        return redirect("portal:check_email")
    return render(request, "portal/register.html", {"form": form})


def check_email(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/check_email.html", {"email": request.session.get("portal:registered")}
    )


@signed_out_only
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, _posted(request))
    if form.is_bound and form.is_valid():
        login(request, form.user)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("portal:cases")
        return redirect(target)
    return render(
        request,
        "portal/sign_in.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out")
    return redirect("portal:sign_in")


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link emailed to a new account. It works only once signed in to that account, so a
    stranger's click (or their mail scanner's) cannot confirm an address for someone else."""
    if not request.user.is_authenticated:
        messages.info(request, "Sign in to confirm your email address")
        return redirect_to_login(request.get_full_path(), reverse("portal:sign_in"))
    if not is_resident(request.user):
        return render(request, "portal/staff.html", status=403)
    try:
        resident_email_confirm(user=request.user, token=token)
    except LinkProblem as problem:
        return render(request, "portal/link_problem.html", {"problem": problem.code}, status=400)
    messages.success(request, "Your email address is confirmed")
    return redirect("portal:cases")


@resident_required
@require_POST
def confirmation_resend(request: HttpRequest) -> HttpResponse:
    account = resident_account_of(request.user)
    if account is None or account.is_verified:
        return redirect("portal:cases")
    try:
        resident_confirmation_send(account=account, base_url=_base_url(request))
    except TooSoon as wait:
        messages.info(
            request,
            "We have already sent you several links in the last hour. Check your email, "
            f"including spam or junk, or ask again after {time_in_words(wait.until)}.",
        )
    else:
        messages.success(request, f"We have sent a new link to {account.email}")
    return redirect("portal:cases")


@signed_out_only
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = EmailForm(_posted(request))
    if form.is_bound and form.is_valid():
        resident_password_reset_request(
            email=form.cleaned_data["email"], base_url=_base_url(request)
        )
        request.session["portal:reset_for"] = form.cleaned_data["email"]
        return redirect("portal:password_reset_sent")
    return render(request, "portal/password_reset.html", {"form": form})


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/password_reset_sent.html",
        {"email": request.session.get("portal:reset_for")},
    )


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's own: it moves the token out of the address bar before showing the form."""

    form_class = NewPasswordForm  # type: ignore[assignment]  # takes the user, as it does
    template_name = "portal/password_reset_confirm.html"
    post_reset_login = True
    post_reset_login_backend = "frontdoor.portal.backends.ResidentEmailBackend"
    success_url = reverse_lazy("portal:cases")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and is_resident(user) else None

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed")
        return response


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    example = format_reference(Council.current().reference_prefix, 2026, 4213)
    form = TrackForm(_posted(request), example=example)
    if form.is_bound and form.is_valid():
        reference = form.cleaned_data["reference"].strip().upper()
        address = client_address(request) or "unknown"
        email = form.cleaned_data["email"].strip().lower()
        until = (
            limits.limit_reached(limits.TRACK_FROM_ADDRESS, address)
            or limits.limit_reached(limits.TRACK_OF_REFERENCE, reference)
            or limits.limit_reached(limits.TRACK_FOR_EMAIL, email)
        )
        if until is not None:
            form.add_error(
                None,
                f"You have tried too many times. Wait until {time_in_words(until)}, then try again",
            )
            return render(request, "portal/track.html", {"form": form}, status=429)
        case = case_tracked(reference=reference, email=form.cleaned_data["email"])
        if case is None:
            limits.limit_hit(limits.TRACK_FROM_ADDRESS, address)
            limits.limit_hit(limits.TRACK_OF_REFERENCE, reference)
            limits.limit_hit(limits.TRACK_FOR_EMAIL, email)
            form.add_error(
                None,
                "We could not find a case with that reference and email address. Check both "
                "are as we gave them to you",
            )
        else:
            tracked = dict(list(request.session.get(TRACKED, {}).items())[-9:])
            tracked[case.reference] = form.cleaned_data["email"]
            request.session[TRACKED] = tracked
            return redirect("tracking:case", reference=case.reference)
    return render(request, "portal/track.html", {"form": form})


def tracked_case(request: HttpRequest, reference: str) -> HttpResponse:
    """A case found with /track/ in this browser, looked up again with the same email address;
    anything else is not found."""
    email = request.session.get(TRACKED, {}).get(reference)
    case = case_tracked(reference=reference, email=email) if email else None
    if case is None:
        raise Http404("Find the case with its reference and email address first")
    return render(request, "portal/tracked_case.html", _case_context(case))


@resident_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """How the resident is told about progress: by email, by text, or not at all."""
    account = resident_account_of(request.user)
    customers = resident_customers(request.user)
    if account is None or not account.is_verified:
        return render(request, "portal/unconfirmed.html", {"account": account})
    current = notification_preference_for(customers[0]) if customers else None
    form = NotificationsForm(
        _posted(request),
        initial={"by": current.by if current else None},
        email=current.email if current else account.email,
        mobile=current.mobile if current else "",
    )
    if customers and form.is_bound and form.is_valid():
        try:
            resident_notifications_set(
                user=request.user,
                by=form.cleaned_data["by"],
                mobile=form.cleaned_data.get("mobile", ""),
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, "We will tell you about progress the way you chose")
            return redirect("portal:notifications")
    return render(
        request, "portal/notifications.html", {"form": form, "has_cases": bool(customers)}
    )
