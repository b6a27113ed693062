"""Queue outbound email and text messages and deliver them; how each customer wants to hear.

`email_queue` and `sms_queue` write the message in the caller's transaction and enqueue its
delivery only once that transaction commits, so a rollback never sends and a failure to send
never loses the case. `outbound_email_deliver` (run by the worker) hands an email to the SMTP
relay, or to GOV.UK Notify when FRONTDOOR_EMAIL_VIA is "notify"; `outbound_sms_deliver` hands
a text to Notify. On a temporary failure each tries again later with a growing wait: an
outage delays messages, loses none."""

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
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template import Context, Engine, Template
from django.utils import timezone
from notifications_python_client.errors import APIError

from frontdoor.cases.models import Case, Contact
from frontdoor.cases.services import case_note_add
from frontdoor.core.memo import ConfigMemo
from frontdoor.core.models import Council
from frontdoor.customers.models import Customer
from frontdoor.directory.models import ContactPoint
from frontdoor.notify import defaults
from frontdoor.notify.gov_notify import (
    NotifyNotSetUp,
    notify_configured,
    notify_email_send,
    notify_error_permanent,
    notify_error_text,
    notify_sms_send,
)
from frontdoor.notify.models import (
    EmailTemplate,
    NotificationPreference,
    OutboundAttachment,
    OutboundEmail,
    OutboundSMS,
)
from frontdoor.notify.relay import Relay, relay_parse
from frontdoor.notify.selectors import notification_preference_for

log = logging.getLogger(__name__)

# Waits between attempts: 1, 2, 4 … minutes, then every hour; give up after about two days.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 50
# How long a worker may hold a message while sending before another may try.
CLAIM_FOR = timedelta(minutes=5)
# A text that waited this long for Notify to be set up is stale news: it is not sent then.
SETUP_WAIT = timedelta(days=2)

_text_engine = Engine(autoescape=False)
_html_engine = Engine(autoescape=True)


def relay_configured() -> Relay | None:
    return relay_parse(settings.FRONTDOOR_SMTP_RELAY)


P = EmailTemplate.Purpose

