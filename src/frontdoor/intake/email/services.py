"""The one intake pipeline for email: SMTP, IMAP and folder imports all call emails_receive
(email_receive for a single message).

A message is stored once per inbox (unique on its Message-ID or a hash of its bytes) in the
same transaction as its customer, case, contact and acknowledgement, so a re-delivery or a
racing second receiver finds it already there and changes nothing. Messages that arrive
together (an IMAP poll, a folder import) are stored together: each step is a few statements
for the whole batch rather than a few dozen for each message."""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.utils import timezone

from frontdoor.cases.models import Case, Channel, Contact
from frontdoor.cases.selectors import cases_by_id, cases_by_reference
from frontdoor.cases.services import (
    CaseDraft,
    ContactDraft,
    case_reopen,
    contact_record,
    contacts_record,
)
from frontdoor.core.models import Council
from frontdoor.customers.models import Customer
from frontdoor.customers.normalise import email_normalise
from frontdoor.customers.services import customers_for_emails
from frontdoor.directory.models import ContactPoint
from frontdoor.intake.email.acknowledgement import NewCaseMail, acknowledgements_queue
from frontdoor.intake.email.models import EmailAttachment, InboundEmail
from frontdoor.intake.email.parsing import (
    ParsedEmail,
    Reading,
    email_read,
    message_key,
    messages_read,
    quoted_history_split,
)
from frontdoor.intake.email.selectors import received_on_cases, stored_keys
from frontdoor.notify.models import OutboundEmail
from frontdoor.notify.selectors import sent_on_cases
from frontdoor.notify.services import email_queue
from frontdoor.routing.matching import MailFacts
from frontdoor.routing.models import RoutingRule
from frontdoor.routing.selectors import rule_for
from frontdoor.routing.services import routing_apply, work_items_enqueue

log = logging.getLogger(__name__)
T = TypeVar("T")

# A batch that loses a race (another receiver stored one of its messages first) looks again.
RACE_RETRIES = 3
# How many messages, and how many bytes of them, a way in hands over at once: enough to make
# the per-batch statements cheap per message, small enough to keep the write lock short.
BATCH_MESSAGES = 250
BATCH_BYTES = 32 * 1024 * 1024


def inbox_for_address(address: str) -> ContactPoint | None:
    """The council inbox that takes mail for this address, if it is one that is not retired."""
    return (
        ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL, address__iexact=address.strip())
        .exclude(status=ContactPoint.Status.RETIRED)
        .select_related("service__sla_policy", "service__department")
        .first()
    )


@dataclass(frozen=True)
class IncomingEmail:
    """A message as a way in hands it over: its bytes and the inbox it came to."""

    raw: bytes
    contact_point: ContactPoint
    source: str
    # The SMTP envelope sender, when there was one ("" is the null return path of a bounce).
    envelope_from: str | None = None


def email_receive(
    *,
    raw: bytes,
    contact_point: ContactPoint,
    source: str,
    envelope_from: str | None = None,
) -> InboundEmail:
    """Keep one message: see emails_receive."""
    incoming = IncomingEmail(
        raw=raw, contact_point=contact_point, source=source, envelope_from=envelope_from
    )
    (email,) = emails_receive(messages=[incoming])
    return email


def emails_receive(*, messages: Sequence[IncomingEmail]) -> list[InboundEmail]:
    """Keep each message and turn it into a contact on a case, or quarantine it with the
    reason. Returns the stored message for each, in order: for a message its inbox already
    has (or one earlier in the same batch), the one stored before.

    The batch is one transaction. If it fails because of a message (one that trips a fault,
    a value the database refuses, a case closed meanwhile), each message is stored on its own
    and one that still fails is kept in quarantine with the reason: nothing is lost, and one
    odd message does not hold up the rest. If the database itself fails, that is raised: the
    batch is not kept (in the one-by-one fallback, those stored before it are), and the way
    in tries again later, finding what was kept already there."""
    return _receive(messages, {})


