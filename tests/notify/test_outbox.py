"""The outbox: written with what caused it, delivered after commit over real SMTP, retried
with backoff through an outage, given up on only for good reason."""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from frontdoor.notify.models import OutboundEmail
from frontdoor.notify.relay import relay_parse
from frontdoor.notify.services import (
    MAX_ATTEMPTS,
    _wait_after,
    email_queue,
    outbound_email_deliver,
    outbound_email_retry,
    outbox_sweep,
)

pytestmark = pytest.mark.django_db


def queue(**overrides):
    fields = {
        "kind": OutboundEmail.Kind.REPLY,
        "from_address": "waste@frontdoor.example",
        "from_name": "Frontdoor Borough Council",
        "to_address": "jo.bloggs@example.com",
        "subject": "Re: My bin [Ref: FD-2026-000001]",
        "text_body": "We will collect it on Thursday.\n",
    } | overrides
    return email_queue(**fields)


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the case could not be saved")
    assert callbacks == []
    assert not OutboundEmail.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_delivery_is_queued_as_a_task_once_committed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("outbound_emails_deliver")
    assert task.args_kwargs["args"] == [[email.pk]]


def test_delivered_over_smtp_with_threading_headers(catcher):
    email = queue(in_reply_to="<a1@example.com>", references="<a0@example.com> <a1@example.com>")
    assert outbound_email_deliver(pk=email.pk).startswith("sent")
    (mail,) = catcher.wait_for(1)
    assert mail.recipients == ["jo.bloggs@example.com"]
    assert mail.envelope_from == "waste@frontdoor.example"
    message = mail.message
    assert message["Message-ID"] == email.message_id
    assert message["In-Reply-To"] == "<a1@example.com>"
    assert message["References"] == "<a0@example.com> <a1@example.com>"
    assert message["Auto-Submitted"] is None
    assert message.get_content().strip() == "We will collect it on Thursday."
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)


def test_an_automatic_reply_is_marked_and_has_a_null_return_path(catcher):
    email = queue(kind=OutboundEmail.Kind.ACKNOWLEDGEMENT, auto_submitted=True)
    outbound_email_deliver(pk=email.pk)
    (mail,) = catcher.wait_for(1)
    assert mail.envelope_from == "<>"
    assert mail.message["Auto-Submitted"] == "auto-replied"


def test_html_goes_as_an_alternative_to_the_text(catcher):
    email = queue(html_body="<p>We will collect it on <strong>Thursday</strong>.</p>")
    outbound_email_deliver(pk=email.pk)
    message = catcher.wait_for(1)[0].message
    assert message.get_content_type() == "multipart/alternative"
    assert "<strong>Thursday</strong>" in message.get_body(("html",)).get_content()


def test_an_outage_delays_mail_and_loses_none(catcher):
    email = queue()
    catcher.refuse_with = "451 4.3.0 Try again later"
    outcome = outbound_email_deliver(pk=email.pk)
    assert outcome.startswith("will try again")
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("queued", 1)
    assert "451" in email.last_error
    assert timedelta(seconds=50) < email.next_attempt_at - timezone.now() <= timedelta(minutes=1)
    # The retry is itself a queued task that waits until it is due.
    retry = DBTaskResult.objects.get()
    assert retry.run_after == email.next_attempt_at

    # Not due yet: nothing happens.
    assert outbound_email_deliver(pk=email.pk).startswith("not due")
    catcher.refuse_with = "451 4.3.0 Still busy"
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        outbound_email_deliver(pk=email.pk)
    email.refresh_from_db()
    assert email.attempts == 2
    assert timedelta(minutes=3) < email.next_attempt_at - timezone.now() <= timedelta(minutes=4)

    catcher.refuse_with = ""
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert outbound_email_deliver(pk=email.pk).startswith("sent")
    assert len(catcher.wait_for(1)) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 3, "")


def test_a_relay_that_is_down_is_tried_for_about_two_days_then_given_up(settings, catcher):
    settings.FRONTDOOR_SMTP_RELAY = "smtp://127.0.0.1:9"  # nothing listens on discard
    email = queue()
    outbound_email_deliver(pk=email.pk)
    email.refresh_from_db()
    assert email.status == "queued" and "Connection" in email.last_error
    waits = [_wait_after(n) for n in range(1, MAX_ATTEMPTS)]
    assert timedelta(days=1, hours=20) < sum(waits, timedelta()) < timedelta(days=2, hours=2)
    OutboundEmail.objects.filter(pk=email.pk).update(
        attempts=MAX_ATTEMPTS - 1, next_attempt_at=timezone.now()
    )
    assert outbound_email_deliver(pk=email.pk).startswith("gave up")
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", MAX_ATTEMPTS)

    # Once the relay is mended, staff can send it again from the outbox.
    settings.FRONTDOOR_SMTP_RELAY = f"smtp://127.0.0.1:{catcher.port}"
    assert outbound_email_retry(email=email)
    assert not outbound_email_retry(email=email)  # already queued
    assert outbound_email_deliver(pk=email.pk).startswith("sent")


def test_a_permanent_refusal_is_not_retried(catcher):
    email = queue()
    catcher.refuse_with = "550 5.1.1 No such user here"
    assert outbound_email_deliver(pk=email.pk).startswith("gave up")
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 1)
    assert "No such user" in email.last_error


def test_with_no_relay_set_mail_waits_in_the_outbox(settings):
    settings.FRONTDOOR_SMTP_RELAY = ""
    email = queue()
    outbound_email_deliver(pk=email.pk)
    email.refresh_from_db()
    assert email.status == "queued"
    assert "No relay is set" in email.last_error


def test_a_message_another_worker_holds_is_left_alone(catcher):
    email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=5)
    )
    assert outbound_email_deliver(pk=email.pk).startswith("not due")
    assert catcher.caught == []


def test_sent_mail_is_never_sent_again(catcher):
    email = queue()
    outbound_email_deliver(pk=email.pk)
    outbound_email_deliver(pk=email.pk)
    assert len(catcher.wait_for(2, timeout=0.5)) == 1


def test_the_sweep_sends_what_a_dead_worker_left(catcher):
    email = queue()
    # A worker claimed it and died: the claim runs out and the sweep picks it up.
    OutboundEmail.objects.filter(pk=email.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=5)
    )
    assert outbox_sweep() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert outbox_sweep() == 1
    assert len(catcher.wait_for(1)) == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:2526", ("127.0.0.1", 2526, "", False)),
        (
            "smtps://user%40council:p%2Fss@mail.example:465",
            ("mail.example", 465, "user@council", True),
        ),
        ("smtp://relay.example", ("relay.example", 25, "", False)),
    ],
)
def test_the_relay_setting_is_read_from_a_url(url, expected):
    relay = relay_parse(url)
    assert (relay.host, relay.port, relay.username, relay.implicit_tls) == expected


def test_a_relay_setting_that_is_not_a_url_says_how_to_write_it():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="smtp://host:25"):
        relay_parse("mail.example:25")


def test_a_refused_recipient_is_a_permanent_failure():
    from frontdoor.notify.services import _permanent

    assert _permanent(smtplib.SMTPRecipientsRefused({"a@b": (550, b"no")}))
    assert not _permanent(smtplib.SMTPRecipientsRefused({"a@b": (450, b"later")}))
    assert not _permanent(ConnectionRefusedError())
