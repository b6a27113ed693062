"""A local mail catcher: an SMTP server that keeps what it is sent instead of delivering it.

`frontdoor run` uses it when no relay is set, so the demo shows the acknowledgements it
would send (as .eml files in var/outgoing-mail); the tests use it as the far end of a real
SMTP exchange."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.utils import timezone


@dataclass(frozen=True)
class CaughtMail:
    envelope_from: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class CatcherHandler:
    folder: Path | None = None
    port: int = 0
    caught: list[CaughtMail] = field(default_factory=list)
    # Set to an SMTP reply such as "451 4.3.0 Try later" to act out a relay in trouble.
    refuse_with: str = ""
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.refuse_with:
            return self.refuse_with
        mail = CaughtMail(
            envelope_from=envelope.mail_from or "",
            recipients=list(envelope.rcpt_tos),
            raw=envelope.original_content or b"",
        )
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
            (self.folder / f"{stamp}.eml").write_bytes(mail.raw)
        with self.arrived:
            self.caught.append(mail)
            self.arrived.notify_all()
        return "250 2.0.0 Caught"

    def wait_for(self, count: int, timeout: float = 10) -> list[CaughtMail]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.caught) >= count, timeout)
            return list(self.caught)


def catcher_start(
    *, host: str = "127.0.0.1", port: int = 0, folder: Path | None = None, **options: Any
) -> tuple[Controller, CatcherHandler]:
    """Start a catcher in its own thread; port 0 picks a free port (controller.port says)."""
    if port == 0:
        with socket.socket() as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
    handler = CatcherHandler(folder=folder, port=port)
    controller = Controller(handler, hostname=host, port=port, ident="Frontdoor mail catcher")
    controller.start()
    return controller, handler
