"""GOV.UK Notify, through its official client (notifications-python-client).

The key is FRONTDOOR_NOTIFY_API_KEY (or _FILE); FRONTDOOR_NOTIFY_BASE_URL is Notify's own
address unless a test points it at a local stand-in. Which Notify template a message uses is
set in the admin (NotifyTemplate), per purpose and channel, with one for "any other message"
as the fallback. Every message is sent with the fields in PERSONALISATION_HELP.

Notify's answers decide what the outbox does next: 429 (too many requests) and 5xx (or no
answer at all) are worth trying again; any other refusal (400 bad request, 403 a key Notify
does not know) will be the same next time, so the message is given up on and staff see why.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from frontdoor.core.memo import ConfigMemo
from frontdoor.notify.models import NotifyTemplate, OutboundEmail, OutboundSMS

TIMEOUT_SECONDS = 15

# A Notify API key is "name-<service id>-<secret>", the two last parts UUIDs.
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_API_KEY = re.compile(rf"(?P<service_id>{_UUID})-(?P<secret>{_UUID})$")

PERSONALISATION_HELP = (
    "Every message is sent with these personalisation fields, so the Notify template may use "
    "any of them: ((subject)) and ((body)) (the council's own wording from Email templates: a "
    "Notify template of just ((body)) sends exactly that), ((reference)), ((customer_name)), "
    "((service)), ((department)), ((target_date)), ((scheduled_for)), ((what)), ((outcome)), "
    "((resolution)), ((reopen_by)), ((follow_url)), ((council_name)) and ((council_phone)). "
    "Fields that do not apply to a message are empty; on restricted cases only ((subject)), "
    "((body)), ((reference)), ((follow_url)), ((council_name)) and ((council_phone)) are filled."
)


class NotifyNotSetUp(Exception):
    """Notify cannot be used yet; the message says what is missing, for staff to see."""


def notify_configured() -> bool:
    return bool(settings.FRONTDOOR_NOTIFY_API_KEY.strip())


def notify_service_id(api_key: str) -> str:
    """The service id a key belongs to (the JWT's issuer), or NotifyNotSetUp if it is not
    shaped like a Notify key."""
    match = _API_KEY.search(api_key.strip())
    if match is None:
        raise NotifyNotSetUp(
            "FRONTDOOR_NOTIFY_API_KEY is not a GOV.UK Notify API key (copy the whole key "
            "from Notify's API integration page)."
        )
    return match["service_id"]


def _client() -> NotificationsAPIClient:
    api_key = settings.FRONTDOOR_NOTIFY_API_KEY.strip()
    if not api_key:
        raise NotifyNotSetUp("There is no GOV.UK Notify key (FRONTDOOR_NOTIFY_API_KEY).")
    notify_service_id(api_key)
    return NotificationsAPIClient(
        api_key, base_url=settings.FRONTDOOR_NOTIFY_BASE_URL, timeout=TIMEOUT_SECONDS
    )


_template_memo = ConfigMemo("notify templates", models=("notify.NotifyTemplate",))


def notify_template_id(*, purpose: str, channel: str) -> str:
    """The Notify template for this purpose on this channel, else the fallback one."""
    templates = _template_memo.get(
        "all",
        lambda: {(t.purpose, t.channel): str(t.template_id) for t in NotifyTemplate.objects.all()},
    )
    template_id = templates.get((purpose, channel)) or templates.get(("", channel))
    if template_id is None:
        label = NotifyTemplate.Channel(channel).label.lower()
        raise NotifyNotSetUp(
            f"No GOV.UK Notify {label} template is chosen for this message "
            "(admin: GOV.UK Notify templates)."
        )
    return template_id


def _strings(personalisation: dict[str, Any]) -> dict[str, str]:
    return {key: "" if value is None else str(value) for key, value in personalisation.items()}


def _send(call: str, *, purpose: str, channel: str, **arguments: Any) -> str:
    client = _client()  # first, so a missing key is what staff are told before all else
    try:
        template_id = notify_template_id(purpose=purpose, channel=channel)
        response = getattr(client, call)(template_id=template_id, **arguments)
    finally:
        client.request_session.close()
    return str(response["id"])


def notify_sms_send(*, sms: OutboundSMS) -> str:
    """Hand one text message to Notify; returns Notify's id for it. Raises NotifyNotSetUp,
    or Notify's APIError for the caller to judge (notify_error_permanent)."""
    return _send(
        "send_sms_notification",
        purpose=sms.purpose,
        channel=NotifyTemplate.Channel.SMS,
        phone_number=sms.to_number,
        personalisation=_strings(sms.personalisation | {"body": sms.body}),
        reference=f"frontdoor-sms-{sms.pk}",
    )


def notify_email_send(*, email: OutboundEmail) -> str:
    """Hand one email to Notify (FRONTDOOR_EMAIL_VIA=notify); returns Notify's id for it.
    Notify composes the message from its template, so our HTML and threading headers are not
    sent; replies still find the case by the reference in the subject."""
    fields = email.personalisation | {"subject": email.subject, "body": email.text_body}
    return _send(
        "send_email_notification",
        purpose=email.purpose,
        channel=NotifyTemplate.Channel.EMAIL,
        email_address=email.to_address,
        personalisation=_strings(fields),
        reference=f"frontdoor-email-{email.pk}",
    )


def notify_error_permanent(error: APIError) -> bool:
    """A refusal that sending again will not change: any 4xx but 429 (too many requests)."""
    return 400 <= error.status_code < 500 and error.status_code != 429


def notify_error_text(error: APIError) -> str:
    """Notify's answer as staff read it: "GOV.UK Notify refused it (400): BadRequestError: …"."""
    message = error.message
    if isinstance(message, list):
        message = "; ".join(
            f"{item.get('error', 'Error')}: {item.get('message', '')}"
            if isinstance(item, dict)
            else str(item)
            for item in message
        )
    return f"GOV.UK Notify answered {error.status_code}: {message}"
