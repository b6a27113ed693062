"""Email intake throughput: N messages through the whole pipeline, on a fresh database.

Every message goes through `email_receive` as the SMTP receiver hands it over: parsing, the
customer (matched or created), threading, the keyword routing rules, the case opened (or the
contact added to the case it continues) and the acknowledgement queued to the outbox. The mix:

- about 60% new enquiries (about 1% of them remittance advice to finance@, which the demo rule
  "Remittance advice to Finance" sends on), spread over the demo inboxes;
- 25% replies carrying the case reference in the subject (``Re: [Ref: FD-2026-000123] ...``);
- 10% replies threaded only by In-Reply-To / References to the earlier message's Message-ID;
- 5% exact re-deliveries (the same bytes again, to the same inbox);
- 30% with an HTML alternative, 10% with a PDF attachment of 20-50 KB.

Replies come from the sender of the message they answer and quote it; their expected case is
known, and every reply and re-delivery is checked against what the pipeline returned.

Messages are built one at a time just before they are received, because a reply needs the real
reference of a case opened earlier in the run; building is not timed, only `email_receive` is.
Prints progress every 10,000 messages; the last line is one JSON object.

    .venv/bin/python benchmarks/intake.py --messages 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frontdoor_bench_intake \\
        .venv/bin/python benchmarks/intake.py

The database is created afresh each run: the SQLite file is deleted, the PostgreSQL database
dropped and created again. So that a mistyped DATABASE_URL cannot destroy real data, the
database's name must contain "bench".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from common import REPO, django_setup, fresh_database, steal_seconds, worker_housekeeping

DEFAULT_URL = f"sqlite:///{REPO / 'var' / 'bench-intake.sqlite3'}"
TARGET_PER_SECOND = 1000.0
TARGET_LAST_VS_FIRST = 1.2

# The mix of messages (cumulative shares), and of inboxes for new enquiries.
NEW, BY_REFERENCE, BY_IN_REPLY_TO, REDELIVERY = "new", "by_reference", "by_in_reply_to", "again"
MIX = [(NEW, 0.60), (BY_REFERENCE, 0.85), (BY_IN_REPLY_TO, 0.95), (REDELIVERY, 1.0)]
HTML_SHARE = 0.30
ATTACHMENT_SHARE = 0.10
REMITTANCE_SHARE = 0.01
INBOXES = [  # (address, share of the non-finance enquiries)
    ("customer.services@frontdoor.example", 0.45),
    ("waste@frontdoor.example", 0.40),
    ("counciltax@frontdoor.example", 0.15),
]
FINANCE = "finance@frontdoor.example"
SUPPLIERS = 40  # the companies that send remittance advice


def _words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


GIVEN = _words(
    "Amelia Oliver Isla George Ava Noah Mia Arthur Ivy Muhammad Grace Leo Freya Harry Lily "
    "Oscar Florence Archie Emily Henry Sophia Jack Evie Charlie Ella Thomas Rosie Jacob Ruby "
    "Alfie Poppy Theo Willow Joshua Isabella William Daisy Alexander Sienna James Priya Arjun "
    "Aisha Omar Zara Kwame Chloe Dylan Niamh Rhys Siobhan Callum Megan Ewan"
)
FAMILY = _words(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson "
    "Evans Walker White Roberts Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner "
    "Martin Cooper Hill Ward Hughes Moore Clark King Harrison Lewis Baker Lee Allen Morris "
    "Khan Scott Watson Davis Parker James Bennett Young Phillips Richardson Mitchell Bailey "
    "Carter Cook Singh Shaw Bell Collins Morgan Kelly Begum Miller Cox Hussain Marshall Simpson"
)
DOMAINS = ["example.com", "example.net", "example.org", "mail.example.com", "post.example.net"]
STREETS = _words(
    "Acacia Avenue, Mill Lane, Church Street, Station Road, Park View, Victoria Road, "
    "The Crescent, Oak Close, Manor Way, High Street, Queens Drive, Elm Grove",
    ", ",
)
DAYS = _words("Monday Tuesday Wednesday Thursday Friday")

# Per inbox: (subject, sentences the body draws on).
TOPICS: dict[str, list[tuple[str, list[str]]]] = {
    "waste@frontdoor.example": [
        (
            "My bin was not collected",
            [
                "My {colour} bin was not collected on {day} although it was out by 7am.",
                "The rest of the street was done but ours was left.",
                "This is the second time this month it has been missed.",
                "Could you please send the crew back before the weekend?",
            ],
        ),
        (
            "Bulky waste collection",
            [
                "I would like to book a bulky waste collection for an old sofa and a fridge.",
                "The items will be at the front of the house on {street}.",
                "Please let me know the cost and the first date you have.",
            ],
        ),
        (
            "Fly-tipping on {street}",
            [
                "Someone has dumped a pile of rubble and black bags at the end of {street}.",
                "It has been there since {day} and is now blocking the pavement.",
                "There are children walking past it to school every morning.",
            ],
        ),
        (
            "Garden waste subscription",
            [
                "I paid for the garden waste subscription but have not received a sticker.",
                "My payment reference was {number}.",
                "Could you tell me when the brown bin will be collected?",
            ],
        ),
    ],
    "customer.services@frontdoor.example": [
        (
            "Pothole on {street}",
            [
                "There is a deep pothole outside number {house} {street}.",
                "Two cars have damaged their tyres on it this week.",
                "Please could someone come and look at it urgently.",
            ],
        ),
        (
            "Street light not working",
            [
                "The street light outside number {house} {street} has been out since {day}.",
                "It is very dark on the corner and people feel unsafe walking home.",
            ],
        ),
        (
            "Parking permit renewal",
            [
                "My residents' parking permit runs out at the end of the month.",
                "I have changed my car since I last applied; the new registration is {plate}.",
                "Can I renew online or do I need to send proof of address again?",
            ],
        ),
        (
            "Question about planning application {number}",
            [
                "I live next door to the site in planning application {number}.",
                "I would like to know when the consultation closes and how to comment.",
                "The plans show a two-storey extension very close to our boundary.",
            ],
        ),
        (
            "Damp in my flat",
            [
                "There is black mould spreading on the bedroom wall of my flat on {street}.",
                "I reported it by phone on {day} but nobody has been in touch.",
                "My youngest has asthma and it is getting worse.",
            ],
        ),
    ],
    "counciltax@frontdoor.example": [
        (
            "Council tax bill query",
            [
                "My council tax bill for {number} looks higher than last year.",
                "I think the single person discount has been removed by mistake.",
                "I have lived alone at {house} {street} since 2021.",
            ],
        ),
        (
            "Moving house",
            [
                "I am moving out of {house} {street} on {day} the 14th.",
                "Please close my council tax account and send a final bill.",
                "My new address will be 3 Orchard Court, FD2 4LP.",
            ],
        ),
        (
            "Direct debit date",
            [
                "Could I change my council tax direct debit to the 15th of the month?",
                "My account number is {number}.",
            ],
        ),
    ],
}
REPLIES = [
    "Thank you for getting back to me.",
    "I am still waiting to hear from someone about this.",
    "Just to add, the problem is still there this morning.",
    "Could you give me an update please?",
    "I have attached a photo in case it helps.",
    "Someone came out yesterday but it has not been sorted.",
    "Thanks, that answers my question.",
]


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000, help="Messages to receive.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--senders",
        type=int,
        default=None,
        help="Distinct customers writing in (default: a quarter of --messages).",
    )
    parser.add_argument(
        "--query-sample",
        type=int,
        default=200,
        help="After the timed run, receive this many more messages with their queries captured "
        "and report queries per message (0: skip).",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=250,
        help="Messages handed over at once, as an IMAP poll or a folder import does (a divisor "
        "of 1,000); 1 is the SMTP receiver's way, one message per transaction.",
    )
    parser.add_argument(
        "--progress", type=int, default=10_000, help="Print a progress line every N messages."
    )
    return parser.parse_args()


@dataclass(frozen=True)
class Sender:
    name: str
    address: str


@dataclass(frozen=True)
class Received:
    """A message the pipeline accepted, as much of it as a later reply needs."""

    message_id: str
    case_id: int
    reference: str
    sender: Sender
    inbox: str
    topic: str  # the subject without Re: or the reference
    excerpt: list[str]  # its first lines, for a reply to quote
    sent_at: datetime


@dataclass(frozen=True)
class Outgoing:
    kind: str
    raw: bytes
    inbox: str
    # What the pipeline should return: the case a reply continues, the message re-delivered.
    expected_case_id: int | None = None
    expected_email_id: int | None = None
    remittance: bool = False
    html: bool = False
    attachment: bool = False
    received: Received | None = None  # for a reply: what it answers


class Stream:
    """The messages, built one at a time; replies answer messages received earlier."""

    RECENT = 2_000  # replies mostly answer recent mail ...
    OLDER = 5_000  # ... and sometimes older mail (a reservoir sample of the rest)
    REDELIVERABLE = 200

    def __init__(self, rng: random.Random, messages: int, senders: int, tag: Any) -> None:
        self.rng = rng
        self.tag = tag  # reference -> "[Ref: FD-...]", the council's own format
        self.senders = senders
        self.used_senders = 0
        # A new enquiry comes from someone new with this chance, so customers are created at
        # the same rate from the first message to the last and the mix stays the same.
        self.new_sender_chance = min(1.0, senders / max(1.0, messages * MIX[0][1]))
        self.recent: deque[Received] = deque(maxlen=self.RECENT)
        self.older: list[Received] = []
        self.evicted = 0
        self.redeliverable: deque[tuple[bytes, str, int]] = deque(maxlen=self.REDELIVERABLE)
        self.sequence = 0
        self.clock = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    # --- people -------------------------------------------------------------------------
    def _sender(self, number: int) -> Sender:
        given = GIVEN[number % len(GIVEN)]
        family = FAMILY[(number // len(GIVEN)) % len(FAMILY)]
        domain = DOMAINS[number % len(DOMAINS)]
        return Sender(f"{given} {family}", f"{given}.{family}.{number}@{domain}".lower())

    def _enquirer(self) -> Sender:
        rng = self.rng
        fresh = self.used_senders < self.senders and (
            self.used_senders == 0 or rng.random() < self.new_sender_chance
        )
        if fresh:
            self.used_senders += 1
            return self._sender(self.used_senders - 1)
        return self._sender(rng.randrange(self.used_senders))

    def _supplier(self) -> Sender:
        number = self.rng.randrange(SUPPLIERS)
        return Sender(f"Accounts Payable, Supplier {number}", f"accounts@supplier{number}.example")

    # --- text ---------------------------------------------------------------------------
    def _fill(self, text: str) -> str:
        rng = self.rng
        return text.format(
            colour=rng.choice(["green", "blue", "black", "brown"]),
            day=rng.choice(DAYS),
            street=rng.choice(STREETS),
            house=rng.randint(1, 180),
            number=rng.randint(100_000, 999_999),
            plate=f"FD{rng.randint(10, 75)} {''.join(rng.choices('ABCDEFGHJKLMNPRSTUVWXY', k=3))}",
        )

    def _message_id(self, sender: Sender) -> str:
        self.sequence += 1
        domain = sender.address.rpartition("@")[2]
        return f"<{self.rng.getrandbits(64):016x}.{self.sequence}@{domain}>"

    def _tick(self) -> datetime:
        self.clock += timedelta(seconds=self.rng.randint(1, 20))
        return self.clock

    def _pdf(self, name: str) -> tuple[str, bytes]:
        size = self.rng.randint(20_000, 50_000)
        head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        body = b"4 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % size
        tail = b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
        return name, head + body + self.rng.randbytes(size) + tail

    def _build(
        self,
        *,
        sender: Sender,
        inbox: str,
        subject: str,
        lines: list[str],
        quoted: Received | None,
        message_id: str,
        in_reply_to: str | None,
        sent_at: datetime,
        html: bool,
        attachment: tuple[str, bytes] | None,
    ) -> bytes:
        mail = EmailMessage()
        mail["From"] = f"{sender.name} <{sender.address}>"
        mail["To"] = inbox
        mail["Subject"] = subject
        mail["Date"] = format_datetime(sent_at)
        mail["Message-ID"] = message_id
        if in_reply_to:
            mail["In-Reply-To"] = in_reply_to
            mail["References"] = in_reply_to
        given = sender.name.split()[0]
        text = "\n".join(["Hello,", "", *lines, "", "Thanks,", given, ""])
        if quoted is not None:
            when = format_datetime(quoted.sent_at)
            text += f"\nOn {when}, {quoted.sender.name} wrote:\n"
            text += "\n".join(f"> {line}" for line in quoted.excerpt) + "\n"
        mail.set_content(text)
        if html:
            paragraphs = "".join(f"<p>{line}</p>" for line in ["Hello,", *lines])
            paragraphs += f"<p>Thanks,<br>{given}</p>"
            if quoted is not None:
                inner = "".join(f"<p>{line}</p>" for line in quoted.excerpt)
                paragraphs += f"<blockquote>{inner}</blockquote>"
            mail.add_alternative(
                f"<html><body>{paragraphs}</body></html>\n", subtype="html", charset="utf-8"
            )
        if attachment is not None:
            filename, data = attachment
            mail.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
        return mail.as_bytes()

    # --- the stream ---------------------------------------------------------------------
    def _answerable(self) -> Received | None:
        if not self.recent:
            return None
        if self.older and self.rng.random() < 0.3:
            return self.rng.choice(self.older)
        return self.rng.choice(self.recent)

    def next(self) -> Outgoing:
        rng = self.rng
        draw = rng.random()
        kind = next(k for k, share in MIX if draw < share)
        if kind == REDELIVERY and self.redeliverable:
            raw, inbox, email_id = rng.choice(self.redeliverable)
            return Outgoing(kind=kind, raw=raw, inbox=inbox, expected_email_id=email_id)
        answering = self._answerable() if kind in (BY_REFERENCE, BY_IN_REPLY_TO) else None
        html = rng.random() < HTML_SHARE
        sent_at = self._tick()
        if answering is None:  # a new enquiry (also while there is nothing yet to answer)
            remittance = rng.random() < REMITTANCE_SHARE
            if remittance:
                sender, inbox = self._supplier(), FINANCE
                number = rng.randint(10_000, 99_999)
                topic = f"Remittance Advice - payment {number}"
                lines = [
                    f"Please find attached our remittance advice for payment {number}.",
                    f"The payment of £{rng.randint(100, 20_000)}.{rng.randint(0, 99):02d} "
                    "was made by BACS today against your invoices.",
                ]
                attachment = self._pdf(f"remittance-{number}.pdf")
            else:
                sender = self._enquirer()
                shares = [share for _, share in INBOXES]
                inbox = rng.choices([address for address, _ in INBOXES], shares)[0]
                subject, sentences = rng.choice(TOPICS[inbox])
                topic = self._fill(subject)
                count = rng.randint(2, len(sentences))
                lines = [self._fill(s) for s in sentences[:count]]
                lines.append(f"My address is {rng.randint(1, 180)} {rng.choice(STREETS)}.")
                attachment = (
                    self._pdf(f"photo-{rng.randint(1, 999)}.pdf")
                    if rng.random() < ATTACHMENT_SHARE
                    else None
                )
            message_id = self._message_id(sender)
            raw = self._build(
                sender=sender,
                inbox=inbox,
                subject=topic,
                lines=lines,
                quoted=None,
                message_id=message_id,
                in_reply_to=None,
                sent_at=sent_at,
                html=html,
                attachment=attachment,
            )
            return Outgoing(
                kind=NEW,
                raw=raw,
                inbox=inbox,
                remittance=remittance,
                html=html,
                attachment=attachment is not None,
                received=Received(
                    message_id, 0, "", sender, inbox, topic, lines[:3], sent_at
                ),  # case filled in once received
            )
        sender = answering.sender
        if kind == BY_REFERENCE:
            subject, in_reply_to = f"Re: {self.tag(answering.reference)} {answering.topic}", None
        else:
            subject, in_reply_to = f"Re: {answering.topic}", answering.message_id
        lines = rng.sample(REPLIES, 2)
        attachment = (
            self._pdf(f"photo-{rng.randint(1, 999)}.pdf")
            if rng.random() < ATTACHMENT_SHARE
            else None
        )
        message_id = self._message_id(sender)
        raw = self._build(
            sender=sender,
            inbox=answering.inbox,
            subject=subject,
            lines=lines,
            quoted=answering,
            message_id=message_id,
            in_reply_to=in_reply_to,
            sent_at=sent_at,
            html=html,
            attachment=attachment,
        )
        return Outgoing(
            kind=kind,
            raw=raw,
            inbox=answering.inbox,
            expected_case_id=answering.case_id,
            html=html,
            attachment=attachment is not None,
            received=Received(
                message_id,
                answering.case_id,
                answering.reference,
                sender,
                answering.inbox,
                answering.topic,
                lines,
                sent_at,
            ),
        )

    def remember(self, message: Outgoing, email: Any) -> None:
        """Keep what later replies and re-deliveries need of a message the pipeline accepted."""
        if message.kind == REDELIVERY or message.received is None or email.case_id is None:
            return
        received = message.received
        if message.kind == NEW:
            # The case is cached on the returned email: no query.
            received = replace(received, case_id=email.case_id, reference=email.case.reference)
        if len(self.recent) == self.recent.maxlen:
            # Reservoir sampling of everything that leaves the recent window.
            self.evicted += 1
            leaving = self.recent[0]
            if len(self.older) < self.OLDER:
                self.older.append(leaving)
            else:
                slot = self.rng.randrange(self.evicted)
                if slot < self.OLDER:
                    self.older[slot] = leaving
        self.recent.append(received)
        self.redeliverable.append((message.raw, message.inbox, email.pk))


@dataclass
class Tally:
    kinds: Counter[str]
    html: int = 0
    attachments: int = 0
    remittances: int = 0
    duplicates_ignored: int = 0
    threaded_by_reference: int = 0
    threaded_by_in_reply_to: int = 0
    mismatches: int = 0
    quarantined: int = 0
    acknowledged: int = 0
    routed: int = 0

    def check(self, message: Outgoing, email: Any, known: set[int]) -> None:
        self.kinds[message.kind] += 1
        self.html += message.html
        self.attachments += message.attachment
        self.remittances += message.remittance
        if email.status == "quarantined":
            self.quarantined += 1
        if message.kind == REDELIVERY:
            if email.pk == message.expected_email_id:
                self.duplicates_ignored += 1
            else:
                self.mismatches += 1
            return
        if email.pk in known:  # a fresh message must never come back as an old one
            self.mismatches += 1
        known.add(email.pk)
        if message.kind == NEW:
            self.acknowledged += email.acknowledgement_id is not None
            self.routed += email.case is not None and email.case.routed_by_id is not None
            return
        if email.case_id != message.expected_case_id:
            self.mismatches += 1
        elif message.kind == BY_REFERENCE:
            self.threaded_by_reference += 1
        else:
            self.threaded_by_in_reply_to += 1


def _statement(sql: str) -> tuple[str, str]:
    """("SELECT", "cases_case") for a captured query; ("SAVEPOINT", "") and so on."""
    verb = sql.split(None, 1)[0].upper() if sql.strip() else "?"
    if verb in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
        found = re.search(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql, re.I)
        return verb, found.group(1) if found else "?"
    return verb, ""


class _Statements:
    """Counts and times every statement the connection executes (an execute wrapper: unlike
    CaptureQueriesContext, precise to the microsecond and with no limit on how many)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            verb, table = _statement(sql)
            name = f"{verb} {table}".strip()
            self.counts[name] += 1
            self.seconds[name] += time.perf_counter() - started


