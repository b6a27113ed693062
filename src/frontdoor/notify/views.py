from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from frontdoor.cases.selectors import case_get_for
from frontdoor.core.access import staff_required
from frontdoor.notify.selectors import case_outbound_message
from frontdoor.notify.services import outbound_message_retry


@staff_required
@require_POST
def message_send_again(request: HttpRequest, reference: str, channel: str, pk: int) -> HttpResponse:
    """ "Send again" for an email or text on a case that could not be sent: whoever may see
    the case may ask."""
    case = case_get_for(request.user, reference=reference)
    message = case_outbound_message(case, channel=channel, pk=pk)
    if outbound_message_retry(message=message, actor=request.user):
        messages.success(request, "Queued to send again: it goes in the next few seconds")
    else:
        messages.info(request, "That message is not waiting to be sent again")
    return redirect("console:case_detail", reference=case.reference)
