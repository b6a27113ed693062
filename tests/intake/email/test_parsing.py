import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdoor.intake.email.parsing import (
    Unparseable,
    email_parse,
    message_key,
    quoted_history_split,
)
from tests.intake.email.mail import message

LIMITS = {"max_bytes": 5_000_000, "max_attachment_bytes": 100_000}


def parse(raw: bytes, envelope_from: str | None = "jo@example.com"):
    return email_parse(raw, envelope_from=envelope_from, **LIMITS)


def test_a_plain_message_is_read_whole():
    mail = message(subject="Missed bin", body="Hello\nIt was missed.")
    parsed = parse(mail.as_bytes())
    assert parsed.from_address == "jo.bloggs@example.com" and parsed.from_name == "Jo Bloggs"
    assert parsed.subject == "Missed bin" and parsed.text_body == "Hello\nIt was missed."
    assert parsed.message_id == mail["Message-ID"] and parsed.sent_at is not None
    assert parsed.auto_reply_reason == ""


def test_encoded_headers_and_a_latin_1_body_are_decoded():
    raw = (
        b"From: =?iso-8859-1?q?Zo=EB_Br=FCck?= <ZOE@Example.COM>\r\n"
        b"Subject: =?utf-8?b?Q2Fmw6kgbm9pc2Ug4oCTIHJlcG9ydA==?=\r\n"
        b"Message-ID: <a1@example.com>\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\n"
        b"Caf\xe9 noise every night\r\n"
    )
    parsed = parse(raw)
    assert parsed.from_name == "Zoë Brück" and parsed.from_address == "ZOE@example.com"
    assert parsed.subject == "Café noise – report"
    assert parsed.text_body == "Café noise every night"


def test_an_unknown_charset_is_read_forgivingly_not_rejected():
    raw = (
        b"From: jo@example.com\r\nSubject: x\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nPlain words \xff here\r\n"
    )
    parsed = parse(raw)
    assert parsed.text_body.startswith("Plain words") and "here" in parsed.text_body


def test_html_only_mail_gets_a_text_reading_and_keeps_its_html():
    mail = message(body="x")
    mail.set_content("<p>Pothole <b>outside</b> no. 4</p><script>alert(1)</script>", subtype="html")
    parsed = parse(mail.as_bytes())
    assert parsed.text_body == "Pothole outside no. 4"
    assert "<script>" in parsed.html_body  # kept as received; sanitised when shown


def test_attachments_get_safe_names_and_limits():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.txt", b"\0" * 20_000_000)
    mail = message(
        attachments=[
            ("../../etc/passwd", "text/plain", b"root:x:0:0"),
            ("photo of bin.jpg", "image/jpeg", b"\xff\xd8" + b"x" * 100),
            ("huge.pdf", "application/pdf", b"%PDF" + b"x" * 200_000),
            ("evidence.zip", "application/zip", bomb.getvalue()),
            ("!!!", "application/octet-stream", b"data"),
        ]
    )
    attachments = {a.filename: a for a in parse(mail.as_bytes()).attachments}
    assert set(attachments) == {
        "passwd",
        "photo_of_bin.jpg",
        "huge.pdf",
        "evidence.zip",
        "attachment-5.octetstream",
    }
    assert attachments["photo_of_bin.jpg"].content.startswith(b"\xff\xd8")
    assert attachments["huge.pdf"].content is None
    assert "limit" in attachments["huge.pdf"].omitted_reason
    assert attachments["evidence.zip"].content is None
    assert "unpack" in attachments["evidence.zip"].omitted_reason


def test_no_message_id_means_a_content_hash_key():
    raw = message(message_id=None).as_bytes()
    assert message_key(raw).startswith("sha256:") and message_key(raw) == message_key(raw)
    assert message_key(message(message_id="<x@y>").as_bytes()) == "<x@y>"


def test_a_garbage_date_is_no_date():
    raw = message().as_bytes().replace(b"Date: ", b"Date: not a date at all; was ")
    assert parse(raw).sent_at is None


