"""The SMTP relay outbound mail goes through, from FRONTDOOR_SMTP_RELAY.

smtp://host:25                     plain SMTP (a local MTA or a test sink)
smtp://user:password@host:587      STARTTLS is used when the server offers it
smtps://user:password@host:465     TLS from the start
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Relay:
    host: str
    port: int
    username: str = ""
    password: str = ""
    implicit_tls: bool = False
    timeout: float = 30.0

    def __str__(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        return f"{scheme}://{self.host}:{self.port}"

    def send(self, message: EmailMessage, *, envelope_from: str, to: list[str]) -> None:
        """Hand the message to the relay; raises smtplib errors for the caller to judge."""
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.implicit_tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            smtp.ehlo()
            if not self.implicit_tls and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message, from_addr=envelope_from, to_addrs=to)


def relay_parse(url: str) -> Relay | None:
    """The relay a URL names, or None for an empty setting (mail then waits in the outbox)."""
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ImproperlyConfigured(
            f"FRONTDOOR_SMTP_RELAY is {url!r}; write it like smtp://host:25 or "
            "smtps://user:password@host:465"
        )
    implicit_tls = parts.scheme == "smtps"
    return Relay(
        host=parts.hostname,
        port=parts.port or (465 if implicit_tls else 25),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        implicit_tls=implicit_tls,
    )
