"""Contact-point hygiene in the staff console: every phone number, inbox and form with when it
was last used and its contacts over twelve months, the unused ones flagged, and (for managers
and administrators) marking them for review, retiring them or bringing them back."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from frontdoor.core.access import staff_required
from frontdoor.directory.models import ContactPoint
from frontdoor.directory.services import contact_point_status_set, contact_points_review_mark
from frontdoor.reporting.selectors import (
    UNUSED_AFTER,
    contact_point_inventory,
    contact_points_unused,
    may_retire_contact_points,
    may_see_dashboards,
)

DONE = {
    ContactPoint.Status.ACTIVE: "brought back into use",
    ContactPoint.Status.UNDER_REVIEW: "marked for review",
    ContactPoint.Status.RETIRED: "retired: its history is kept",
}


class ContactPointFilterForm(forms.Form):
    kind = forms.ChoiceField(
        required=False, choices=[("", "All kinds"), *ContactPoint.Kind.choices], label="Kind"
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "All statuses"), *ContactPoint.Status.choices],
        label="Status",
    )
    unused = forms.BooleanField(required=False, label="Only those unused for 12 months")


def _may_read(request: HttpRequest) -> None:
    if not may_see_dashboards(request.user):
        raise PermissionDenied("Contact points are for team leaders, managers and administrators.")


def _may_change(request: HttpRequest) -> None:
    if not may_retire_contact_points(request.user):
        raise PermissionDenied("Managers and administrators retire contact points.")


def _back(request: HttpRequest) -> HttpResponse:
    """To the list as it was filtered (the filters ride along in the form, re-encoded, so
    only a query string on this page can come of them)."""
    query = QueryDict(request.POST.get("filters", "")).urlencode()
    url = reverse("console:contact_points")
    return redirect(f"{url}?{query}" if query else url)


@staff_required
@require_safe
def contact_point_list(request: HttpRequest) -> HttpResponse:
    _may_read(request)
    form = ContactPointFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = contact_point_inventory(
        since=timezone.now() - UNUSED_AFTER,
        kind=chosen.get("kind") or None,
        status=chosen.get("status") or None,
        unused_only=bool(chosen.get("unused")),
    )
    return render(
        request,
        "reporting/contact_points.html",
        {
            "form": form,
            "rows": rows,
            "unused_count": sum(1 for row in rows if row.unused),
            "may_change": may_retire_contact_points(request.user),
            "filters": request.GET.urlencode(),
            "statuses": ContactPoint.Status,
        },
    )


@staff_required
@require_POST
def contact_point_status(request: HttpRequest, point_id: int) -> HttpResponse:
    _may_change(request)
    point = get_object_or_404(ContactPoint, pk=point_id)
    status = request.POST.get("status", "")
    try:
        point = contact_point_status_set(contact_point=point, status=status, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request)
    done = f"{point.name} {DONE[ContactPoint.Status(status)]}"
    if status == ContactPoint.Status.RETIRED and point.kind == ContactPoint.Kind.EMAIL:
        # Intake refuses mail for a retired inbox (the sender is told it was not delivered).
        done += f". Mail sent to {point.address} is now refused, so its senders are told"
    messages.success(request, done)
    return _back(request)


@staff_required
@require_POST
def contact_points_unused_review(request: HttpRequest) -> HttpResponse:
    _may_change(request)
    unused = contact_points_unused(since=timezone.now() - UNUSED_AFTER)
    marked = contact_points_review_mark(points=unused, actor=request.user)
    if marked:
        noun = "contact point" if marked == 1 else "contact points"
        messages.success(request, f"{marked} unused {noun} marked for review")
    else:
        messages.success(request, "No active contact point is unused: none was marked for review")
    return _back(request)