DEFAULT_WORDING = {
    P.ACKNOWLEDGEMENT: (
        defaults.ACKNOWLEDGEMENT_SUBJECT,
        defaults.ACKNOWLEDGEMENT_TEXT,
        defaults.ACKNOWLEDGEMENT_HTML,
    ),
    P.FORM_CONFIRMATION: (
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
    P.CASE_FORWARDED: (
        defaults.CASE_FORWARDED_SUBJECT,
        defaults.CASE_FORWARDED_TEXT,
        defaults.CASE_FORWARDED_HTML,
    ),
    P.CASE_SCHEDULED: (
        defaults.CASE_SCHEDULED_SUBJECT,
        defaults.CASE_SCHEDULED_TEXT,
        defaults.CASE_SCHEDULED_HTML,
    ),
    P.CASE_RESOLVED: (
        defaults.CASE_RESOLVED_SUBJECT,
        defaults.CASE_RESOLVED_TEXT,
        defaults.CASE_RESOLVED_HTML,
    ),
    P.CASE_CLOSED: (
        defaults.CASE_CLOSED_SUBJECT,
        defaults.CASE_CLOSED_TEXT,
        defaults.CASE_CLOSED_HTML,
    ),
    P.CASE_UPDATE_NEUTRAL: (
        defaults.CASE_UPDATE_NEUTRAL_SUBJECT,
        defaults.CASE_UPDATE_NEUTRAL_TEXT,
        defaults.CASE_UPDATE_NEUTRAL_HTML,
    ),
}

# The text message wording of a purpose, while the council's template has none of its own.
DEFAULT_SMS_WORDING = {
    P.CASE_FORWARDED: defaults.CASE_FORWARDED_SMS,
    P.CASE_SCHEDULED: defaults.CASE_SCHEDULED_SMS,
    P.CASE_RESOLVED: defaults.CASE_RESOLVED_SMS,
    P.CASE_CLOSED: defaults.CASE_CLOSED_SMS,
    P.CASE_UPDATE_NEUTRAL: defaults.CASE_UPDATE_NEUTRAL_SMS,
}


_template_memo = ConfigMemo("email templates", models=("notify.EmailTemplate",))


def council_from_address(council: Council) -> str:
    """The address automatic emails come from when they answer no inbox of their own. Never
    a restricted service's inbox (social care), which would say what a message is about."""
    if council.email_from:
        return council.email_from
    inboxes = ContactPoint.objects.filter(
        kind=ContactPoint.Kind.EMAIL, status=ContactPoint.Status.ACTIVE
    ).exclude(service__restricted=True)
    inbox = (
        inboxes.filter(service__isnull=True)
        .order_by("pk")
        .values_list("address", flat=True)
        .first()
    ) or (inboxes.order_by("pk").values_list("address", flat=True).first())
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


def template_sms_render(template: EmailTemplate, context: dict[str, Any]) -> str:
    """The text message version of a council template (or ours, while it has none)."""
    source = template.sms or DEFAULT_SMS_WORDING.get(EmailTemplate.Purpose(template.purpose), "")
    text = _compiled(False, source).render(Context(context, autoescape=False))
    return " ".join(text.split())


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
    # For a GOV.UK Notify template (FRONTDOOR_EMAIL_VIA=notify): see NotifyTemplate.
    purpose: str = ""
    personalisation: dict[str, str] | None = None
    # Files sent with it: (file name, content type, content).
    attachments: Sequence[tuple[str, str, bytes]] = ()


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
    purpose: str = "",
    personalisation: dict[str, str] | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> OutboundEmail:
    """Put one email in the outbox: see emails_queue. attachments are (file name, content
    type, content)."""
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
        purpose=purpose,
        personalisation=personalisation,
        attachments=tuple(attachments),
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
            purpose=draft.purpose,
            personalisation=draft.personalisation or {},
            created_at=now,
            next_attempt_at=now,
        )
        for draft in drafts
    ]
    OutboundEmail.objects.bulk_create(emails)
    OutboundAttachment.objects.bulk_create(
        OutboundAttachment(
            email=email, filename=filename, content_type=content_type, content=content
        )
        for email, draft in zip(emails, drafts, strict=True)
        for filename, content_type, content in draft.attachments
    )
    transaction.on_commit(partial(_enqueue, [email.pk for email in emails], None))
    return emails


@transaction.atomic
def sms_queue(
    *,
    purpose: str,
    to_number: str,
    body: str,
    personalisation: dict[str, str] | None = None,
    case: Case | None = None,
    cause_key: str | None = None,
) -> OutboundSMS:
    """Put one text message in the outbox in the caller's transaction; the worker sends it
    through GOV.UK Notify once that transaction commits."""
    now = timezone.now()
    sms = OutboundSMS.objects.create(
        purpose=purpose,
        to_number=to_number,
        body=body,
        personalisation=personalisation or {},
        case=case,
        cause_key=cause_key,
        created_at=now,
        next_attempt_at=now,
    )
    transaction.on_commit(partial(_enqueue_sms, [sms.pk], None))
    return sms


def _enqueue(pks: list[int], run_after: datetime | None) -> None:
    from frontdoor.notify.tasks import outbound_emails_deliver

    _enqueue_task(outbound_emails_deliver, pks, run_after)


def _enqueue_sms(pks: list[int], run_after: datetime | None) -> None:
    from frontdoor.notify.tasks import outbound_sms_deliver_all

    _enqueue_task(outbound_sms_deliver_all, pks, run_after)


def _enqueue_task(task: Any, pks: list[int], run_after: datetime | None) -> None:
    try:
        if run_after is None:
            task.enqueue(pks)
        else:
            task.using(run_after=run_after).enqueue(pks)
    except Exception:
        # The outbox rows are the record; the sweep finds them and sends them anyway.
        log.exception("Could not enqueue delivery of outbound messages %s", pks)


Outbound = OutboundEmail | OutboundSMS


