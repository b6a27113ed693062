"""The IMAP test server (tests/imap_server.py) behaves like a real mailbox."""

from __future__ import annotations

import imaplib
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    # Imported for annotations only: importing it before pytest_plugins loads it as a plugin
    # would stop pytest from rewriting its asserts (PytestAssertRewriteWarning).
    from tests.imap_server import ImapServer

pytest_plugins = ["tests.imap_server"]


def _message(subject: str) -> bytes:
    return (
        f"From: Resident <resident@example.org>\r\n"
        f"To: Council <contact@council.example>\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <{subject.replace(' ', '-')}@example.org>\r\n"
        f"\r\n"
        f"About {subject}.\r\n"
    ).encode()


def test_appended_messages_are_unseen(clean_imap_server: ImapServer):
    server = clean_imap_server
    server.append(_message("missed bin"))
    server.append(_message("pothole"))

    flags = server.flags()
    assert len(flags) == 2
    (first_uid, first_flags), (second_uid, second_flags) = flags
    assert first_uid < second_uid
    assert first_flags == second_flags == set()
    assert server.messages() == [_message("missed bin"), _message("pothole")]
    # Reading the messages did not mark them \Seen.
    assert [flags for _, flags in server.flags()] == [set(), set()]


def test_append_seen(clean_imap_server: ImapServer):
    clean_imap_server.append(_message("already read"), seen=True)

    assert [flags for _, flags in clean_imap_server.flags()] == [{"\\Seen"}]


def test_store_seen_flag_reads_back(clean_imap_server: ImapServer):
    server = clean_imap_server
    server.append(_message("missed bin"))
    server.append(_message("pothole"))
    (first_uid, _), (second_uid, _) = server.flags()

    with server.session() as conn:
        conn.select("INBOX")
        typ, _ = conn.uid("STORE", str(second_uid), "+FLAGS", r"(\Seen)")
        assert typ == "OK"

    assert server.flags() == [(first_uid, set()), (second_uid, {"\\Seen"})]


def test_clear_empties_every_folder(clean_imap_server: ImapServer):
    server = clean_imap_server
    server.create_folder("Processed")
    server.create_folder("Done/Waste and recycling")
    server.append(_message("missed bin"))
    server.append(_message("pothole"), folder="Processed", seen=True)
    server.append(_message("bulky item"), folder="Done/Waste and recycling")

    server.clear()

    assert server.flags() == []
    assert server.folders() == ["INBOX"]


def test_copy_and_move_to_a_second_folder(clean_imap_server: ImapServer):
    server = clean_imap_server
    server.create_folder("Processed")
    server.append(_message("missed bin"))
    server.append(_message("pothole"))
    (first_uid, _), (second_uid, _) = server.flags()

    with server.session() as conn:
        conn.select("INBOX")
        assert conn.uid("COPY", str(first_uid), "Processed")[0] == "OK"
        assert conn.uid("MOVE", str(second_uid), "Processed")[0] == "OK"

    assert server.messages() == [_message("missed bin")]
    assert server.messages("Processed") == [_message("missed bin"), _message("pothole")]
    assert sorted(server.folders()) == ["INBOX", "Processed"]


def test_folder_names_with_spaces_and_hierarchy(clean_imap_server: ImapServer):
    server = clean_imap_server
    server.create_folder("Done/Waste and recycling")
    server.append(_message("bulky item"), folder="Done/Waste and recycling")

    assert "Done/Waste and recycling" in server.folders()
    assert server.messages("Done/Waste and recycling") == [_message("bulky item")]


def test_wrong_password_is_refused(imap_server: ImapServer):
    conn = imaplib.IMAP4(imap_server.host, imap_server.port, timeout=10)
    try:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            conn.login(imap_server.username, "not-the-password")
    finally:
        conn.shutdown()
