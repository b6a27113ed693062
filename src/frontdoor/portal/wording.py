"""How a case reads to the resident it belongs to: plain English, and never staff's own words.

Staff write text on most timeline events for one another: the case title, a call's summary,
why a case was forwarded or reopened, what was asked of the customer, what was done. None of
it is shown here. Each kind of event gets wording of our own; only a customer's own update
shows its text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from frontdoor.cases.models import Case, CaseEvent, CaseFile, Channel, Contact

E = CaseEvent.Kind
S = Case.Status

# How the resident got in touch, as they would say it.
CHANNELS: dict[str, str] = {
    Channel.PHONE: "Phone",
    Channel.EMAIL: "Email",
    Channel.WEB_FORM: "Online form",
    Channel.E_FORM: "Online form",
    Channel.CHAT: "Web chat",
    Channel.SOCIAL: "Social media",
    Channel.FACE_TO_FACE: "In person",
    Channel.LETTER: "Letter",
    Channel.OPEN311: "Reporting app",
    Channel.STAFF: "Through council staff",
}

# How they got in touch, to finish "You got in touch …".
CHANNEL_PHRASES: dict[str, str] = {
    Channel.PHONE: "by phone",
    Channel.EMAIL: "by email",
    Channel.WEB_FORM: "online",
    Channel.E_FORM: "online",
    Channel.CHAT: "by web chat",
    Channel.SOCIAL: "on social media",
    Channel.FACE_TO_FACE: "in person",
    Channel.LETTER: "by letter",
    Channel.OPEN311: "through a reporting app",
}

# Channels where the case's description is the customer's own words, not a note of staff's.
CUSTOMER_WRITTEN = frozenset({Channel.EMAIL, Channel.WEB_FORM, Channel.E_FORM, Channel.OPEN311})

# Status: the words and the GOV.UK tag colour.
STATUSES: dict[str, tuple[str, str]] = {
    S.NEW: ("Received", "govuk-tag--blue"),
    S.IN_PROGRESS: ("In progress", "govuk-tag--turquoise"),
    S.FORWARDED: ("In progress", "govuk-tag--turquoise"),
    S.AWAITING_CUSTOMER: ("Waiting for you", "govuk-tag--yellow"),
    S.RESOLVED: ("Resolved", "govuk-tag--green"),
    S.CLOSED: ("Closed", "govuk-tag--grey"),
}

KINDS: dict[str, str] = {
    Case.Kind.REQUEST: "request",
    Case.Kind.ENQUIRY: "enquiry",
    Case.Kind.COMPLAINT: "complaint",
    Case.Kind.COMPLIMENT: "compliment",
    Case.Kind.COMMENT: "comment",
}

# Events that are staff's business even if one were ever marked for the customer.
INTERNAL = frozenset({E.NOTE, E.ASSIGNED, E.RELEASED})

_IN = Contact.Direction.INBOUND
_OUT = Contact.Direction.OUTBOUND
CONTACTS = {
    (Channel.PHONE, _IN): ("You phoned us", ""),
    (Channel.PHONE, _OUT): ("We phoned you", ""),
    (Channel.EMAIL, _IN): ("You emailed us", ""),
    (Channel.EMAIL, _OUT): ("We emailed you", "Check your email for our message."),
    (Channel.FACE_TO_FACE, _IN): ("You visited us", ""),
    (Channel.LETTER, _IN): ("You wrote to us", ""),
    (Channel.LETTER, _OUT): ("We wrote to you", ""),
    (Channel.CHAT, _IN): ("You contacted us by web chat", ""),
}


@dataclass(frozen=True)
class Status:
    label: str
    css: str


def status_of(case: Case) -> Status:
    label, css = STATUSES.get(case.status, (case.get_status_display(), ""))
    return Status(label, css)


def channel_of(case: Case) -> str:
    return CHANNELS.get(case.channel, case.get_channel_display())


@dataclass(frozen=True)
class Entry:
    """One line of the resident's timeline."""

    title: str
    at: datetime
    text: str = ""
    files: list[CaseFile] = field(default_factory=list)
    # The customer's own words (an update), shown as they wrote them.
    theirs: bool = False


def _entry(case: Case, event: Any) -> Entry | None:
    kind, at = event.kind, event.at
    department = event.department.name if event.department else ""
    if kind in INTERNAL:
        return None
    if kind == E.OPENED:
        text = f"We logged your {KINDS.get(case.kind, 'request')} as case {case.reference}."
        if event.channel in CHANNEL_PHRASES:
            text = f"You got in touch {CHANNEL_PHRASES[event.channel]}. " + text
        return Entry("Case opened", at, text)
    if kind == E.CONTACT:
        direction = event.contact.direction if event.contact else _IN
        if (event.channel, direction) in CONTACTS:
            title, text = CONTACTS[(event.channel, direction)]
        elif direction == _OUT:
            title, text = "We contacted you", ""
        else:
            title, text = "You contacted us", ""
        return Entry(title, at, text)
    if kind == E.CUSTOMER_UPDATE:
        return Entry("You sent an update", at, event.text, list(event.files.all()), theirs=True)
    wording = {
        E.STARTED: ("Work started", "We have started work on your case."),
        E.AWAITING_CUSTOMER: (
            "We need more information",
            "We have asked you for more information. Reply to our message, or add an update "
            "in My Account.",
        ),
        E.FORWARDED: (
            f"Passed to {department}" if department else "Passed to the right team",
            "We passed your case to the team that deals with it.",
        ),
        E.ACCEPTED: (
            "Work started",
            f"{department} started work on your case."
            if department
            else "The team started work on your case.",
        ),
        E.SCHEDULED: ("Work scheduled", "We have arranged when the work will be done."),
        E.RESOLVED: ("Resolved", "We have resolved your case."),
        E.CLOSED: ("Closed", "Your case is closed."),
        E.REOPENED: ("Reopened", "We reopened your case to look at it again."),
    }
    title, text = wording.get(kind, (event.get_kind_display(), ""))
    return Entry(title, at, text)


def timeline_of(case: Case, events: Any) -> list[Entry]:
    """The resident's timeline, newest first, from the events they may see."""
    entries = [entry for event in events if (entry := _entry(case, event)) is not None]
    return list(reversed(entries))
