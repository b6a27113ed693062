"""Files sent with outbound email: kept in the outbox with their email, so every attempt,
however late, sends the same message."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from frontdoor.notify.models import OutboundAttachment, OutboundEmail
from frontdoor.notify.services import email_queue, outbound_email_deliver

pytestmark = pytest.mark.django_db

SPREADSHEET = ("march.xlsx", "application/vnd.ms-excel", bytes(range(256)) * 400)
NOTE = ("note.txt", "text/plain", b"Figures for March, as agreed.\n")


def queue(**overrides):
    fields = {
        "kind": OutboundEmail.Kind.REPORT,
        "from_address": "customer.services@frontdoor.example",
        "from_name": "Frontdoor Borough Council",
        "to_address": "max@frontdoor.example",
        "subject": "Monthly contact report: March 2026",
        "text_body": "The spreadsheet is attached.\n",
        "attachments": [SPREADSHEET, NOTE],
    } | overrides
    return email_queue(**fields)


def attached(message):
    return [
        (part.get_filename(), part.get_content_type(), part.get_content())
        for part in message.iter_attachments()
    ]


def test_attachments_go_with_the_text_and_html(catcher):
    email = queue(html_body="<p>The spreadsheet is <strong>attached</strong>.</p>")
    assert outbound_email_deliver(pk=email.pk).startswith("sent")
    message = catcher.wait_for(1)[0].message
    assert message.get_content_type() == "multipart/mixed"
    assert message.get_body(("plain",)).get_content().strip() == "The spreadsheet is attached."
    assert "<strong>attached</strong>" in message.get_body(("html",)).get_content()
    assert attached(message) == [SPREADSHEET, (*NOTE[:2], NOTE[2].decode())]


def test_an_attachment_survives_a_retry(catcher):
    email = queue()
    catcher.refuse_with = "451 4.3.0 Try again later"
    assert outbound_email_deliver(pk=email.pk).startswith("will try again")
    assert catcher.caught == []

    catcher.refuse_with = ""
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert outbound_email_deliver(pk=email.pk).startswith("sent")
    (mail,) = catcher.wait_for(1)
    assert attached(mail.message)[0] == SPREADSHEET
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 2)


def test_mail_with_attachments_goes_through_the_relay_when_email_goes_through_notify(
    settings, catcher, notify_server, notify_templates
):
    settings.FRONTDOOR_EMAIL_VIA = "notify"
    email = queue()
    assert outbound_email_deliver(pk=email.pk).startswith("sent")
    assert attached(catcher.wait_for(1)[0].message)[0] == SPREADSHEET
    assert notify_server.received == []

    settings.FRONTDOOR_SMTP_RELAY = ""
    waiting = queue(to_address="tess@frontdoor.example")
    outbound_email_deliver(pk=waiting.pk)
    waiting.refresh_from_db()
    assert waiting.status == "queued"
    assert "GOV.UK Notify cannot send attachments" in waiting.last_error


def test_a_rolled_back_transaction_keeps_no_attachment():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError("the report could not be finished")
    assert not OutboundAttachment.objects.exists()


def test_mail_without_attachments_is_as_before(catcher):
    email = queue(attachments=())
    outbound_email_deliver(pk=email.pk)
    message = catcher.wait_for(1)[0].message
    assert message.get_content_type() == "text/plain"
    assert attached(message) == []
