"""The automatic acknowledgement of a new email: the reference, when to expect a reply, and
the other ways to get in touch, in the council's own words (notify.EmailTemplate).

Never sent to automatic mail (auto-replies, bounces, lists: see parsing.auto_reply_reason),
to the council's own inboxes, twice for one message, or more than the council's hourly limit
to one address, so two auto-responders cannot answer each other for ever."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from django.db.models import Count, F, Q
from django.utils import timezone

from frontdoor.cases.models import Case
from frontdoor.core.formatting import weekday_date
from frontdoor.core.memo import ConfigMemo
from frontdoor.core.models import Council
from frontdoor.directory.models import ContactPoint, SLAPolicy
from frontdoor.intake.email.models import InboundEmail
from frontdoor.notify.models import EmailTemplate, OutboundEmail
from frontdoor.notify.services import EmailDraft, emails_queue, template_for, template_render
from frontdoor.routing.models import RoutingRule

OTHER_WAYS_IN = (
    ContactPoint.Kind.PHONE,
    ContactPoint.Kind.WEB_FORM,
    ContactPoint.Kind.CHAT,
    ContactPoint.Kind.RECEPTION,
)


# Bounces and robots that say so in their address.
NO_REPLY = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)([+.-][^@]*)?@", re.IGNORECASE
)


@dataclass(frozen=True)
class WayIn:
    label: str
    value: str


def _when(moment: datetime, unit: str) -> str:
    local = timezone.localtime(moment)
    day = weekday_date(local)
    if unit == SLAPolicy.Unit.WORKING_HOURS:
        return f"{local:%-I:%M%p}".lower() + f" on {day}"
    return day


def _shown(point: ContactPoint, council: Council) -> str:
    """How a way in reads in an email: national phone numbers, full web addresses."""
    if point.address.startswith("/"):
        return council.website.rstrip("/") + point.address if council.website else ""
    if point.kind == ContactPoint.Kind.PHONE:
        try:
            number = phonenumbers.parse(point.address, "GB")
        except phonenumbers.NumberParseException:
            return point.address
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return point.address


_ways_in_memo = ConfigMemo("ways in", models=("directory.ContactPoint", "core.Council"))


def ways_in(case: Case, inbox: ContactPoint, council: Council) -> list[WayIn]:
    """The published ways in for this case's service, then the general ones (no service)."""
    return _ways_in_memo.get(
        ("ways", case.service_id, inbox.pk), lambda: _ways_in_load(case, inbox, council)
    )


def _council_inboxes() -> frozenset[str]:
    addresses = ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL).values_list(
        "address", flat=True
    )
    return frozenset(a.lower() for a in addresses)


def _ways_in_load(case: Case, inbox: ContactPoint, council: Council) -> list[WayIn]:
    points = (
        ContactPoint.objects.filter(
            kind__in=OTHER_WAYS_IN, status=ContactPoint.Status.ACTIVE, published=True
        )
        .filter(Q(service_id=case.service_id) | Q(service__isnull=True))
        .exclude(pk=inbox.pk)
        .order_by(F("service_id").asc(nulls_last=True), "kind", "name")[:5]
    )
    shown = [(p, _shown(p, council)) for p in points]
    found = [WayIn(p.name, value) for p, value in shown if value]
    if not any(p.kind == ContactPoint.Kind.PHONE for p in points) and council.phone:
        found.append(WayIn("Phone", council.phone))
    if council.website:
        found.append(WayIn("Online", council.website))
    return found


def _greeting_name(case: Case, email: InboundEmail) -> str:
    """The name they gave, or the one on their record; never a name guessed from the address
    ("Dear jo.bloggs" reads worse than the template's "Dear customer")."""
    if email.from_name:
        return email.from_name
    name = case.customer.display_name if case.customer else ""
    local_part = email.from_address.partition("@")[0]
    return "" if name.lower() == local_part.lower() else name


