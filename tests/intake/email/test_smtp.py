"""A real SMTP exchange with Frontdoor's own receiver on loopback."""

import smtplib
import socket

import pytest

from frontdoor.cases.models import Case
from frontdoor.intake.email.models import InboundEmail
from frontdoor.intake.email.smtp import smtp_controller
from tests.intake.email.mail import message

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def receiver(council, settings):
    settings.FRONTDOOR_MAX_MESSAGE_BYTES = 200_000
    port = free_port()
    controller = smtp_controller(host="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def send(port, mail, to=None):
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        return client.send_message(mail, to_addrs=to)


def test_mail_to_an_inbox_is_accepted_only_once_stored(receiver):
    mail = message(subject="Fly-tipping in the lane")
    refused = send(receiver, mail)
    assert refused == {}
    email = InboundEmail.objects.get()
    assert (email.source, email.case.summary) == ("smtp", "Fly-tipping in the lane")


def test_an_unknown_recipient_is_refused_with_550(receiver):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(receiver, message(to="nobody@frontdoor.example"))
    code, text = refused.value.recipients["nobody@frontdoor.example"]
    assert code == 550 and b"No mailbox" in text
    assert not InboundEmail.objects.exists()


def test_an_oversized_message_is_refused_with_552(receiver):
    mail = message(body="x" * 300_000)
    with pytest.raises(smtplib.SMTPException) as error:
        send(receiver, mail)
    assert "552" in str(error.value)
    assert not InboundEmail.objects.exists()


def test_redelivery_over_smtp_creates_nothing_new(receiver):
    mail = message()
    send(receiver, mail)
    send(receiver, mail)
    assert InboundEmail.objects.count() == 1 and Case.objects.count() == 1


def test_one_message_to_two_inboxes_is_kept_on_each(receiver):
    mail = message(to="waste@frontdoor.example, counciltax@frontdoor.example")
    send(receiver, mail)
    inboxes = set(InboundEmail.objects.values_list("contact_point__address", flat=True))
    assert inboxes == {"waste@frontdoor.example", "counciltax@frontdoor.example"}
