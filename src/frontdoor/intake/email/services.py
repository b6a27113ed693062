"""The one intake pipeline for email: SMTP, IMAP and folder imports all call email_receive.

A message is stored once per inbox (unique on its Message-ID or a hash of its bytes) in the
same transaction as its customer, case and contact, so a re-delivery or a racing second
receiver finds it already there and changes nothing."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from frontdoor.cases.models import Case, Channel
from frontdoor.cases.services import CaseDraft, case_reopen, contact_record
from frontdoor.core.models import Council
from frontdoor.customers.services import customer_for_email
from frontdoor.directory.models import ContactPoint
from frontdoor.intake.email.models import EmailAttachment, InboundEmail
from frontdoor.intake.email.parsing import (
    ParsedEmail,
    Unparseable,
    email_parse,
    message_key,
    quoted_history_split,
)

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
    if case is None:
        if inbox.service is None:
            _quarantine(
                email,
                f"The inbox {inbox.address} has no service, so a new case cannot be opened. "
                "Set its service in Configuration, then process the message again.",
            )
            return
        fresh, _ = quoted_history_split(parsed.text_body)
        new_case = CaseDraft(
            service=inbox.service,
            summary=(parsed.subject or "Email with no subject")[:200],
            kind=Case.Kind.ENQUIRY,
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


def _reference_pattern() -> re.Pattern[str]:
    prefix = re.escape(Council.current().reference_prefix)
    return re.compile(rf"\b({prefix}-\d{{4}}-\d{{6}})\b")


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
            case = earlier.case if earlier else None
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
