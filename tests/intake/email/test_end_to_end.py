"""The whole email channel as it runs: mail over SMTP to the receiver, the background worker
sending the acknowledgement through a real SMTP relay (our catcher), the customer's reply
threading back, and specialist mail routed straight to its department."""

import smtplib
import time

import pytest

from frontdoor.cases.models import Case
from frontdoor.intake.email.models import InboundEmail
from frontdoor.intake.email.smtp import smtp_receiver_start
from frontdoor.notify.models import OutboundEmail
from frontdoor.worker import tasks_run_pending
from tests.intake.email.mail import message

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver(council):
    from tests.intake.email.test_smtp import free_port

    controller = smtp_receiver_start(host="127.0.0.1", port=free_port())
    yield controller.port
    controller.stop()


def eventually(check, timeout=10.0):
    """What the worker does happens after the relay took the mail: wait for it, up to a limit."""
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)
    return check()


def send(port, mail):
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        assert client.send_message(mail) == {}


def test_mail_in_acknowledgement_out_and_the_reply_threads_back(receiver, catcher, worker):
    send(receiver, message(sender="Jo Bloggs <jo@example.com>", subject="Fly-tipping in the lane"))
    (ack,) = catcher.wait_for(1)
    case = Case.objects.get()
    assert ack.recipients == ["jo@example.com"]
    assert ack.envelope_from == "<>"
    acknowledgement = ack.message
    assert acknowledgement["Subject"] == f"We have received your email [Ref: {case.reference}]"
    assert acknowledgement["Auto-Submitted"] == "auto-replied"
    assert case.reference in acknowledgement.get_body(("plain",)).get_content()
    # The relay has the mail; the worker records that once the SMTP exchange ends.
    assert eventually(lambda: OutboundEmail.objects.get().status == "sent")

    # Jo answers the acknowledgement from a client that keeps the subject.
    answer = message(
        sender="Jo Bloggs <jo@example.com>",
        subject=f"Re: {acknowledgement['Subject']}",
        in_reply_to=acknowledgement["Message-ID"],
        body="It is still there.",
    )
    send(receiver, answer)
    assert Case.objects.count() == 1
    assert InboundEmail.objects.filter(case=case).count() == 2
    # A follow-up is not acknowledged again.
    assert len(catcher.wait_for(2, timeout=1.5)) == 1


def test_remittance_advice_lands_in_finance_without_the_front_office_queue(receiver, catcher):
    send(
        receiver,
        message(
            sender="accounts@supplier.example",
            to="customer.services@frontdoor.example",
            subject="Remittance Advice 2026-11",
        ),
    )
    case = Case.objects.get()
    assert (case.status, case.department.name, case.assigned_to) == ("forwarded", "Finance", None)
    assert case.routed_by.name == "Remittance advice to Finance"


def test_redelivering_every_message_changes_nothing(receiver, catcher):
    mails = [message(subject=f"Enquiry {n}", sender=f"p{n}@example.com") for n in range(3)]
    for mail in mails:
        send(receiver, mail)
    for mail in mails:
        send(receiver, mail)
    tasks_run_pending()
    assert (Case.objects.count(), InboundEmail.objects.count()) == (3, 3)
    assert OutboundEmail.objects.filter(status="sent").count() == 3
    assert len(catcher.wait_for(4, timeout=1)) == 3


def test_an_smtp_outage_delays_the_acknowledgement_and_loses_none(receiver, catcher):
    catcher.refuse_with = "421 4.3.2 Service not available"
    send(receiver, message())
    tasks_run_pending()
    queued = OutboundEmail.objects.get()
    assert (queued.status, queued.attempts) == ("queued", 1)
    catcher.refuse_with = ""
    # The retry task is due a minute later: run it as the worker would then.
    OutboundEmail.objects.update(next_attempt_at=queued.created_at)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").update(run_after=queued.created_at)
    tasks_run_pending()
    assert OutboundEmail.objects.get().status == "sent"
    assert len(catcher.wait_for(1)) == 1