def _query_sample(stream: Stream, inboxes: dict[str, Any], count: int) -> dict[str, Any]:
    """Receive `count` more messages with their statements counted and timed (after, and
    apart from, the timed run); queries per message by statement and by kind of message.
    COMMIT is not a statement here (the driver's commit()); there is one per message stored."""
    from django.db import connection

    from frontdoor.intake.email.services import email_receive

    every = _Statements()
    by_kind: dict[str, list[int]] = {}
    pipeline = 0.0
    with connection.execute_wrapper(every):
        for _ in range(count):
            message = stream.next()
            before = sum(every.counts.values())
            started = time.perf_counter()
            email = email_receive(
                raw=message.raw, contact_point=inboxes[message.inbox], source="smtp"
            )
            pipeline += time.perf_counter() - started
            stream.remember(message, email)
            kind = "new_remittance" if message.remittance else message.kind
            by_kind.setdefault(kind, []).append(sum(every.counts.values()) - before)
    per = max(count, 1)
    return {
        "messages": count,
        "queries_per_message": round(sum(every.counts.values()) / per, 2),
        "pipeline_ms_per_message": round(pipeline / per * 1000, 2),
        "database_ms_per_message": round(sum(every.seconds.values()) / per * 1000, 2),
        "by_kind": {
            kind: {"messages": len(v), "queries_per_message": round(statistics.mean(v), 2)}
            for kind, v in sorted(by_kind.items())
        },
        "by_statement": {
            name: {
                "per_message": round(n / per, 3),
                "mean_us": round(every.seconds[name] / n * 1e6, 1),
            }
            for name, n in every.counts.most_common()
        },
    }


