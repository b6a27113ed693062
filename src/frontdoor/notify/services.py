"""Queue outbound email and deliver it.

`email_queue` writes the message in the caller's transaction and enqueues its delivery only
once that transaction commits, so a rollback never sends and a failure to send never loses
the case. `outbound_email_deliver` (run by the worker) hands it to the SMTP relay, and on a
temporary failure tries again later with a growing wait: an outage delays mail, loses none."""

from __future__ import annotations

import functools
import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template import Context, Engine, Template
from django.utils import timezone

from frontdoor.cases.models import Case, Contact
from frontdoor.core.memo import ConfigMemo
from frontdoor.core.models import Council
from frontdoor.directory.models import ContactPoint
from frontdoor.notify import defaults
from frontdoor.notify.models import EmailTemplate, OutboundEmail
from frontdoor.notify.relay import Relay, relay_parse

log = logging.getLogger(__name__)

# Waits between attempts: 1, 2, 4 … minutes, then every hour; give up after about two days.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 50
# How long a worker may hold a message while sending before another may try.
CLAIM_FOR = timedelta(minutes=5)

_text_engine = Engine(autoescape=False)
_html_engine = Engine(autoescape=True)


def relay_configured() -> Relay | None:
    return relay_parse(settings.FRONTDOOR_SMTP_RELAY)


DEFAULT_WORDING = {
    EmailTemplate.Purpose.ACKNOWLEDGEMENT: (
        defaults.ACKNOWLEDGEMENT_SUBJECT,
        defaults.ACKNOWLEDGEMENT_TEXT,
        defaults.ACKNOWLEDGEMENT_HTML,
    ),
    EmailTemplate.Purpose.FORM_CONFIRMATION: (
        defaults.FORM_CONFIRMATION_SUBJECT,
        defaults.FORM_CONFIRMATION_TEXT,
        defaults.FORM_CONFIRMATION_HTML,
    ),
    EmailTemplate.Purpose.ACCOUNT_VERIFICATION: (
        defaults.ACCOUNT_VERIFICATION_SUBJECT,
        defaults.ACCOUNT_VERIFICATION_TEXT,
        defaults.ACCOUNT_VERIFICATION_HTML,
    ),
    EmailTemplate.Purpose.PASSWORD_RESET: (
        defaults.RESET_LINK_SUBJECT,
        defaults.RESET_LINK_TEXT,
        defaults.RESET_LINK_HTML,
    ),
}


_template_memo = ConfigMemo("email templates", models=("notify.EmailTemplate",))


def council_from_address(council: Council) -> str:
    """The address automatic emails come from when they answer no inbox of their own."""
    if council.email_from:
        return council.email_from
    inbox = (
        ContactPoint.objects.filter(
            kind=ContactPoint.Kind.EMAIL, status=ContactPoint.Status.ACTIVE, service__isnull=True
        )
        .order_by("pk")
        .values_list("address", flat=True)
        .first()
    ) or (
        ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL, status=ContactPoint.Status.ACTIVE)
        .order_by("pk")
        .values_list("address", flat=True)
        .first()
    )
    return inbox or settings.DEFAULT_FROM_EMAIL


def template_for(*, purpose: str, contact_point_id: int | None) -> EmailTemplate:
    """The inbox's own wording for this purpose, else the council-wide one, else ours."""
    return _template_memo.get(
        (purpose, contact_point_id), lambda: _template_load(purpose, contact_point_id)
    )


def _template_load(purpose: str, contact_point_id: int | None) -> EmailTemplate:
    templates = EmailTemplate.objects.filter(purpose=purpose).filter(
        Q(contact_point_id=contact_point_id) | Q(contact_point__isnull=True)
    )
    chosen = min(templates, key=lambda t: t.contact_point_id is None, default=None)
    if chosen is None:
        subject, text, html = DEFAULT_WORDING[EmailTemplate.Purpose(purpose)]
        chosen = EmailTemplate(purpose=purpose, subject=subject, text=text, html=html)
    return chosen