def acknowledgement_context(case: Case, email: InboundEmail, council: Council) -> dict:
    unit = case.service.sla_policy.unit
    return {
        "council_name": council.name,
        "customer_name": _greeting_name(case, email),
        "reference": case.reference,
        "reference_tag": council.reference_tag(case.reference),
        "subject": email.subject,
        "service": case.service.name,
        "reply_by": _when(case.first_response_due, unit),
        "resolve_by": _when(case.resolution_due, unit),
        "ways_in": ways_in(case, email.contact_point, council),
    }


@dataclass(frozen=True)
class NewCaseMail:
    """A message that opened a case, and the routing rule that caught it, if any."""

    email: InboundEmail
    case: Case
    rule: RoutingRule | None


def _sent_last_hour(addresses: set[str]) -> Counter[str]:
    """Acknowledgements that went to each of these addresses in the last hour."""
    if not addresses:
        return Counter()
    rows = (
        OutboundEmail.objects.filter(
            kind=OutboundEmail.Kind.ACKNOWLEDGEMENT,
            to_address__in=addresses,
            created_at__gte=timezone.now() - timedelta(hours=1),
        )
        .values("to_address")
        .annotate(sent=Count("pk"))
        .values_list("to_address", "sent")
    )
    return Counter(dict(rows))


def _skip_reason(
    email: InboundEmail, rule: RoutingRule | None, council: Council, sent: Counter[str]
) -> str:
    if email.auto_reply_reason:
        return f"Automatic mail ({email.auto_reply_reason})"
    if not email.from_address:
        return "The message has no sender address"
    if NO_REPLY.match(email.from_address):
        return "The sender's address does not take replies"
    if rule is not None and rule.suppress_acknowledgement:
        return f"The routing rule “{rule.name}” sends no acknowledgement"
    if email.from_address.lower() in _ways_in_memo.get("inboxes", _council_inboxes):
        return "Sent from one of the council's own inboxes"
    recent = sent[email.from_address.lower()]
    if recent >= council.acknowledgements_per_hour:
        return (
            f"{recent} acknowledgements already went to this address in the last hour "
            "(the limit that stops mail loops)"
        )
    return ""


def acknowledgements_queue(*, mails: Sequence[NewCaseMail]) -> None:
    """Queue the acknowledgement of each message that opened a case, or record on the message
    why not. The messages are not saved here: the caller stores them with what this sets."""
    council = Council.current()
    sent = _sent_last_hour({m.email.from_address.lower() for m in mails if m.email.from_address})
    drafts: list[EmailDraft] = []
    acknowledged: list[InboundEmail] = []
    for mail in mails:
        email, case = mail.email, mail.case
        reason = _skip_reason(email, mail.rule, council, sent)
        if reason:
            email.acknowledgement_skipped = reason[:300]
            continue
        to_address = email.from_address.lower()
        sent[to_address] += 1
        template = template_for(
            purpose=EmailTemplate.Purpose.ACKNOWLEDGEMENT, contact_point_id=email.contact_point_id
        )
        subject, text, html = template_render(
            template, acknowledgement_context(case, email, council)
        )
        if case.reference not in subject:
            # Replies thread by the reference in the subject: it is always there.
            subject = f"{subject} {council.reference_tag(case.reference)}"
        drafts.append(
            EmailDraft(
                kind=OutboundEmail.Kind.ACKNOWLEDGEMENT,
                from_address=email.contact_point.address,
                from_name=council.name,
                to_address=to_address,
                subject=subject,
                text_body=text,
                html_body=html,
                case=case,
                in_reply_to=email.message_id,
                references=" ".join(filter(None, [email.references, email.message_id])),
                auto_submitted=True,
                # one acknowledgement per message an inbox keeps, whoever processes it
                cause_key=f"ack:{email.contact_point_id}:{email.message_key}",
            )
        )
        acknowledged.append(email)
    for email, ack in zip(acknowledged, emails_queue(drafts=drafts), strict=True):
        email.acknowledgement = ack
