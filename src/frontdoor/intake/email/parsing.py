"""Turning raw message bytes into what Frontdoor keeps, with the standard library's modern
email API (policy.default, with each distinct header value parsed once). Pure functions:
nothing here touches the database.

A message we cannot understand raises Unparseable with a reason staff can read; the caller
quarantines it with its raw bytes."""

from __future__ import annotations

import functools
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import PurePosixPath

from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename

MAX_HEADER_BYTES = 256 * 1024
MAX_HEADERS = 1000
MAX_PARTS = 500
# An archive that would unpack to more than this many times its size is treated as a bomb.
MAX_ARCHIVE_RATIO = 100
_MESSAGE_ID = re.compile(r"<[^<>\s\x00]+>")


class _RememberedHeaders(HeaderRegistry):
    """The modern API parses a header again each time it is read (get_body alone reads a
    part's Content-Type a dozen times), and the MIME structure headers repeat from message to
    message (Content-Type: text/plain; charset="utf-8"). Header objects are immutable, so each
    distinct value of those is parsed once and shared. One-off headers (Subject, From) are not
    remembered: thousands of their parse trees would only make the garbage collector work."""

    def __call__(self, name: str, value: str) -> BaseHeader:
        if name.lower() in STRUCTURE_HEADERS and len(value) <= 998:  # RFC 5322's longest line
            return _header_parsed(self, name, value)
        return super().__call__(name, value)

    @functools.lru_cache(maxsize=64)  # noqa: B019 - one registry for the life of the process
    def __getitem__(self, name: str) -> type[BaseHeader]:
        # The stdlib builds a new class on every call; the class for a name never changes.
        return super().__getitem__(name)


STRUCTURE_HEADERS = frozenset(
    {"content-type", "content-transfer-encoding", "content-disposition", "mime-version"}
)


@functools.lru_cache(maxsize=1024)
def _header_parsed(registry: HeaderRegistry, name: str, value: str) -> BaseHeader:
    return registry[name](name, value)


POLICY = policy.default.clone(header_factory=_RememberedHeaders())


class Unparseable(Exception):
    """A message that cannot be understood; str(error) says why, for staff."""


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    size: int
    content: bytes | None
    content_id: str = ""
    inline: bool = False
    omitted_reason: str = ""


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str
    from_address: str
    from_name: str
    subject: str
    sent_at: datetime | None
    in_reply_to: list[str]
    references: list[str]
    text_body: str
    html_body: str
    auto_reply_reason: str
    attachments: list[ParsedAttachment] = field(default_factory=list)


def message_key(raw: bytes) -> str:
    """The message's identity: its Message-ID when it has a usable one, else a content hash."""
    return _key(_message_id_of(raw), raw)


def _key(message_id: str, raw: bytes) -> str:
    return message_id or "sha256:" + hashlib.sha256(raw).hexdigest()


def _message_id_of(raw: bytes) -> str:
    try:
        headers = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
        value = headers.get("Message-ID")
    except Exception:  # noqa: BLE001 - any failure here just means "no usable Message-ID"
        return ""
    return _first_message_id(value)


def _first_message_id(value: object) -> str:
    found = _MESSAGE_ID.search(str(value)) if value else None
    return found.group(0)[:300] if found else ""


@dataclass(frozen=True)
class Reading:
    """A message's key (message_key) and what could be understood of it, or why nothing."""

    key: str
    parsed: ParsedEmail | str


def messages_read(
    messages: list[tuple[bytes, str | None]], *, max_bytes: int, max_attachment_bytes: int
) -> list[Reading]:
    """Key and read each (raw bytes, envelope sender). Pure, so it can run in another process
    (see services.emails_receive_all)."""
    return [
        Reading(
            key=message_key(raw),
            parsed=email_read(
                raw,
                envelope_from=envelope_from,
                max_bytes=max_bytes,
                max_attachment_bytes=max_attachment_bytes,
            ),
        )
        for raw, envelope_from in messages
    ]


def email_read(
    raw: bytes, *, envelope_from: str | None, max_bytes: int, max_attachment_bytes: int
) -> ParsedEmail | str:
    """What can be understood of a message, or why nothing can, for staff: never an
    exception, so one odd message cannot stop the others arriving with it."""
    try:
        return email_parse(
            raw,
            envelope_from=envelope_from,
            max_bytes=max_bytes,
            max_attachment_bytes=max_attachment_bytes,
        )
    except Unparseable as error:
        return str(error)


def message_ids(value: str | None) -> list[str]:
    return [m[:300] for m in _MESSAGE_ID.findall(value or "")]