def test_a_date_with_its_zone_is_kept_and_one_without_a_known_zone_is_not():
    dated = message(headers={}).as_bytes()
    dated = dated.replace(
        dated.split(b"Date: ")[1].split(b"\n")[0], b"Mon, 23 Nov 2026 09:15:00 +0100"
    )
    assert parse(dated).sent_at.isoformat() == "2026-11-23T09:15:00+01:00"
    unknown_zone = dated.replace(b"+0100", b"-0000")
    assert parse(unknown_zone).sent_at is None


def test_header_values_seen_before_are_read_afresh_for_each_message():
    # Parsed header values are shared between messages (parsing.POLICY): each message must
    # still get its own sender, subject and body.
    first = parse(message(sender="=?utf-8?q?Zo=C3=AB?= <zoe@example.com>", body="one").as_bytes())
    second = parse(message(sender="Jo <jo@example.com>", body="two").as_bytes())
    again = parse(message(sender="=?utf-8?q?Zo=C3=AB?= <zoe@example.com>", body="three").as_bytes())
    assert (first.from_name, first.text_body) == ("Zoë", "one")
    assert (second.from_name, second.text_body) == ("Jo", "two")
    assert (again.from_name, again.from_address, again.text_body) == (
        "Zoë",
        "zoe@example.com",
        "three",
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"Subject: nobody sent this\r\n\r\nbody", "no sender address"),
        (b"From: jo@example.com\r\n" + b"X-Pad: " + b"a" * 300_000 + b"\r\n\r\nx", "headers"),
        (b"From: jo@example.com\r\n\r\n" + b"x" * 5_000_001, "over the"),
    ],
)
def test_what_cannot_be_understood_says_why(raw, reason):
    with pytest.raises(Unparseable, match=reason):
        parse(raw)


@pytest.mark.parametrize(
    ("headers", "envelope_from", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "jo@example.com", "Auto-Submitted"),
        ({"Precedence": "bulk"}, "jo@example.com", "Precedence"),
        ({"List-Id": "<residents.example.com>"}, "jo@example.com", "List-Id"),
        ({"X-Auto-Response-Suppress": "All"}, "jo@example.com", "X-Auto-Response-Suppress"),
        ({}, "", "Null return path"),
        ({"Auto-Submitted": "no"}, "jo@example.com", ""),
    ],
)
def test_automatic_mail_is_recognised(headers, envelope_from, reason):
    parsed = parse(message(headers=headers).as_bytes(), envelope_from=envelope_from)
    assert (reason in parsed.auto_reply_reason) if reason else parsed.auto_reply_reason == ""


def test_quoted_history_is_split_off_for_display():
    fresh, quoted = quoted_history_split(
        "Still not fixed.\n\nOn Tue, 3 Mar 2026, Council wrote:\n> Thank you for your email"
    )
    assert fresh == "Still not fixed." and quoted.startswith("On Tue")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_any_bytes_are_either_read_or_refused_with_a_reason(raw):
    try:
        parse(raw)
    except Unparseable as error:
        assert str(error)


_header_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    subject=_header_text,
    sender=_header_text,
    body=st.text(max_size=2000),
    charset=st.sampled_from(["utf-8", "iso-8859-1", "windows-1252", "x-unknown", "ascii"]),
    date=_header_text,
    cte=st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "x-garbage"]),
)
def test_generated_messages_never_break_the_parser(subject, sender, body, charset, date, cte):
    head = (
        f"From: {sender}\r\nSubject: {subject}\r\nDate: {date}\r\n"
        f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
    )
    raw = head.encode("utf-8", "surrogateescape") + body.encode("utf-8", "replace")
    try:
        parsed = parse(raw)
    except Unparseable as error:
        assert str(error)
    else:
        assert "@" in parsed.from_address


def test_what_trips_the_standard_library_is_refused_with_a_reason_not_raised():
    from frontdoor.intake.email.parsing import email_read

    broken_parameter = (
        b"From: jo@example.com\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
        b"--b\r\nContent-Disposition: attachment; filename*\r\n\r\nxx\r\n--b--\r\n"
    )
    reason = email_read(broken_parameter, envelope_from=None, **LIMITS)
    assert isinstance(reason, str) and "could not be read" in reason


def test_a_charset_name_no_codec_could_have_is_read_as_utf_8():
    raw = b'From: jo@example.com\r\nContent-Type: text/plain; charset="utf\x00-8"\r\n\r\nhello\x00'
    assert parse(raw).text_body == "hello"
