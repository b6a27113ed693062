"""Messages that arrive together (an IMAP poll, a folder import) are stored in one batch: each
must come out exactly as it would alone, and one bad message must not cost the others."""

import pytest

from frontdoor.cases.models import Case, CaseEvent, Contact
from frontdoor.customers.models import Customer
from frontdoor.intake.email import services
from frontdoor.intake.email.models import InboundEmail
from frontdoor.intake.email.services import (
    IncomingEmail,
    emails_receive,
    emails_receive_all,
    in_batches,
)
from frontdoor.notify.models import OutboundEmail
from tests.intake.email.mail import message, receive


def arriving(inbox, *mails):
    return [IncomingEmail(raw=m.as_bytes(), contact_point=inbox, source="imap") for m in mails]


def test_a_batch_threads_stores_and_answers_each_message_in_order(waste_inbox):
    earlier = receive(waste_inbox, message(sender="ann@example.com", subject="Bin missed"))
    opening = message(sender="Bo Diddley <bo@example.com>", subject="Fly-tipping")
    by_reference = message(
        sender="ann@example.com", subject=f"Re: [Ref: {earlier.case.reference}] Bin missed"
    )
    # Bo writes again before anyone answers, threading to his own first message.
    follow_up = message(
        sender="bo@example.com", subject="Re: Fly-tipping", in_reply_to=opening["Message-ID"]
    )
    unreadable = b"Subject: who sent this?\r\n\r\nnobody"
    batch = arriving(waste_inbox, opening, by_reference, follow_up, opening)
    batch.insert(3, IncomingEmail(raw=unreadable, contact_point=waste_inbox, source="imap"))

    stored = emails_receive(messages=batch)

    new, replied, followed, broken, again = stored
    assert (new.status, broken.status) == ("accepted", "quarantined")
    assert "no sender address" in broken.quarantine_reason
    assert replied.case == earlier.case and followed.case == new.case != earlier.case
    assert again == new
    assert InboundEmail.objects.count() == 5  # the earlier message and four of the batch
    assert Case.objects.count() == 2 and Contact.objects.count() == 4
    assert list(OutboundEmail.objects.values_list("to_address", flat=True).order_by("pk")) == [
        "ann@example.com",
        "bo@example.com",
    ]
    assert followed.acknowledgement_skipped == "A follow-up on an open case"
    assert new.case.customer.display_name == "Bo Diddley"
    kinds = list(new.case.events.values_list("kind", flat=True))
    assert kinds == [CaseEvent.Kind.OPENED, CaseEvent.Kind.CONTACT, CaseEvent.Kind.CONTACT]


def test_one_batch_gives_the_same_cases_as_one_message_at_a_time(waste_inbox, general_inbox):
    def mails():
        return [
            (waste_inbox, message(sender=f"p{n % 3}@example.com", subject=f"Bin {n}"))
            for n in range(5)
        ] + [(general_inbox, message(sender="p1@example.com", subject="Remittance Advice 7"))]

    def outcome():
        cases = Case.objects.order_by("pk")
        return (
            [
                (c.summary, c.customer.emails.get().address, c.status, c.department.name)
                for c in cases
            ],
            Customer.objects.count(),
            sorted(OutboundEmail.objects.values_list("to_address", flat=True)),
        )

    for inbox, mail in mails():
        receive(inbox, mail)
    one_at_a_time = outcome()
    for model in (OutboundEmail, InboundEmail, CaseEvent, Contact, Case):
        model.objects.all().delete()
    Customer.objects.all().delete()

    emails_receive(
        messages=[
            IncomingEmail(raw=m.as_bytes(), contact_point=inbox, source="imap")
            for inbox, m in mails()
        ]
    )
    together = outcome()
    assert together == one_at_a_time
    assert together[0][-1][2:] == ("forwarded", "Finance")


def test_references_in_a_batch_are_consecutive(waste_inbox):
    stored = emails_receive(
        messages=arriving(waste_inbox, *(message(subject=f"Bin {n}") for n in range(4)))
    )
    numbers = [int(e.case.reference.rsplit("-", 1)[1]) for e in stored]
    assert numbers == list(range(numbers[0], numbers[0] + 4))


def test_the_hourly_limit_holds_within_a_batch(waste_inbox):
    emails_receive(
        messages=arriving(waste_inbox, *(message(subject=f"Loop {n}") for n in range(5)))
    )
    assert OutboundEmail.objects.count() == 3
    assert InboundEmail.objects.filter(acknowledgement_skipped__contains="limit").count() == 2


def test_a_message_that_trips_a_fault_is_quarantined_and_the_rest_are_kept(
    waste_inbox, monkeypatch, caplog
):
    real = services.rule_for

    def faulty(facts):
        if "poison" in facts.subject:
            raise KeyError("a fault in the rules")
        return real(facts)

    monkeypatch.setattr(services, "rule_for", faulty)
    good, bad, also_good = emails_receive(
        messages=arriving(
            waste_inbox,
            message(subject="Bin one"),
            message(subject="A poison message"),
            message(subject="Bin two"),
        )
    )
    assert (good.status, also_good.status) == ("accepted", "accepted")
    assert bad.status == "quarantined" and bad.pk is not None
    # Staff see who sent it and what about, in the quarantine list.
    assert (bad.subject, bad.from_address) == ("A poison message", "jo.bloggs@example.com")
    assert "KeyError" in bad.quarantine_reason and "process it again" in bad.quarantine_reason
    assert "Could not process message" in caplog.text
    assert Case.objects.count() == 2


