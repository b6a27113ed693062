from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from frontdoor.core.access import staff_required
from frontdoor.intake.email.selectors import quarantine_visible_to, quarantined_email_get_for
from frontdoor.intake.email.services import email_reprocess

QUARANTINE_LIMIT = 200


@staff_required
def quarantine_list(request: HttpRequest) -> HttpResponse:
    emails = quarantine_visible_to(request.user)
    return render(
        request,
        "intake_email/quarantine.html",
        {
            "emails": emails[:QUARANTINE_LIMIT],
            "total": emails.count(),
        },
    )


@staff_required
@require_POST
def quarantine_reprocess(request: HttpRequest, email_id: int) -> HttpResponse:
    email = email_reprocess(email=quarantined_email_get_for(request.user, email_id=email_id))
    if email.status == email.Status.ACCEPTED and email.case:
        messages.success(request, f"Processed: it is now on case {email.case.reference}")
    else:
        messages.error(request, f"Still quarantined: {email.quarantine_reason}")
    return redirect("console:quarantine")