def emails_receive_all(
    *, batches: Iterable[Sequence[IncomingEmail]]
) -> Iterator[list[InboundEmail]]:
    """emails_receive for batch after batch (a folder import, say), yielding what each stored.

    Reading (parsing) is about a third of the work and needs no database, so on a machine
    with more than one core the next batch is read in another process while this one is
    stored. If that process dies, the mail is read here instead."""
    cores = _cores()
    if cores < 2:
        for batch in batches:
            yield emails_receive(messages=batch)
        return
    spawn = multiprocessing.get_context("spawn")  # fork is unsafe in a threaded server
    with ProcessPoolExecutor(max_workers=min(2, cores - 1), mp_context=spawn) as readers:
        waiting: deque[tuple[Sequence[IncomingEmail], Future[list[Reading]] | None]] = deque()
        for batch in batches:
            waiting.append((batch, _read_elsewhere(readers, batch)))
            while len(waiting) > 1:
                yield _receive_read(*waiting.popleft())
        while waiting:
            yield _receive_read(*waiting.popleft())


def _cores() -> int:
    """The cores this process may run on (a container may allow fewer than the machine has)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _limits() -> dict[str, int]:
    return {
        "max_bytes": settings.FRONTDOOR_MAX_MESSAGE_BYTES,
        "max_attachment_bytes": settings.FRONTDOOR_MAX_ATTACHMENT_BYTES,
    }


def _read_elsewhere(
    readers: ProcessPoolExecutor, batch: Sequence[IncomingEmail]
) -> Future[list[Reading]] | None:
    try:
        # Only bytes cross to the reader: it needs no database and no Django set-up.
        return readers.submit(messages_read, [(m.raw, m.envelope_from) for m in batch], **_limits())
    except BrokenProcessPool:
        return None  # read here instead, as on one core


def _receive_read(
    batch: Sequence[IncomingEmail], reading: Future[list[Reading]] | None
) -> list[InboundEmail]:
    read: dict[int, Reading] = {}
    if reading is not None:
        try:
            read = dict(enumerate(reading.result()))
        except BrokenProcessPool:
            log.warning("The reader process stopped; reading the rest of the mail here")
    return _receive(batch, read)


def _receive(messages: Sequence[IncomingEmail], read: dict[int, Reading]) -> list[InboundEmail]:
    """emails_receive, with some messages already read (by position)."""
    keys = [read[p].key if p in read else message_key(m.raw) for p, m in enumerate(messages)]
    identities = [(m.contact_point.pk, key) for m, key in zip(messages, keys, strict=True)]
    for attempt in range(1, RACE_RETRIES + 1):
        stored = stored_keys(identities)
        fresh = _first_new(identities, stored)
        arrivals = [
            _Arrival(
                messages[p],
                keys[p],
                read[p].parsed
                if p in read
                else email_read(
                    messages[p].raw, envelope_from=messages[p].envelope_from, **_limits()
                ),
            )
            for p in fresh
        ]
        try:
            made = _store(arrivals)
        except IntegrityError:
            raced = stored_keys(identities[p] for p in fresh)
            if raced and attempt < RACE_RETRIES:
                continue  # another receiver stored some of these first: look again
            made = _store_one_by_one(arrivals)
        except DataError:  # a value the database refuses: one message's fault
            made = _store_one_by_one(arrivals)
        except DatabaseError:
            raise
        except Exception:  # noqa: BLE001 - isolated below, message by message
            made = _store_one_by_one(arrivals)
        stored.update(((e.contact_point_id, e.message_key), e) for e in made)
        break
    return [stored[identity] for identity in identities]


def in_batches(items: Iterable[T], *, size: Callable[[T], int]) -> Iterator[list[T]]:
    """The items in order, in batches of at most BATCH_MESSAGES and BATCH_BYTES (by `size`;
    one item bigger than that is a batch of its own)."""
    batch: list[T] = []
    total = 0
    for item in items:
        bytes_ = size(item)
        if batch and (len(batch) >= BATCH_MESSAGES or total + bytes_ > BATCH_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += bytes_
    if batch:
        yield batch


@dataclass(frozen=True)
class _Arrival:
    message: IncomingEmail
    key: str
    reading: ParsedEmail | str  # what was understood, or why nothing could be
    # Why a message that was understood could still not be processed: it is quarantined.
    fault: str = ""

    @property
    def parsed(self) -> ParsedEmail | None:
        return self.reading if isinstance(self.reading, ParsedEmail) else None


def _first_new(
    identities: list[tuple[int, str]], stored: dict[tuple[int, str], InboundEmail]
) -> list[int]:
    """The positions of the messages to store: the first of each not stored before."""
    seen: set[tuple[int, str]] = set(stored)
    first = []
    for position, identity in enumerate(identities):
        if identity not in seen:
            seen.add(identity)
            first.append(position)
    return first


def _store_one_by_one(arrivals: list[_Arrival]) -> list[InboundEmail]:
    """Store each message in its own transaction; one that cannot be processed is kept in
    quarantine with the reason, for staff to see and process again after a fix."""
    made = []
    for arrival in arrivals:
        # What staff see of a quarantined message: what was understood of it, unless the
        # database refused that; the raw message is always kept.
        understood = arrival.reading
        try:
            made += _store([arrival])
            continue
        except IntegrityError:
            identity = (arrival.message.contact_point.pk, arrival.key)
            again = stored_keys([identity]).get(identity)
            if again is not None:  # a racing receiver stored it: what it stored stands
                made.append(again)
                continue
            log.exception("Could not store message %s; quarantined", arrival.key)
            reason = "Frontdoor could not store this message (a fault, logged for the team)."
        except DataError as error:
            log.exception("The database refused message %s; quarantined", arrival.key)
            reason = f"The database refused part of this message ({error})."
            understood = reason
        except DatabaseError:
            raise
        except ValidationError as error:
            reason = "; ".join(error.messages)
        except Exception as error:  # noqa: BLE001 - kept, with the reason, never lost
            log.exception("Could not process message %s; quarantined", arrival.key)
            reason = f"Frontdoor could not process this message ({type(error).__name__}: {error})."
        made += _store([_Arrival(arrival.message, arrival.key, understood, reason + _AFTER_A_FIX)])
    return made


_AFTER_A_FIX = " It is kept here: process it again once the cause is fixed."


@transaction.atomic
def _store(arrivals: list[_Arrival]) -> list[InboundEmail]:
    """Store the messages, each made into a contact on a case or quarantined, in order.

    A message that replies to another in the same batch waits for a later round, so the case
    the first one opens is there to thread onto."""
    stored: list[InboundEmail] = []
    for round_ in _rounds(arrivals):
        stored += _store_round(round_)
    return stored


def _rounds(arrivals: list[_Arrival]) -> Iterable[list[_Arrival]]:
    current: list[_Arrival] = []
    ids: set[str] = set()
    for arrival in arrivals:
        parsed = arrival.parsed
        if parsed is not None and ids.intersection(parsed.in_reply_to, parsed.references):
            yield current
            current, ids = [], set()
        current.append(arrival)
        if parsed is not None and parsed.message_id:
            ids.add(parsed.message_id)
    if current:
        yield current


def _store_round(arrivals: list[_Arrival]) -> list[InboundEmail]:
    now = timezone.now()
    emails = [_email_row(arrival, now) for arrival in arrivals]
    parsed = [
        (email, arrival.parsed)
        for email, arrival in zip(emails, arrivals, strict=True)
        if arrival.parsed is not None
    ]
    _contacts_from([(email, reading) for email, reading in parsed if not email.quarantine_reason])
    InboundEmail.objects.bulk_create(emails)
    _attachments_store(parsed)
    return emails


def _email_row(arrival: _Arrival, now: datetime) -> InboundEmail:
    message = arrival.message
    email = InboundEmail(
        contact_point=message.contact_point,
        message_key=arrival.key,
        source=message.source,
        raw=message.raw,
        size=len(message.raw),
        received_at=now,
        status=InboundEmail.Status.ACCEPTED,
    )
    if arrival.parsed is not None:
        _fill(email, arrival.parsed)
    if not isinstance(arrival.reading, ParsedEmail) or arrival.fault:
        _quarantine(email, arrival.fault or str(arrival.reading))
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


def _quarantine(email: InboundEmail, reason: str) -> None:
    email.status = InboundEmail.Status.QUARANTINED
    email.quarantine_reason = reason.replace("\x00", "")


def _attachments_store(readable: list[tuple[InboundEmail, ParsedEmail]]) -> None:
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
        for email, parsed in readable
        for a in parsed.attachments
    )


@transaction.atomic
def email_reprocess(*, email: InboundEmail) -> InboundEmail:
    """Try a quarantined message again (after a fix to the parser or the configuration)."""
    email = (
        InboundEmail.objects.select_for_update().select_related("contact_point").get(pk=email.pk)
    )
    if email.status != InboundEmail.Status.QUARANTINED:
        return email
    reading = email_read(bytes(email.raw), envelope_from=None, **_limits())
    if isinstance(reading, str):
        email.quarantine_reason = reading
        email.save(update_fields=["quarantine_reason"])
        return email
    _fill(email, reading)
    email.status, email.quarantine_reason = InboundEmail.Status.ACCEPTED, ""
    try:
        with transaction.atomic():
            _contacts_from([(email, reading)])
    except ValidationError as error:
        _quarantine(email, "; ".join(error.messages))
    email.save()
    email.attachments.all().delete()
    _attachments_store([(email, reading)])
    return email


@dataclass(frozen=True)
class _Plan:
    """What a readable message becomes: a contact on the case it continues, or a new case."""

    email: InboundEmail
    opens_case: bool
    rule: RoutingRule | None = None


def _contacts_from(readable: list[tuple[InboundEmail, ParsedEmail]]) -> None:
    """Make each message a contact: on the case it continues, or on a case it opens (routed by
    the keyword rules and acknowledged). Sets the message's case, contact and acknowledgement,
    or quarantines it; the caller saves it."""
    recordable = _senders_recordable(readable)
    customers = customers_for_emails(
        senders=[(parsed.from_address, parsed.from_name) for _, parsed in recordable]
    )
    answered = _cases_answered(recordable, customers)
    plans: list[_Plan] = []
    drafts: list[ContactDraft] = []
    for (email, parsed), (continued, previous) in zip(recordable, answered, strict=True):
        customer = customers[parsed.from_address.lower()]
        new_case, rule = None, None
        if continued is None:
            rule = _rule_for(email, parsed)
            new_case = _new_case(email, parsed, rule, previous)
            if new_case is None:
                continue
        plans.append(_Plan(email=email, opens_case=new_case is not None, rule=rule))
        drafts.append(
            ContactDraft(
                channel=Channel.EMAIL,
                customer=customer,
                contact_point=email.contact_point,
                case=continued,
                new_case=new_case,
                occurred_at=email.received_at,
                summary=(parsed.subject or "")[:300],
                source_key=f"email:{email.contact_point_id}:{email.message_key}",
            )
        )
    opened: list[NewCaseMail] = []
    cases: list[Case] = []
    for plan, contact in zip(plans, contacts_record(drafts=drafts), strict=True):
        email = plan.email
        email.contact, email.case = contact, contact.case
        case = contact.case
        assert case is not None
        if plan.opens_case:
            if plan.rule is not None:
                case = email.case = routing_apply(case=case, rule=plan.rule)
            opened.append(NewCaseMail(email=email, case=case, rule=plan.rule))
        else:
            email.acknowledgement_skipped = "A follow-up on an open case"
        cases.append(case)
    # What the front office must answer waits in its queues (mail a rule sent to a
    # department does not); a follow-up on a case already queued or held changes nothing.
    work_items_enqueue(cases=cases)
    acknowledgements_queue(mails=opened)


def _senders_recordable(
    readable: list[tuple[InboundEmail, ParsedEmail]],
) -> list[tuple[InboundEmail, ParsedEmail]]:
    """The messages whose sender can be kept on a customer record; the others quarantined."""
    recordable = []
    for email, parsed in readable:
        try:
            email_normalise(parsed.from_address)
        except ValidationError:
            _quarantine(
                email,
                f"The sender's address {parsed.from_address!r} cannot be kept on a customer "
                "record.",
            )
            continue
        recordable.append((email, parsed))
    return recordable


def _rule_for(email: InboundEmail, parsed: ParsedEmail) -> RoutingRule | None:
    return rule_for(
        MailFacts(
            inbox_id=email.contact_point_id,
            sender=parsed.from_address,
            subject=parsed.subject,
            body=parsed.text_body,
        )
    )


def _new_case(
    email: InboundEmail, parsed: ParsedEmail, rule: RoutingRule | None, previous: Case | None
) -> CaseDraft | None:
    """The case a new message opens, or None (and the message quarantined) when its inbox
    has no service to open one for."""
    inbox = email.contact_point
    service = rule.service if rule is not None and rule.service else inbox.service
    if service is None:
        _quarantine(
            email,
            f"The inbox {inbox.address} has no service, so a new case cannot be opened. "
            "Set its service in Configuration, then process the message again.",
        )
        return None
    fresh, _ = quoted_history_split(parsed.text_body)
    return CaseDraft(
        service=service,
        summary=(parsed.subject or "Email with no subject")[:200],
        kind=Case.Kind.ENQUIRY,
        priority=rule.priority if rule is not None and rule.priority else Case.Priority.NORMAL,
        description=fresh[:20000],
        previous_case=previous,
        routed_by=rule,
    )


def _reference_pattern() -> re.Pattern[str]:
    return _reference_pattern_for(Council.current().reference_prefix)


@functools.lru_cache(maxsize=8)
def _reference_pattern_for(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"\b({re.escape(prefix)}-\d{{4}}-\d{{6}})\b")


def _cases_continued(messages: list[ParsedEmail]) -> list[Case | None]:
    """For each message, the case it answers: by the reference in its subject, else by the
    latest of our messages (received, else sent) that its In-Reply-To or References names."""
    pattern = _reference_pattern()
    quoted = [found.group(1) if (found := pattern.search(m.subject)) else None for m in messages]
    by_reference = cases_by_reference(r for r in quoted if r)
    clues = [
        [*m.in_reply_to, *m.references] if not (r and r in by_reference) else []
        for m, r in zip(messages, quoted, strict=True)
    ]
    every_id = {i for ids in clues for i in ids}
    received = received_on_cases(every_id)
    sent = sent_on_cases(every_id - received.keys())
    case_ids: list[int | None] = []
    for ids in clues:
        answered = [received[i] for i in ids if i in received] or [
            sent[i] for i in ids if i in sent
        ]
        case_ids.append(max(answered)[1] if answered else None)
    by_id = cases_by_id(i for i in case_ids if i is not None)
    return [
        by_reference[r] if r and r in by_reference else (by_id.get(i) if i else None)
        for r, i in zip(quoted, case_ids, strict=True)
    ]


def _cases_answered(
    recordable: list[tuple[InboundEmail, ParsedEmail]], customers: dict[str, Customer]
) -> list[tuple[Case | None, Case | None]]:
    """For each message, (the open case it continues, or None; the earlier case a new one
    follows, or None).

    A reply to a closed case reopens it within the council's window, else opens a new case
    linked to it. Quoting someone else's reference does not put mail on their case. Cases are
    reopened in order of id, the order every batch locks them in."""
    window = timedelta(days=Council.current().reopen_window_days)
    now = timezone.now()
    answers: list[tuple[Case | None, Case | None]] = []
    reopening: dict[int, Case] = {}
    found = _cases_continued([parsed for _, parsed in recordable])
    for (_, parsed), case in zip(recordable, found, strict=True):
        customer = customers[parsed.from_address.lower()]
        if case is None or case.customer_id not in (None, customer.pk):
            answers.append((None, None))
        elif case.is_open:
            answers.append((case, None))
        elif now - (case.closed_at or case.resolved_at or case.updated_at) > window:
            answers.append((None, case))
        else:
            reopening[case.pk] = case
            answers.append((case, None))
    reopened = {
        pk: case_reopen(
            case=reopening[pk],
            actor=None,
            reason="The customer replied by email",
            channel=Channel.EMAIL,
        )
        for pk in sorted(reopening)
    }
    return [
        (reopened.get(case.pk, case) if case is not None else None, previous)
        for case, previous in answers
    ]


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