def test_a_failure_of_the_database_itself_keeps_nothing_and_is_raised(waste_inbox, monkeypatch):
    from django.db import OperationalError

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "acknowledgements_queue", locked)
    with pytest.raises(OperationalError):
        emails_receive(messages=arriving(waste_inbox, message(), message()))
    assert not InboundEmail.objects.exists() and not Case.objects.exists()


def test_batches_are_bounded_by_count_and_by_size(settings, monkeypatch):
    monkeypatch.setattr(services, "BATCH_MESSAGES", 3)
    monkeypatch.setattr(services, "BATCH_BYTES", 10)
    sizes = [1, 1, 1, 1, 8, 4, 20, 1]
    batches = list(in_batches(sizes, size=lambda n: n))
    assert batches == [[1, 1, 1], [1, 8], [4], [20], [1]]


def test_batch_after_batch_read_in_another_process_threads_across_batches(waste_inbox, monkeypatch):
    monkeypatch.setattr(services, "_cores", lambda: 2)

    def read_here(*args, **kwargs):
        raise AssertionError("read in this process, not in the reader")

    monkeypatch.setattr(services, "email_read", read_here)
    first = message(sender="ann@example.com", subject="Bin missed")
    reply = message(
        sender="ann@example.com", subject="Re: Bin missed", in_reply_to=first["Message-ID"]
    )
    unreadable = IncomingEmail(raw=b"Subject: ?\r\n\r\n?", contact_point=waste_inbox, source="x")
    batches = [
        arriving(waste_inbox, first, message(subject="Fly-tipping")),
        [*arriving(waste_inbox, reply, first), unreadable],
    ]
    (opened, other), (replied, again, broken) = list(emails_receive_all(batches=batches))
    assert replied.case == opened.case != other.case and again == opened
    assert broken.status == "quarantined" and "no sender address" in broken.quarantine_reason
    assert Case.objects.count() == 2 and InboundEmail.objects.count() == 4


def test_mail_is_still_read_and_stored_when_the_reader_process_dies(
    waste_inbox, monkeypatch, caplog
):
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    submitted = []

    class DeadReaders:
        """A pool whose process was killed (out of memory, say)."""

        def __init__(self, **options):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def submit(self, *args, **kwargs):
            submitted.append(args)
            killed = Future()
            killed.set_exception(BrokenProcessPool("the reader was killed"))
            return killed

    monkeypatch.setattr(services, "_cores", lambda: 2)
    monkeypatch.setattr(services, "ProcessPoolExecutor", DeadReaders)
    batches = [arriving(waste_inbox, message(subject=f"Bin {n}")) for n in range(3)]
    stored = [email for batch in emails_receive_all(batches=batches) for email in batch]
    assert [e.status for e in stored] == ["accepted"] * 3 and Case.objects.count() == 3
    assert "reading the rest of the mail here" in caplog.text
    assert len(submitted) == 3


def test_a_batch_that_loses_a_race_looks_again_and_takes_what_the_winner_stored(
    waste_inbox, monkeypatch
):
    raced = message(subject="Bin missed")
    winner = receive(waste_inbox, raced)  # another receiver stored it a moment before
    real = services.stored_keys
    looks = []

    def too_early_then_real(identities):
        looks.append(identities)
        return {} if len(looks) == 1 else real(identities)

    monkeypatch.setattr(services, "stored_keys", too_early_then_real)
    again, other = emails_receive(messages=arriving(waste_inbox, raced, message(subject="Other")))
    assert again == winner and other.case not in (None, winner.case)
    assert (InboundEmail.objects.count(), Case.objects.count(), Contact.objects.count()) == (
        2,
        2,
        2,
    )
    assert OutboundEmail.objects.count() == 2


def test_values_a_database_would_refuse_are_made_to_fit(waste_inbox):
    # PostgreSQL refuses NUL in text and values longer than their column.
    raw = (
        b"From: jo@example.com\r\n"
        b"Subject: =?utf-8?q?Bin=00_missed?=\r\n"
        b"Message-ID: <" + b"x" * 320 + b"@example.com>\r\n"
        b"Auto-Submitted: auto-replied; " + b"z" * 300 + b"\r\n"
        b"\r\n"
        b"Missed\x00 again"
    )
    incoming = IncomingEmail(raw=raw, contact_point=waste_inbox, source="smtp")
    (email,) = emails_receive(messages=[incoming])
    email.refresh_from_db()
    assert email.status == "accepted" and email.subject == "Bin missed"
    assert email.text_body == "Missed again" and len(email.auto_reply_reason) == 200
    assert len(email.message_key) == 300
    assert email.contact.source_key == f"email:{waste_inbox.pk}:{email.message_key}"
    assert emails_receive(messages=[incoming]) == [email]


def test_a_value_the_database_refuses_quarantines_that_message_only(waste_inbox, monkeypatch):
    from django.db import DataError

    real = services._new_case

    def refused(email, parsed, rule, previous):
        if "refused" in parsed.subject:
            raise DataError("value too long for type character varying(200)")
        return real(email, parsed, rule, previous)

    monkeypatch.setattr(services, "_new_case", refused)
    kept, bad = emails_receive(
        messages=arriving(waste_inbox, message(subject="Bin"), message(subject="A refused one"))
    )
    assert kept.status == "accepted" and bad.status == "quarantined" and bad.raw
    assert "The database refused part of this message" in bad.quarantine_reason
    # What was understood is not stored again, in case that is what the database refused.
    assert bad.subject == ""
