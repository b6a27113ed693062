"""The one intake pipeline for email: SMTP, IMAP and folder imports all call email_receive.

A message is stored once per inbox (unique on its Message-ID or a hash of its bytes) in the
same transaction as its customer, case and contact, so a re-delivery or a racing second
receiver finds it already there and changes nothing."""

from __future__ import annotations

import functools
import logging
import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from frontdoor.cases.models import Case, Channel, Contact
from frontdoor.cases.services import CaseDraft, case_reopen, contact_record
from frontdoor.core.models import Council
from frontdoor.customers.services import customer_for_email
from frontdoor.directory.models import ContactPoint
from frontdoor.intake.email.acknowledgement import acknowledgement_queue
from frontdoor.intake.email.models import EmailAttachment, InboundEmail
from frontdoor.intake.email.parsing import (
    ParsedEmail,
    Unparseable,
    email_parse,
    message_key,
    quoted_history_split,
)
from frontdoor.notify.models import OutboundEmail
from frontdoor.notify.selectors import case_for_sent_message_ids
from frontdoor.notify.services import email_queue
from frontdoor.routing.matching import MailFacts
from frontdoor.routing.selectors import rule_for
from frontdoor.routing.services import routing_apply

log = logging.getLogger(__name__)


def inbox_for_address(address: str) -> ContactPoint | None:
    """The council inbox that takes mail for this address, if it is one that is not retired."""
    return (
        ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL, address__iexact=address.strip())
        .exclude(status=ContactPoint.Status.RETIRED)
        .select_related("service__sla_policy", "service__department")
        .first()
    )


def email_receive(
    *,
    raw: bytes,
    contact_point: ContactPoint,
    source: str,
    envelope_from: str | None = None,
) -> InboundEmail:
    """Keep the message and turn it into a contact on a case, or quarantine it with the reason.

    Returns the stored message; for a message this inbox already has, the one stored before."""
    key = message_key(raw)
    stored = InboundEmail.objects.filter(contact_point=contact_point, message_key=key).first()
    if stored is not None:
        return stored
    try:
        parsed: ParsedEmail | None = _parse(raw, envelope_from)
        reason = ""
    except Unparseable as error:
        parsed, reason = None, str(error)
    try:
        with transaction.atomic():
            email = _store(raw, key, contact_point, source, parsed, reason)
            if parsed is not None:
                _process(email, parsed)
            return email
    except IntegrityError:
        # Another receiver stored the same message first; what it stored stands.
        stored = InboundEmail.objects.filter(contact_point=contact_point, message_key=key).first()
        if stored is None:
            raise
        return stored


@transaction.atomic
def email_reprocess(*, email: InboundEmail) -> InboundEmail:
    """Try a quarantined message again (after a fix to the parser or the configuration)."""
    email = InboundEmail.objects.select_for_update().get(pk=email.pk)
    if email.status != InboundEmail.Status.QUARANTINED:
        return email
    try:
        parsed = _parse(bytes(email.raw), None)
    except Unparseable as error:
        email.quarantine_reason = str(error)
        email.save(update_fields=["quarantine_reason"])
        return email
    _fill(email, parsed)
    email.status = InboundEmail.Status.ACCEPTED
    email.quarantine_reason = ""
    email.save()
    _attachments_store(email, parsed)
    _process(email, parsed)
    return email


def _parse(raw: bytes, envelope_from: str | None) -> ParsedEmail:
    return email_parse(
        raw,
        envelope_from=envelope_from,
        max_bytes=settings.FRONTDOOR_MAX_MESSAGE_BYTES,
        max_attachment_bytes=settings.FRONTDOOR_MAX_ATTACHMENT_BYTES,
    )


def _store(
    raw: bytes,
    key: str,
    contact_point: ContactPoint,
    source: str,
    parsed: ParsedEmail | None,
    reason: str,
) -> InboundEmail:
    email = InboundEmail(
        contact_point=contact_point,
        message_key=key,
        source=source,
        raw=raw,
        size=len(raw),
        received_at=timezone.now(),
        status=InboundEmail.Status.QUARANTINED if parsed is None else InboundEmail.Status.ACCEPTED,
        quarantine_reason=reason,
    )
    if parsed is not None:
        _fill(email, parsed)
    email.save()
    if parsed is not None:
        _attachments_store(email, parsed)
    return email


def _fill(email: InboundEmail, parsed: ParsedEmail) -> None:
    email.message_id = parsed.message_id
    email.from_address = parsed.from_address
    email.from_name = parsed.from_name
    email.subject = parsed.subject
    email.sent_at = parsed.sent_at
    email.in_reply_to = " ".join(parsed.in_reply_to)
    email.references = " ".join(parsed.references)
    email.text_body = parsed.text_body
    email.html_body = parsed.html_body
    email.auto_reply_reason = parsed.auto_reply_reason


def _attachments_store(email: InboundEmail, parsed: ParsedEmail) -> None:
    EmailAttachment.objects.bulk_create(
        EmailAttachment(
            email=email,
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            content=a.content,
            content_id=a.content_id,
            inline=a.inline,
            omitted_reason=a.omitted_reason,
        )
        for a in parsed.attachments
    )


def _quarantine(email: InboundEmail, reason: str) -> None:
    email.status = InboundEmail.Status.QUARANTINED
    email.quarantine_reason = reason
    email.save(update_fields=["status", "quarantine_reason"])


