"""Fetching mail from IMAP mailboxes into the one intake pipeline.

A message is fetched with BODY.PEEK (which leaves it unread), stored by emails_receive with
the rest of its batch, and only once that batch is committed marked \\Seen or moved. A crash
in between means it is fetched again next time and found already stored: nothing lost,
nothing taken twice. Two pollers on one mailbox are safe for the same reason."""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections
from django.utils import timezone

from frontdoor.intake.email.models import ImapMailbox, InboundEmail
from frontdoor.intake.email.services import IncomingEmail, emails_receive, in_batches

log = logging.getLogger(__name__)

# A poll takes at most this many messages from a mailbox; the rest wait for the next poll.
BATCH = 200
TIMEOUT = 30


class ImapError(Exception):
    """The server refused something; the message says what, for the mailbox's status."""


@dataclass(frozen=True)
class PollResult:
    fetched: int
    error: str = ""


def _check(response: tuple[str, list], doing: str) -> list:
    status, data = response
    if status != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
        raise ImapError(f"The server refused to {doing}: {detail or status}")
    return data


def _connect(mailbox: ImapMailbox) -> imaplib.IMAP4:
    client: imaplib.IMAP4
    if mailbox.security == ImapMailbox.Security.SSL:
        client = imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT
        )
    else:
        client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
        if mailbox.security == ImapMailbox.Security.STARTTLS:
            client.starttls(ssl_context=ssl.create_default_context())
    try:
        _check(client.login(mailbox.username, mailbox.password), "sign in")
    except imaplib.IMAP4.error as error:
        client.shutdown()
        raise ImapError(f"The server refused to sign in: {error}") from error
    return client


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _raw_message(data: list) -> bytes | None:
    for part in data:
        if isinstance(part, tuple) and len(part) == 2 and isinstance(part[1], bytes):
            return part[1]
    return None


def _done_with(client: imaplib.IMAP4, uid: str, mailbox: ImapMailbox) -> None:
    """Mark one committed message as dealt with on the server."""
    if not mailbox.move_to:
        _check(client.uid("STORE", uid, "+FLAGS", r"(\Seen)"), "mark a message as read")
        return
    target = _quoted(mailbox.move_to)
    if b"MOVE" in _capabilities(client):
        _check(client.uid("MOVE", uid, target), f"move a message to {mailbox.move_to}")
        return
    _check(client.uid("COPY", uid, target), f"copy a message to {mailbox.move_to}")
    _check(client.uid("STORE", uid, "+FLAGS", r"(\Seen \Deleted)"), "mark a message as moved")
    if b"UIDPLUS" in _capabilities(client):
        _check(client.uid("EXPUNGE", uid), "remove a moved message")
    else:
        _check(client.expunge(), "remove a moved message")


def _capabilities(client: imaplib.IMAP4) -> set[bytes]:
    return {c.upper().encode() if isinstance(c, str) else c.upper() for c in client.capabilities}


def _fetched(
    client: imaplib.IMAP4, uids: list[str], mailbox: ImapMailbox
) -> Iterator[tuple[str, IncomingEmail]]:
    """Each message, left unread on the server, with its UID."""
    for uid in uids:
        data = _check(client.uid("FETCH", uid, "(BODY.PEEK[])"), "fetch a message")
        raw = _raw_message(data)
        if raw is None:
            continue  # deleted by someone else since the search
        yield (
            uid,
            IncomingEmail(
                raw=raw, contact_point=mailbox.contact_point, source=InboundEmail.Source.IMAP
            ),
        )


def imap_mailbox_poll(mailbox: ImapMailbox) -> PollResult:
    """Fetch, store and mark the new mail in one mailbox; the outcome is kept on it."""
    fetched = 0
    error = ""
    try:
        client = _connect(mailbox)
        try:
            _check(client.select(_quoted(mailbox.folder)), f"open the folder {mailbox.folder}")
            # Moved mail leaves the folder, so everything left is new, read or not.
            criterion = "ALL" if mailbox.move_to else "UNSEEN"
            uids = _check(client.uid("SEARCH", criterion), "list new messages")[0].split()
            messages = _fetched(client, [u.decode() for u in uids[:BATCH]], mailbox)
            for batch in in_batches(messages, size=lambda pair: len(pair[1].raw)):
                emails_receive(messages=[incoming for _, incoming in batch])
                for uid, _ in batch:
                    _done_with(client, uid, mailbox)
                fetched += len(batch)
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()
    except (ImapError, imaplib.IMAP4.error, OSError) as problem:
        error = _readable(problem, mailbox)
        log.warning("IMAP mailbox %s: %s", mailbox, error)
    except Exception as problem:
        # Storing failed (the database, say): the message stays unread for the next poll.
        error = f"A message could not be stored and stays unread: {problem}"
        log.exception("IMAP mailbox %s: could not store a message", mailbox)
    ImapMailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(), last_fetched=fetched, last_error=error
    )
    return PollResult(fetched=fetched, error=error)


def _readable(problem: Exception, mailbox: ImapMailbox) -> str:
    if isinstance(problem, ImapError):
        return str(problem)
    if isinstance(problem, ConnectionRefusedError):
        return f"Nothing answers at {mailbox.host}:{mailbox.port}; check the host and port."
    if isinstance(problem, TimeoutError):
        return f"{mailbox.host}:{mailbox.port} did not answer in {TIMEOUT} seconds."
    if isinstance(problem, ssl.SSLError):
        return f"A secure connection failed ({problem}); check the security setting."
    text = re.sub(r"\s+", " ", str(problem)).strip()
    return f"{type(problem).__name__}: {text}"


def imap_mailboxes_poll() -> list[PollResult]:
    """Poll every active mailbox of an inbox that is not retired."""
    results = []
    mailboxes = ImapMailbox.objects.filter(is_active=True).exclude(contact_point__status="retired")
    for mailbox in mailboxes.select_related("contact_point__service"):
        results.append(imap_mailbox_poll(mailbox))
        connections.close_all()
    return results
