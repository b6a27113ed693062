"""Building test messages as mail clients send them."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

from frontdoor.intake.email.services import email_receive


def message(
    *,
    sender: str = "Jo Bloggs <jo.bloggs@example.com>",
    to: str = "waste@frontdoor.example",
    subject: str = "My bin was not collected",
    body: str = "Hello, my green bin was missed on Tuesday.",
    html: str | None = None,
    message_id: str | None = "auto",
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    if message_id == "auto":
        mail["Message-ID"] = make_msgid(domain="example.com")
    elif message_id:
        mail["Message-ID"] = message_id
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    if html:
        mail.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments or []:
        maintype, subtype = content_type.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail


def receive(inbox, mail, **kwargs):
    """Run a message through the intake pipeline as the SMTP receiver would."""
    return email_receive(raw=mail.as_bytes(), contact_point=inbox, source="smtp", **kwargs)
