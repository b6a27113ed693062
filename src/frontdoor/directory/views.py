from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from frontdoor.core.access import staff_required
from frontdoor.core.forms import errors_onto
from frontdoor.directory.forms import AbsenceForm
from frontdoor.directory.selectors import (
    absence_get_for,
    absences_current,
    may_record_absence_of,
    may_record_absences,
    staff_whose_absence_may_be_recorded_by,
)
from frontdoor.directory.services import absence_end, absence_record


@staff_required
def absence_list(request: HttpRequest) -> HttpResponse:
    """Who is away now and soon: everyone in the console may look before passing work on."""
    now = timezone.now()
    rows = [
        {
            "absence": absence,
            "begun": absence.starts_at <= now,
            "mine_to_change": may_record_absence_of(request.user, absence.staff),
        }
        for absence in absences_current(at=now)
    ]
    return render(
        request,
        "directory/absence_list.html",
        {"rows": rows, "may_record": may_record_absences(request.user)},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def absence_new(request: HttpRequest) -> HttpResponse:
    if not may_record_absences(request.user):
        raise PermissionDenied("Team leaders and managers record absences.")
    recordable = staff_whose_absence_may_be_recorded_by(request.user)
    form = AbsenceForm(request.POST or None, recordable=recordable)
    if request.method == "POST" and form.is_valid():
        try:
            absence = absence_record(draft=form.draft(), actor=request.user)
        except ValidationError as error:
            errors_onto(form, error, renamed=AbsenceForm.SERVICE_FIELDS)
        else:
            messages.success(request, f"{absence.staff} is recorded as away")
            return redirect("console:absences")
    return render(request, "directory/absence_new.html", {"form": form})


@staff_required
@require_POST
def absence_finish(request: HttpRequest, absence_id: int) -> HttpResponse:
    absence = absence_get_for(request.user, absence_id=absence_id)
    absence_end(absence=absence, actor=request.user)
    messages.success(request, f"{absence.staff} is no longer recorded as away")
    return redirect("console:absences")