def template_render(template: EmailTemplate, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) from a council template. A syntax error surfaces when the
    template is saved (see notify.forms), so here it is a bug and raises."""
    subject = _compiled(False, template.subject).render(Context(context, autoescape=False))
    text = _compiled(False, template.text).render(Context(context, autoescape=False))
    html = _compiled(True, template.html).render(Context(context)) if template.html else ""
    return " ".join(subject.split()), text.strip() + "\n", html


@functools.lru_cache(maxsize=128)
def _compiled(html: bool, source: str) -> Template:
    return (_html_engine if html else _text_engine).from_string(source)


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "frontdoor.invalid"


@dataclass(frozen=True)
class EmailDraft:
    """One email to put in the outbox."""

    kind: str
    from_address: str
    to_address: str
    subject: str
    text_body: str
    html_body: str = ""
    from_name: str = ""
    case: Case | None = None
    contact: Contact | None = None
    in_reply_to: str = ""
    references: str = ""
    auto_submitted: bool = False
    # What caused it (e.g. "ack:<inbox>:<message>"): the outbox takes one email per cause.
    cause_key: str | None = None
    sent_by: Any = None


def email_queue(
    *,
    kind: str,
    from_address: str,
    to_address: str,
    subject: str,
    text_body: str,
    html_body: str = "",
    from_name: str = "",
    case: Case | None = None,
    contact: Contact | None = None,
    in_reply_to: str = "",
    references: str = "",
    auto_submitted: bool = False,
    cause_key: str | None = None,
    sent_by: Any = None,
) -> OutboundEmail:
    """Put one email in the outbox: see emails_queue."""
    draft = EmailDraft(
        kind=kind,
        from_address=from_address,
        to_address=to_address,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        from_name=from_name,
        case=case,
        contact=contact,
        in_reply_to=in_reply_to,
        references=references,
        auto_submitted=auto_submitted,
        cause_key=cause_key,
        sent_by=sent_by,
    )
    (email,) = emails_queue(drafts=[draft])
    return email


@transaction.atomic
def emails_queue(*, drafts: Sequence[EmailDraft]) -> list[OutboundEmail]:
    """Put emails in the outbox in the caller's transaction; their delivery is enqueued (one
    task for them all) only once that transaction commits."""
    if not drafts:
        return []
    now = timezone.now()
    emails = [
        OutboundEmail(
            kind=draft.kind,
            case=draft.case,
            contact=draft.contact,
            cause_key=draft.cause_key,
            sent_by=draft.sent_by,
            from_address=draft.from_address,
            from_name=draft.from_name,
            to_address=draft.to_address,
            subject=draft.subject[:500],
            text_body=draft.text_body,
            html_body=draft.html_body,
            message_id=make_msgid(domain=_domain(draft.from_address)),
            in_reply_to=draft.in_reply_to,
            references=draft.references,
            auto_submitted=draft.auto_submitted,
            created_at=now,
            next_attempt_at=now,
        )
        for draft in drafts
    ]
    OutboundEmail.objects.bulk_create(emails)
    transaction.on_commit(partial(_enqueue, [email.pk for email in emails], None))
    return emails


def _enqueue(pks: list[int], run_after: datetime | None) -> None:
    from frontdoor.notify.tasks import outbound_emails_deliver

    try:
        if run_after is None:
            outbound_emails_deliver.enqueue(pks)
        else:
            outbound_emails_deliver.using(run_after=run_after).enqueue(pks)
    except Exception:
        # The outbox rows are the record; the sweep finds them and sends them anyway.
        log.exception("Could not enqueue delivery of outbound emails %s", pks)


def _claim(pk: int, now: datetime) -> bool:
    """Take the message for this worker, if it is due and nobody else is sending it."""
    return bool(
        OutboundEmail.objects.filter(pk=pk, status=OutboundEmail.Status.QUEUED)
        .filter(next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM_FOR)
    )


def mime_message(email: OutboundEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((email.from_name, email.from_address))
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(timezone.localtime(email.created_at))
    message["Message-ID"] = email.message_id
    if email.in_reply_to:
        message["In-Reply-To"] = email.in_reply_to
    if email.references:
        message["References"] = email.references
    if email.auto_submitted:
        # RFC 3834: an automatic reply; well-behaved responders do not answer it.
        message["Auto-Submitted"] = "auto-replied"
        message["X-Auto-Response-Suppress"] = "All"
    message.set_content(email.text_body)
    if email.html_body:
        message.add_alternative(email.html_body, subtype="html")
    return message


def _wait_after(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 10), LONGEST_WAIT)


def _permanent(error: Exception) -> bool:
    """A refusal that sending again will not change (5xx for the recipient or the message)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPSenderRefused)
    return False


