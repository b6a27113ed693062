"""The built-in SMTP receiver: accepts mail for the council's inboxes and answers 250 only
once the message is committed. Unknown recipients get 550, oversized messages 552 (aiosmtpd
enforces data_size_limit), and a failure to store gets 451 so the sender tries again."""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections

from frontdoor.intake.email.models import InboundEmail
from frontdoor.intake.email.services import IncomingEmail, emails_receive, inbox_for_address

log = logging.getLogger(__name__)


def _known_inbox(address: str) -> bool:
    try:
        return inbox_for_address(address) is not None
    finally:
        # The receiver's worker thread outlives requests: hold no connection between sessions.
        connections.close_all()


def _receive_for_all(raw: bytes, recipients: list[str], envelope_from: str | None) -> None:
    try:
        _receive(raw, recipients, envelope_from)
    finally:
        connections.close_all()


def _receive(raw: bytes, recipients: list[str], envelope_from: str | None) -> None:
    """Store the message once for each inbox it was sent to, in one transaction."""
    incoming = []
    for address in recipients:
        inbox = inbox_for_address(address)
        if inbox is None:  # retired since RCPT: keep nothing half-done, let the sender retry
            raise LookupError(f"{address} is no longer an inbox")
        incoming.append(
            IncomingEmail(
                raw=raw,
                contact_point=inbox,
                source=InboundEmail.Source.SMTP,
                envelope_from=envelope_from,
            )
        )
    emails_receive(messages=incoming)


class IntakeHandler:
    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if not await sync_to_async(_known_inbox)(address):
            return "550 5.1.1 No mailbox here by that name"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        try:
            await sync_to_async(_receive_for_all)(raw, list(envelope.rcpt_tos), envelope.mail_from)
        except Exception:
            log.exception("Could not store a message from %s", envelope.mail_from)
            return "451 4.3.0 The message could not be stored; please try again later"
        return "250 2.0.0 Message accepted"


def smtp_controller(*, host: str | None = None, port: int | None = None) -> Controller:
    return Controller(
        IntakeHandler(),
        hostname=host or settings.FRONTDOOR_SMTP_HOST,
        port=port if port is not None else settings.FRONTDOOR_SMTP_PORT,
        data_size_limit=settings.FRONTDOOR_MAX_MESSAGE_BYTES,
        ident="Frontdoor",
    )


def smtp_receiver_start(*, host: str | None = None, port: int | None = None) -> Controller:
    """Start the receiver in its own thread; a port in use is explained, not a traceback."""
    controller = smtp_controller(host=host, port=port)
    try:
        controller.start()
    except OSError as error:
        raise CommandError(
            f"The mail receiver could not listen on {controller.hostname}:{controller.port} "
            f"({error.strerror or error}). Stop whatever uses that port or set "
            "FRONTDOOR_SMTP_PORT."
        ) from error
    return controller
