"""IMAP mailboxes against a real IMAP server on loopback (Debian's dovecot)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.db import OperationalError

from frontdoor.cases.models import Case
from frontdoor.intake.email import imap
from frontdoor.intake.email.imap import imap_mailbox_poll, imap_mailboxes_poll
from frontdoor.intake.email.models import ImapMailbox, InboundEmail
from tests.concurrency import at_once
from tests.intake.email.mail import message

if TYPE_CHECKING:
    from tests.imap_server import ImapServer

pytestmark = pytest.mark.django_db(transaction=True)

SEEN = "\\Seen"


@pytest.fixture
def mailbox(council, waste_inbox, clean_imap_server: ImapServer) -> ImapMailbox:
    server = clean_imap_server
    return ImapMailbox.objects.create(
        contact_point=waste_inbox,
        host=server.host,
        port=server.port,
        security=ImapMailbox.Security.NONE,
        username=server.username,
        password=server.password,
    )


def test_new_mail_is_fetched_stored_and_only_then_marked_seen(mailbox, clean_imap_server):
    server = clean_imap_server
    server.append(message(subject="Bin missed").as_bytes())
    server.append(message(subject="Already read", sender="x@example.com").as_bytes(), seen=True)
    result = imap_mailbox_poll(mailbox)
    assert (result.fetched, result.error) == (1, "")
    email = InboundEmail.objects.get()
    assert (email.source, email.subject, email.case.summary) == ("imap", "Bin missed", "Bin missed")
    assert all(SEEN in flags for _, flags in server.flags())
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at and mailbox.last_fetched == 1 and mailbox.last_error == ""
    # Polling again finds nothing new.
    assert imap_mailbox_poll(mailbox).fetched == 0
    assert InboundEmail.objects.count() == 1


def test_processed_mail_can_be_moved_to_a_folder_instead(mailbox, clean_imap_server):
    server = clean_imap_server
    server.create_folder("Frontdoor/Done")
    mailbox.move_to = "Frontdoor/Done"
    mailbox.save()
    server.append(message(subject="One").as_bytes())
    server.append(message(subject="Two", sender="b@example.com").as_bytes(), seen=True)
    assert imap_mailbox_poll(mailbox).fetched == 2  # read or not, what is left is new
    assert server.flags("INBOX") == []
    assert len(server.flags("Frontdoor/Done")) == 2
    assert Case.objects.count() == 2


def test_a_message_not_stored_stays_unread_for_the_next_poll(
    mailbox, clean_imap_server, monkeypatch
):
    server = clean_imap_server
    server.append(message(subject="Bin missed").as_bytes())

    def broken(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(imap, "emails_receive", broken)
    result = imap_mailbox_poll(mailbox)
    assert result.fetched == 0 and "stays unread" in result.error
    assert [SEEN in flags for _, flags in server.flags()] == [False]
    monkeypatch.undo()
    assert imap_mailbox_poll(mailbox).fetched == 1
    assert InboundEmail.objects.count() == 1


def test_a_crash_after_storing_but_before_marking_takes_nothing_twice(
    mailbox, clean_imap_server, monkeypatch
):
    server = clean_imap_server
    server.append(message(subject="Bin missed").as_bytes())
    monkeypatch.setattr(imap, "_done_with", lambda *args: (_ for _ in ()).throw(OSError("gone")))
    imap_mailbox_poll(mailbox)
    monkeypatch.undo()
    assert imap_mailbox_poll(mailbox).fetched == 1  # fetched again, found already stored
    assert (InboundEmail.objects.count(), Case.objects.count()) == (1, 1)
    assert all(SEEN in flags for _, flags in server.flags())


def test_overlapping_pollers_take_each_message_once(mailbox, clean_imap_server):
    server = clean_imap_server
    for n in range(6):
        server.append(message(subject=f"Enquiry {n}", sender=f"p{n}@example.com").as_bytes())
    at_once(lambda: imap_mailbox_poll(ImapMailbox.objects.get(pk=mailbox.pk)), threads=2)
    assert (InboundEmail.objects.count(), Case.objects.count()) == (6, 6)


def test_unparseable_mail_is_quarantined_and_marked_seen(mailbox, clean_imap_server):
    server = clean_imap_server
    server.append(b"From: \r\nSubject: =?bogus?Q?x?=\r\n\r\n" + b"\xff" * 10)
    imap_mailbox_poll(mailbox)
    email = InboundEmail.objects.get()
    assert email.source == "imap"
    assert email.status in ("quarantined", "accepted")  # kept either way, never dropped
    assert all(SEEN in flags for _, flags in server.flags())


def test_a_wrong_password_is_reported_on_the_mailbox(mailbox):
    mailbox.password = "wrong"
    mailbox.save()
    result = imap_mailbox_poll(mailbox)
    assert "refused to sign in" in result.error
    mailbox.refresh_from_db()
    assert "refused to sign in" in mailbox.last_error


def test_nothing_listening_is_reported_plainly(mailbox):
    from tests.intake.email.test_smtp import free_port

    mailbox.port = free_port()
    mailbox.save()
    assert "Nothing answers at 127.0.0.1" in imap_mailbox_poll(mailbox).error


def test_the_worker_polls_active_mailboxes_of_inboxes_in_use(mailbox, clean_imap_server):
    clean_imap_server.append(message().as_bytes())
    assert [r.fetched for r in imap_mailboxes_poll()] == [1]
    mailbox.is_active = False
    mailbox.save()
    assert imap_mailboxes_poll() == []