def outbound_email_deliver(*, pk: int) -> str:
    """Send one queued email through the relay. Returns what happened, for the task log."""
    now = timezone.now()
    if not _claim(pk, now):
        return "not due, already sent, or being sent by another worker"
    email = OutboundEmail.objects.get(pk=pk)
    relay = relay_configured()
    try:
        if relay is None:
            raise ConnectionError("No relay is set (FRONTDOOR_SMTP_RELAY); the email waits.")
        # Automatic replies go with a null return path so a bounce cannot start a loop.
        envelope_from = "" if email.auto_submitted else email.from_address
        relay.send(mime_message(email), envelope_from=envelope_from, to=[email.to_address])
    except (smtplib.SMTPException, OSError) as error:
        return _failed(email, error, now)
    OutboundEmail.objects.filter(pk=pk).update(
        status=OutboundEmail.Status.SENT,
        sent_at=timezone.now(),
        attempts=email.attempts + 1,
        claimed_until=None,
        last_error="",
    )
    return f"sent to {email.to_address}"


def _failed(email: OutboundEmail, error: Exception, now: datetime) -> str:
    attempts = email.attempts + 1
    reason = f"{type(error).__name__}: {error}"[:2000]
    if _permanent(error) or attempts >= MAX_ATTEMPTS:
        OutboundEmail.objects.filter(pk=email.pk).update(
            status=OutboundEmail.Status.FAILED,
            attempts=attempts,
            last_error=reason,
            claimed_until=None,
        )
        log.warning("Gave up sending outbound email %s: %s", email.pk, reason)
        return f"gave up: {reason}"
    retry_at = now + _wait_after(attempts)
    OutboundEmail.objects.filter(pk=email.pk).update(
        attempts=attempts, last_error=reason, next_attempt_at=retry_at, claimed_until=None
    )
    _enqueue([email.pk], retry_at)
    log.info("Outbound email %s not sent (%s); trying again at %s", email.pk, reason, retry_at)
    return f"will try again at {retry_at.isoformat()}: {reason}"


def outbox_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Deliver queued mail that is due but has no delivery running: after a worker died, or
    an enqueue failed. Returns how many were tried."""
    now = now or timezone.now()
    due = (
        # a minute's grace lets the task queue deliver it first
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now - timedelta(minutes=1)
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    tried = 0
    for pk in list(due):
        outbound_email_deliver(pk=pk)
        tried += 1
    return tried


def template_check(source: str) -> None:
    """Raise TemplateSyntaxError if council wording cannot be rendered."""
    _text_engine.from_string(source)


@transaction.atomic
def outbound_email_retry(*, email: OutboundEmail) -> bool:
    """Queue mail that could not be sent to be tried again (after fixing the relay or the
    address). Returns False for mail that is not in that state."""
    now = timezone.now()
    updated = OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.FAILED).update(
        status=OutboundEmail.Status.QUEUED, next_attempt_at=now, attempts=0, last_error=""
    )
    if updated:
        transaction.on_commit(partial(_enqueue, [email.pk], None))
    return bool(updated)