def _process(email: InboundEmail, parsed: ParsedEmail) -> None:
    inbox = email.contact_point
    customer = customer_for_email(address=parsed.from_address, name=parsed.from_name)
    case, previous = _thread(parsed, customer.pk)
    new_case = None
    rule = None
    if case is None:
        fresh, _ = quoted_history_split(parsed.text_body)
        rule = rule_for(
            MailFacts(
                inbox_id=inbox.pk,
                sender=parsed.from_address,
                subject=parsed.subject,
                body=parsed.text_body,
            )
        )
        service = rule.service if rule is not None and rule.service else inbox.service
        if service is None:
            _quarantine(
                email,
                f"The inbox {inbox.address} has no service, so a new case cannot be opened. "
                "Set its service in Configuration, then process the message again.",
            )
            return
        new_case = CaseDraft(
            service=service,
            summary=(parsed.subject or "Email with no subject")[:200],
            kind=Case.Kind.ENQUIRY,
            priority=rule.priority if rule is not None and rule.priority else Case.Priority.NORMAL,
            description=fresh[:20000],
            previous_case=previous,
        )
    try:
        contact = contact_record(
            channel=Channel.EMAIL,
            customer=customer,
            contact_point=inbox,
            case=case,
            new_case=new_case,
            occurred_at=email.received_at,
            summary=(parsed.subject or "")[:300],
            source_key=f"email:{inbox.pk}:{email.message_key}",
        )
    except ValidationError as error:
        _quarantine(email, "; ".join(error.messages))
        return
    email.contact = contact
    email.case = contact.case
    email.save(update_fields=["contact", "case"])
    if new_case is None:
        email.acknowledgement_skipped = "A follow-up on an open case"
        email.save(update_fields=["acknowledgement_skipped"])
        return
    opened = contact.case
    assert opened is not None
    if rule is not None:
        opened = email.case = routing_apply(case=opened, rule=rule)
    acknowledgement_queue(email=email, case=opened, rule=rule)


def _reference_pattern() -> re.Pattern[str]:
    return _reference_pattern_for(Council.current().reference_prefix)


@functools.lru_cache(maxsize=8)
def _reference_pattern_for(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"\b({re.escape(prefix)}-\d{{4}}-\d{{6}})\b")


def _thread(parsed: ParsedEmail, customer_id: int) -> tuple[Case | None, Case | None]:
    """(the open case this message continues, or None; the earlier case a new one follows)."""
    case = None
    found = _reference_pattern().search(parsed.subject)
    if found:
        case = Case.objects.filter(reference=found.group(1)).first()
    if case is None:
        ids = [*parsed.in_reply_to, *reversed(parsed.references)]
        if ids:
            earlier = (
                InboundEmail.objects.filter(message_id__in=ids, case__isnull=False)
                .select_related("case")
                .order_by("-received_at")
                .first()
            )
            case = earlier.case if earlier else case_for_sent_message_ids(ids)
    if case is None:
        return None, None
    if case.customer_id not in (None, customer_id):
        # Quoting someone else's reference does not put mail on their case.
        return None, None
    if case.is_open:
        return case, None
    window = timedelta(days=Council.current().reopen_window_days)
    ended = case.closed_at or case.resolved_at or case.updated_at
    if timezone.now() - ended <= window:
        return case_reopen(
            case=case, actor=None, reason="The customer replied by email", channel=Channel.EMAIL
        ), None
    return None, case


_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv)\s*:\s*)+", re.IGNORECASE)


def _reply_subject(subject: str, tag: str) -> str:
    subject = _REPLY_PREFIX.sub("", subject.replace(tag, "")).strip()
    return f"Re: {subject} {tag}" if subject else f"Re: your enquiry {tag}"


def _reply_inbox(case: Case, last: InboundEmail | None) -> ContactPoint:
    """Reply from the inbox the customer wrote to, else the service's, else any inbox."""
    if last is not None:
        return last.contact_point
    inboxes = ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL).exclude(
        status=ContactPoint.Status.RETIRED
    )
    chosen = inboxes.filter(service=case.service).first() or inboxes.first()
    if chosen is None:
        raise ValidationError("The council has no email inbox to send from. Add one first.")
    return chosen


@transaction.atomic
def email_reply(*, case: Case, actor: Any, text: str) -> OutboundEmail:
    """Send the customer an email on their case, threaded to their last message, and record it
    as an outbound contact. The customer's answer threads back by the reference in the subject
    and by In-Reply-To."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter your reply"})
    last = case.inbound_emails.exclude(from_address="").order_by("-received_at").first()
    to_address = last.from_address if last else ""
    if not to_address and case.customer is not None:
        first_email = case.customer.emails.order_by("pk").first()
        to_address = first_email.address if first_email else ""
    if not to_address:
        raise ValidationError(
            "There is no email address for this customer. Add one to their record first."
        )
    council = Council.current()
    tag = council.reference_tag(case.reference)
    subject = _reply_subject(last.subject if last else case.summary, tag)
    inbox = _reply_inbox(case, last)
    thread = [*(last.references.split() if last else []), *([last.message_id] if last else [])]
    contact = contact_record(
        channel=Channel.EMAIL,
        direction=Contact.Direction.OUTBOUND,
        customer=case.customer,
        actor=actor,
        contact_point=inbox,
        case=case,
        summary=subject,
    )
    return email_queue(
        kind=OutboundEmail.Kind.REPLY,
        from_address=inbox.address,
        from_name=council.name,
        to_address=to_address,
        subject=subject,
        text_body=text + "\n",
        case=case,
        contact=contact,
        in_reply_to=last.message_id if last else "",
        references=" ".join([m for m in thread if m][-10:]),
        sent_by=actor,
    )