def main() -> None:
    options = _options()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    started = time.perf_counter()
    fresh_database(url)
    django_setup(url)
    from django.core.management import call_command
    from django.db import connection

    from frontdoor.cases.models import Case, Contact
    from frontdoor.core.models import Council
    from frontdoor.customers.models import Customer
    from frontdoor.demo.council import council_build
    from frontdoor.directory.models import ContactPoint
    from frontdoor.intake.email.models import InboundEmail
    from frontdoor.intake.email.services import (
        IncomingEmail,
        emails_receive,
        emails_receive_all,
    )
    from frontdoor.notify.models import OutboundEmail

    call_command("migrate", interactive=False, verbosity=0)
    council_build()
    setup_seconds = time.perf_counter() - started
    vendor = connection.vendor
    addresses = [address for address, _ in INBOXES] + [FINANCE]
    inboxes = {p.address: p for p in ContactPoint.objects.filter(address__in=addresses)}
    council = Council.current()
    senders = options.senders or max(1, options.messages // 4)
    stream = Stream(random.Random(options.seed), options.messages, senders, council.reference_tag)
    tally = Tally(kinds=Counter())
    known: set[int] = set()
    print(
        f"intake on {vendor}: {options.messages:,} messages from up to {senders:,} senders "
        f"(set-up {setup_seconds:.1f}s)",
        flush=True,
    )

    if options.batch < 1 or 1000 % options.batch:
        sys.exit("--batch must divide 1,000 (1, 10, 100, 250, 500, 1000 ...)")
    pipeline = 0.0  # seconds receiving, less the time spent building the messages
    thousand = 0.0
    per_thousand: list[float] = []
    # This process's own CPU time per thousand: flat when a slower thousand was the machine's.
    cpu_thousand = 0.0
    cpu_per_thousand: list[float] = []
    steal_started = steal_seconds()
    analysed_seconds = 0.0
    building = 0.0
    sent: deque[list[Any]] = deque()  # batches handed over, not yet stored

    def batches() -> Any:
        nonlocal building
        for _ in range(options.messages // options.batch):
            started = time.perf_counter()
            batch = [stream.next() for _ in range(options.batch)]
            sent.append(batch)
            building += time.perf_counter() - started
            yield [
                IncomingEmail(raw=m.raw, contact_point=inboxes[m.inbox], source="smtp")
                for m in batch
            ]

    wall_started = time.perf_counter()
    if options.batch > 1:
        receiving = emails_receive_all(batches=batches())
    else:  # the SMTP receiver's way: one message, one transaction
        receiving = (emails_receive(messages=one) for one in batches())
    number = 0
    with worker_housekeeping():  # as the worker does beside the receiver
        while number < options.messages:
            before, built, cpu_before = time.perf_counter(), building, time.process_time()
            stored = next(receiving)
            took = time.perf_counter() - before - (building - built)
            pipeline += took
            thousand += took
            cpu_thousand += time.process_time() - cpu_before - (building - built)
            for message, email in zip(sent.popleft(), stored, strict=True):
                tally.check(message, email, known)
                stream.remember(message, email)
            number += len(stored)
            if number % 1000 == 0:
                per_thousand.append(thousand)
                cpu_per_thousand.append(cpu_thousand)
                thousand = cpu_thousand = 0.0
            if number == 2000 and vendor == "postgresql":
                # autovacuum is off on this machine's server; in production it would have analysed
                # these tables by now (they grew from nothing), and without statistics the planner
                # guesses. One ANALYZE, as autovacuum would run in the background: not timed.
                analyse_started = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
                analysed_seconds = time.perf_counter() - analyse_started
            if options.progress and number % options.progress == 0:
                recent = per_thousand[-1] if per_thousand else 0.0
                print(
                    f"{number:>9,} messages  {pipeline:7.1f}s in the pipeline  "
                    f"{number / pipeline:6.0f}/s overall  last thousand {recent:.2f}s  "
                    f"wall {time.perf_counter() - wall_started:7.1f}s",
                    flush=True,
                )
    wall = time.perf_counter() - wall_started
    steal_ended = steal_seconds()

    sample = _query_sample(stream, inboxes, options.query_sample) if options.query_sample else None
    first = per_thousand[0] if per_thousand else None
    last = per_thousand[-1] if per_thousand else None
    ratio = round(last / first, 3) if first and last else None
    rate = options.messages / pipeline if pipeline else 0.0
    result: dict[str, Any] = {
        "benchmark": "intake",
        "database": vendor,
        "messages": options.messages,
        "batch": options.batch,
        "seed": options.seed,
        "senders": senders,
        "seconds": round(pipeline, 2),
        "wall_seconds": round(wall, 2),
        "setup_seconds": round(setup_seconds, 2),
        "messages_per_second": round(rate, 1),
        "first_thousand_seconds": round(first, 3) if first is not None else None,
        "last_thousand_seconds": round(last, 3) if last is not None else None,
        "last_vs_first": ratio,
        "median_thousand_seconds": round(statistics.median(per_thousand), 3)
        if per_thousand
        else None,
        "slowest_thousand_seconds": round(max(per_thousand), 3) if per_thousand else None,
        "target_messages_per_second": TARGET_PER_SECOND,
        "target_last_vs_first": TARGET_LAST_VS_FIRST,
        "meets_rate_target": rate >= TARGET_PER_SECOND,
        "meets_flatness_target": ratio is not None and ratio <= TARGET_LAST_VS_FIRST,
        # Figures from the database (they include the --query-sample messages, if any).
        "cases": Case.objects.count(),
        "contacts": Contact.objects.count(),
        "customers": Customer.objects.count(),
        "inbound_emails": InboundEmail.objects.count(),
        "acknowledgements_queued": OutboundEmail.objects.filter(
            kind=OutboundEmail.Kind.ACKNOWLEDGEMENT
        ).count(),
        "quarantined": InboundEmail.objects.filter(status=InboundEmail.Status.QUARANTINED).count(),
        "rule_routed": Case.objects.filter(routed_by__isnull=False).count(),
        # Figures from what email_receive returned for the timed messages.
        "mix": dict(tally.kinds),
        "with_html": tally.html,
        "with_attachment": tally.attachments,
        "remittance_advice_sent": tally.remittances,
        "acknowledgements_returned": tally.acknowledged,
        "rule_routed_returned": tally.routed,
        "quarantined_returned": tally.quarantined,
        "duplicates_ignored": tally.duplicates_ignored,
        "threaded_by_reference": tally.threaded_by_reference,
        "threaded_by_in_reply_to": tally.threaded_by_in_reply_to,
        "mismatches": tally.mismatches,
        "analyse_seconds": round(analysed_seconds, 2) if vendor == "postgresql" else None,
        "steal_seconds": round(steal_ended - steal_started, 1)
        if steal_started is not None and steal_ended is not None
        else None,
        "per_thousand_seconds": [round(s, 3) for s in per_thousand],
        "per_thousand_cpu_seconds": [round(s, 3) for s in cpu_per_thousand],
        "query_sample": sample,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