def _claim(model: type[Outbound], pk: int, now: datetime) -> bool:
    """Take the message for this worker, if it is due and nobody else is sending it."""
    return bool(
        model.objects.filter(pk=pk, status="queued")
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
    # (An email not yet in the outbox, being looked at, has none.)
    for attachment in email.attachments.order_by("pk") if email.pk else ():
        maintype, slash, subtype = attachment.content_type.partition("/")
        if not (slash and maintype and subtype):
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(
            bytes(attachment.content),
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
        )
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
    """Send one queued email through the relay, or through GOV.UK Notify when
    FRONTDOOR_EMAIL_VIA is "notify". Returns what happened, for the task log."""
    now = timezone.now()
    if not _claim(OutboundEmail, pk, now):
        return "not due, already sent, or being sent by another worker"
    email = OutboundEmail.objects.get(pk=pk)
    notify_id = ""
    # Notify builds each email from a template and cannot carry our files: mail with
    # attachments (scheduled reports, to staff) goes through the SMTP relay all the same.
    has_attachments = email.attachments.exists()
    if settings.FRONTDOOR_EMAIL_VIA == "notify" and not has_attachments:
        try:
            notify_id = notify_email_send(email=email)
        except NotifyNotSetUp as error:
            # Like a relay that is not set yet: the email waits, and goes once it is.
            return _failed(email, f"{error} The email waits.", now, permanent=False)
        except APIError as error:
            return _failed(
                email, notify_error_text(error), now, permanent=notify_error_permanent(error)
            )
    else:
        relay = relay_configured()
        try:
            if relay is None:
                raise ConnectionError(
                    "No relay is set (FRONTDOOR_SMTP_RELAY); the email waits."
                    if settings.FRONTDOOR_EMAIL_VIA != "notify"
                    else "GOV.UK Notify cannot send attachments, and no relay is set "
                    "(FRONTDOOR_SMTP_RELAY) to send this email through; it waits."
                )
            # Automatic replies go with a null return path so a bounce cannot start a loop.
            envelope_from = "" if email.auto_submitted else email.from_address
            relay.send(mime_message(email), envelope_from=envelope_from, to=[email.to_address])
        except (smtplib.SMTPException, OSError) as error:
            return _failed(email, f"{type(error).__name__}: {error}", now, _permanent(error))
    OutboundEmail.objects.filter(pk=pk).update(
        status=OutboundEmail.Status.SENT,
        sent_at=timezone.now(),
        attempts=email.attempts + 1,
        claimed_until=None,
        last_error="",
        notify_id=notify_id,
    )
    return f"sent to {email.to_address}"


def outbound_sms_deliver(*, pk: int) -> str:
    """Send one queued text message through GOV.UK Notify. Without a key (or a template for
    it) the message waits as "SMS is not set up", and the sweep sends it once Notify is."""
    now = timezone.now()
    if not _claim(OutboundSMS, pk, now):
        return "not due, already sent, or being sent by another worker"
    sms = OutboundSMS.objects.get(pk=pk)
    try:
        notify_id = notify_sms_send(sms=sms)
    except NotifyNotSetUp as error:
        OutboundSMS.objects.filter(pk=pk).update(
            status=OutboundSMS.Status.NOT_SET_UP, last_error=str(error), claimed_until=None
        )
        return f"waits: {error}"
    except APIError as error:
        return _failed(sms, notify_error_text(error), now, notify_error_permanent(error))
    OutboundSMS.objects.filter(pk=pk).update(
        status=OutboundSMS.Status.SENT,
        sent_at=timezone.now(),
        attempts=sms.attempts + 1,
        claimed_until=None,
        last_error="",
        notify_id=notify_id,
    )
    return f"sent to {sms.to_number} (Notify {notify_id})"


def _failed(message: Outbound, reason: str, now: datetime, permanent: bool) -> str:
    model = type(message)
    what = model._meta.verbose_name
    attempts = message.attempts + 1
    reason = reason[:2000]
    if permanent or attempts >= MAX_ATTEMPTS:
        model.objects.filter(pk=message.pk).update(
            status="failed", attempts=attempts, last_error=reason, claimed_until=None
        )
        log.warning("Gave up sending %s %s: %s", what, message.pk, reason)
        return f"gave up: {reason}"
    retry_at = now + _wait_after(attempts)
    model.objects.filter(pk=message.pk).update(
        attempts=attempts, last_error=reason, next_attempt_at=retry_at, claimed_until=None
    )
    enqueue = _enqueue if isinstance(message, OutboundEmail) else _enqueue_sms
    enqueue([message.pk], retry_at)
    log.info("%s %s not sent (%s); trying again at %s", what, message.pk, reason, retry_at)
    return f"will try again at {retry_at.isoformat()}: {reason}"


def outbox_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Deliver queued messages that are due but have no delivery running: after a worker
    died, or an enqueue failed; and texts that waited for Notify, once it is set up. Returns
    how many were tried."""
    now = now or timezone.now()
    if notify_configured():
        _sms_waiting_release(now)
    tried = 0
    for model, deliver in (
        (OutboundEmail, outbound_email_deliver),
        (OutboundSMS, outbound_sms_deliver),
    ):
        due = (
            # a minute's grace lets the task queue deliver it first
            model.objects.filter(status="queued", next_attempt_at__lte=now - timedelta(minutes=1))
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        for pk in list(due):
            deliver(pk=pk)
            tried += 1
    return tried


def _sms_waiting_release(now: datetime) -> None:
    """Texts that waited for Notify to be set up go now; those that waited too long are news
    gone stale, and are given up on, saying why."""
    waiting = OutboundSMS.objects.filter(status=OutboundSMS.Status.NOT_SET_UP)
    waiting.filter(created_at__lt=now - SETUP_WAIT).update(
        status=OutboundSMS.Status.FAILED,
        last_error="Not sent: SMS was still not set up two days after this message was queued.",
    )
    # due a minute ago, so the sweep that released them sends them at once
    waiting.filter(created_at__gte=now - SETUP_WAIT).update(
        status=OutboundSMS.Status.QUEUED, next_attempt_at=now - timedelta(minutes=1)
    )


def template_check(source: str) -> None:
    """Raise TemplateSyntaxError if council wording cannot be rendered."""
    _text_engine.from_string(source)


def outbound_email_retry(*, email: OutboundEmail) -> bool:
    """Queue mail that could not be sent to be tried again (after fixing the relay or the
    address). Returns False for mail that is not in that state."""
    return _retry(OutboundEmail, email.pk, _enqueue)


def outbound_sms_retry(*, sms: OutboundSMS) -> bool:
    """Queue a text message that could not be sent to be tried again. Returns False for one
    that is not in that state."""
    return _retry(OutboundSMS, sms.pk, _enqueue_sms)


@transaction.atomic
def _retry(model: type[Outbound], pk: int, enqueue: Any) -> bool:
    updated = model.objects.filter(pk=pk, status=model.Status.FAILED).update(
        status=model.Status.QUEUED, next_attempt_at=timezone.now(), attempts=0, last_error=""
    )
    if updated:
        transaction.on_commit(partial(enqueue, [pk], None))
    return bool(updated)


@transaction.atomic
def outbound_message_retry(*, message: Outbound, actor: Any) -> bool:
    """Staff's "Send again" on a case page, for an email or text that could not be sent. The
    case's timeline (staff's side of it) records who asked. False if it was not failed."""
    if isinstance(message, OutboundEmail):
        retried = outbound_email_retry(email=message)
        what = f"email to {message.to_address}"
    else:
        retried = outbound_sms_retry(sms=message)
        what = f"text message to {message.to_number}"
    if retried and message.case is not None:
        case_note_add(case=message.case, actor=actor, text=f"Asked for the {what} to be sent again")
    return retried


@transaction.atomic
def notification_preference_set(*, customer: Customer, by: str, actor: Any) -> None:
    """Record how the customer wants to hear about their cases: by email, by text message, or
    not at all (NotificationPreference.By). A way they have no address or UK mobile for is
    refused, saying what to add."""
    if by not in NotificationPreference.By.values:
        raise ValidationError({"by": "Choose how to be told about progress"})
    choice = notification_preference_for(customer)
    if by == NotificationPreference.By.EMAIL and not choice.email:
        raise ValidationError(
            {"by": "There is no email address to write to. Add one first, or choose another way"}
        )
    if by == NotificationPreference.By.SMS and not choice.mobile:
        raise ValidationError(
            {"by": "There is no UK mobile number to text. Add one first, or choose another way"}
        )
    NotificationPreference.objects.update_or_create(
        customer=customer, defaults={"by": by, "updated_at": timezone.now(), "updated_by": actor}
    )