def email_parse(
    raw: bytes, *, envelope_from: str | None, max_bytes: int, max_attachment_bytes: int
) -> ParsedEmail:
    if len(raw) > max_bytes:
        raise Unparseable(f"The message is {len(raw):,} bytes, over the {max_bytes:,} byte limit.")
    header_block = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    if len(header_block) > MAX_HEADER_BYTES:
        raise Unparseable(f"Its headers are {len(header_block):,} bytes, more than we accept.")
    try:
        message = BytesParser(policy=POLICY).parsebytes(raw)
    except Exception as error:  # noqa: BLE001 - the parser's own failure is the reason
        raise Unparseable(f"The message could not be read as email: {error}") from error
    if not isinstance(message, EmailMessage):
        raise Unparseable("The message could not be read as email.")
    if len(message.keys()) > MAX_HEADERS:
        raise Unparseable(f"It has {len(message.keys()):,} headers, more than we accept.")
    try:
        return _parsed(message, envelope_from, max_attachment_bytes)
    except Unparseable:
        raise
    except Exception as error:  # noqa: BLE001 - the standard library's own failure is the reason
        raise Unparseable(
            f"Part of it could not be read ({type(error).__name__}: {error})."
        ) from error


def _parsed(
    message: EmailMessage, envelope_from: str | None, max_attachment_bytes: int
) -> ParsedEmail:
    tokens = _raw_headers(message)
    from_name, from_address = _sender(tokens)
    if not from_address:
        raise Unparseable("It has no sender address (From) we can reply to.")
    text_body, html_body, body_parts = _bodies(message)
    return ParsedEmail(
        message_id=_first_message_id(tokens.get("message-id")),
        from_address=from_address,
        from_name=from_name,
        subject=_header(message, "subject")[:500],
        sent_at=_date(tokens.get("date", "")),
        in_reply_to=message_ids(tokens.get("in-reply-to")),
        references=message_ids(tokens.get("references")),
        text_body=text_body,
        html_body=html_body,
        auto_reply_reason=_auto_reply_reason(message, tokens, from_address, envelope_from)[:200],
        attachments=_attachments(message, body_parts, max_attachment_bytes),
    )


def _text(value: str) -> str:
    """Text as a database column can keep it: PostgreSQL refuses the NUL character."""
    return value.replace("\x00", "")


# Headers read as they came, without the modern API's parsing (which, for addresses, costs
# more than the rest of the message): tokens, ids and dates, which have no encoded words, and
# the sender's addresses, whose display names are decoded one by one (see _sender).
RAW_HEADERS = frozenset(
    {
        "from",
        "sender",
        "reply-to",
        "message-id",
        "in-reply-to",
        "references",
        "date",
        "auto-submitted",
        "precedence",
        "list-id",
        "x-auto-response-suppress",
        "return-path",
    }
)


def _raw_headers(message: EmailMessage) -> dict[str, str]:
    """The first value of each of RAW_HEADERS, unfolded, with runs of spaces made single and
    any 8-bit bytes read as UTF-8 (RFC 6532)."""
    found: dict[str, str] = {}
    for name, value in message.raw_items():
        key = name.lower()
        if key in RAW_HEADERS and key not in found:
            text = str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            found[key] = " ".join(_text(text).split())
    return found


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - a header too broken to decode is treated as absent
        return ""
    return " ".join(_text(str(value)).split()) if value is not None else ""


def _sender(headers: dict[str, str]) -> tuple[str, str]:
    for name in ("from", "sender", "reply-to"):
        for display, address in getaddresses([headers.get(name, "")]):
            if "@" in address and " " not in address.strip():
                local, _, domain = address.strip().rpartition("@")
                return _words_decoded(display).strip()[:200], f"{local}@{domain.lower()}"[:254]
    return "", ""


def _words_decoded(text: str) -> str:
    """A display name with its RFC 2047 encoded words (=?utf-8?q?Zo=C3=AB?=) decoded."""
    if "=?" not in text:
        return text
    try:
        return _text(str(make_header(decode_header(text))))
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        return text  # an unknown charset or a broken word: the name as it came


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # a garbage date: no date
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment


def _text_of(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, AssertionError, ValueError):
        pass  # an unknown or wrong charset: decode the bytes forgivingly below
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except (LookupError, ValueError):  # no such charset, or a name no codec could have
        return payload.decode("utf-8", errors="replace")


def _bodies(message: EmailMessage) -> tuple[str, str, set[int]]:
    chosen: set[int] = set()
    text = html = ""
    try:
        plain_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
    except Exception:  # noqa: BLE001 - a structure get_body cannot walk: no body found
        plain_part = html_part = None
    if plain_part is not None:
        text = _text_of(plain_part)
        chosen.add(id(plain_part))
    if html_part is not None:
        html = _text_of(html_part)
        chosen.add(id(html_part))
    if not text and html:
        text = html_to_text(html)
    return _text(text.replace("\r\n", "\n")).strip(), _text(html), chosen


def _attachments(
    message: EmailMessage, body_parts: set[int], max_bytes: int
) -> list[ParsedAttachment]:
    found: list[ParsedAttachment] = []
    for count, part in enumerate(message.walk()):
        if count > MAX_PARTS:
            break
        if part.is_multipart() or id(part) in body_parts:
            continue
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if disposition is None and not filename and part.get_content_maintype() == "text":
            continue  # an alternative body we did not choose; it stays in the raw message
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        content_type = part.get_content_type()
        omitted = ""
        if len(data) > max_bytes:
            omitted = f"Over the {max_bytes:,} byte limit for an attachment"
        elif _is_archive_bomb(content_type, filename, data):
            omitted = "An archive that would unpack to far more than its size"
        found.append(
            ParsedAttachment(
                filename=_safe_filename(filename, content_type, len(found) + 1),
                content_type=_text(content_type)[:120],
                size=len(data),
                content=None if omitted else data,
                content_id=_text(str(part.get("content-id") or "").strip("<> "))[:300],
                inline=disposition == "inline",
                omitted_reason=omitted,
            )
        )
    return found


def _safe_filename(filename: str | None, content_type: str, number: int) -> str:
    # Only the last part of a path a sender gave, in characters safe on any disk.
    base = PurePosixPath((filename or "").replace("\\", "/")).name
    try:
        name = get_valid_filename(base)[:150]
    except SuspiciousFileOperation:  # nothing usable was left of it
        name = ""
    if not name.strip("._-"):
        extension = re.sub(r"[^a-z0-9]", "", content_type.split("/")[-1].lower())[:16] or "bin"
        name = f"attachment-{number}.{extension}"
    return name


def _is_archive_bomb(content_type: str, filename: str | None, data: bytes) -> bool:
    looks_zip = content_type in {"application/zip", "application/x-zip-compressed"} or (
        filename or ""
    ).lower().endswith(".zip")
    if not looks_zip or not data:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return unpacked > MAX_ARCHIVE_RATIO * max(len(data), 1)


def _auto_reply_reason(
    message: EmailMessage, tokens: dict[str, str], from_address: str, envelope_from: str | None
) -> str:
    """Why this message must not be answered automatically (RFC 3834 and common practice)."""
    auto_submitted = tokens.get("auto-submitted", "").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = tokens.get("precedence", "").lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {precedence}"
    if tokens.get("list-id"):
        return "Mailing list (List-Id)"
    if tokens.get("x-auto-response-suppress"):
        return "X-Auto-Response-Suppress"
    if message.get_content_type() == "multipart/report":
        return "Delivery report (bounce)"
    return_path = tokens.get("return-path", "")
    if envelope_from is not None and envelope_from.strip("<> ") == "":
        return "Null return path (bounce)"
    if return_path and return_path.strip("<> ") == "":
        return "Null return path (bounce)"
    local = from_address.split("@")[0]
    if local in {"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply"}:
        return f"Sent from {local}"
    return ""


_QUOTE_STARTS = re.compile(
    r"^(On .{3,200} wrote:\s*$|-{2,}\s*Original Message\s*-{2,}|From: .+|_{10,})",
    re.IGNORECASE,
)


def quoted_history_split(text: str) -> tuple[str, str]:
    """(what is new, the quoted history) of a reply, for display; the whole text is kept.

    History starts at an attribution line ("On … wrote:", "-----Original Message-----",
    "From: …") or where a run of "> " quoted lines runs to the end."""
    lines = text.splitlines()
    for index in range(1, len(lines)):
        if _QUOTE_STARTS.match(lines[index].strip()):
            return "\n".join(lines[:index]).rstrip(), "\n".join(lines[index:])
    start = len(lines)
    while start > 1 and (not lines[start - 1].strip() or lines[start - 1].lstrip().startswith(">")):
        start -= 1
    if start < len(lines) and any(line.lstrip().startswith(">") for line in lines[start:]):
        return "\n".join(lines[:start]).rstrip(), "\n".join(lines[start:])
    return text, ""


_TAGS = re.compile(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)


def html_to_text(html: str) -> str:
    """A plain reading of an HTML-only message, for search and the case description."""
    import html as html_lib

    text = re.sub(r"<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", html, flags=re.IGNORECASE)
    text = html_lib.unescape(_TAGS.sub("", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
