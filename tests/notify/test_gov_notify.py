"""Text messages (and, when chosen, email) through GOV.UK Notify, against the local stand-in
of its v2 API: sent with the council's templates and every personalisation field, retried
with backoff on 429 and 5xx, given up on at once on 400 and 403, and waiting, saying so,
while Notify is not set up."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from frontdoor.notify.models import NotifyTemplate, OutboundEmail, OutboundSMS
from frontdoor.notify.notices import PERSONALISATION_FIELDS
from frontdoor.notify.services import (
    MAX_ATTEMPTS,
    email_queue,
    outbound_email_deliver,
    outbound_sms_deliver,
    outbound_sms_retry,
    outbox_sweep,
    sms_queue,
)
from tests.notify_server import API_KEY, SERVICE_ID

pytestmark = pytest.mark.django_db

FIELDS = dict.fromkeys(PERSONALISATION_FIELDS, "") | {
    "reference": "FD-2026-000001",
    "department": "Waste and Recycling",
    "subject": "Your case is now with Waste and Recycling [Ref: FD-2026-000001]",
}


def text(**overrides):
    fields = {
        "purpose": "case_forwarded",
        "to_number": "+447400123456",
        "body": "Frontdoor Borough Council: your case FD-2026-000001 is now with Waste.",
        "personalisation": FIELDS,
    } | overrides
    return sms_queue(**fields)


def state(sms):
    sms.refresh_from_db()
    return sms.status, sms.attempts


def test_a_text_goes_through_notify_with_the_template_and_every_field(
    notify_server, notify_templates
):
    sms = text()
    assert outbound_sms_deliver(pk=sms.pk).startswith("sent")
    (received,) = notify_server.received
    assert received.kind == "sms"
    assert received.claims["iss"] == SERVICE_ID
    assert received.body["template_id"] == notify_templates["sms"]
    assert received.body["phone_number"] == "+447400123456"
    assert received.body["reference"] == f"frontdoor-sms-{sms.pk}"
    sent = received.body["personalisation"]
    assert set(sent) == {*PERSONALISATION_FIELDS, "subject", "body"}
    assert sent["body"] == sms.body
    assert received.content["body"] == sms.body
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == ("sent", 1, "")
    assert sms.notify_id == received.id
    assert sms.sent_at is not None


def test_a_purpose_with_its_own_notify_template_uses_it(notify_server, notify_templates):
    own = notify_server.template_add(
        "sms", "Case ((reference)) is with ((department)). ((follow_url))"
    )
    NotifyTemplate.objects.create(purpose="case_forwarded", channel="sms", template_id=own)
    outbound_sms_deliver(pk=text().pk)
    (received,) = notify_server.received
    assert received.body["template_id"] == own
    assert received.content["body"] == "Case FD-2026-000001 is with Waste and Recycling. "


def test_too_many_requests_and_server_errors_are_tried_again_with_backoff(
    notify_server, notify_templates
):
    sms = text()
    notify_server.fail_next(429)
    assert outbound_sms_deliver(pk=sms.pk).startswith("will try again")
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("queued", 1)
    assert "429" in sms.last_error and "RateLimitError" in sms.last_error
    assert timedelta(seconds=50) < sms.next_attempt_at - timezone.now() <= timedelta(minutes=1)
    retry = DBTaskResult.objects.get()
    assert retry.task_path.endswith("outbound_sms_deliver_all")
    assert retry.run_after == sms.next_attempt_at
    assert outbound_sms_deliver(pk=sms.pk).startswith("not due")

    notify_server.fail_next(500)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        outbound_sms_deliver(pk=sms.pk)
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("queued", 2)
    assert "500" in sms.last_error and "Internal server error" in sms.last_error
    assert timedelta(minutes=3) < sms.next_attempt_at - timezone.now() <= timedelta(minutes=4)

    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert outbound_sms_deliver(pk=sms.pk).startswith("sent")
    assert state(sms) == ("sent", 3)
    assert len(notify_server.received) == 1


def test_notify_out_of_reach_is_tried_again(settings, notify_server, notify_templates):
    settings.FRONTDOOR_NOTIFY_BASE_URL = "http://127.0.0.1:9"  # nothing listens on discard
    sms = text()
    assert outbound_sms_deliver(pk=sms.pk).startswith("will try again")
    assert state(sms) == ("queued", 1)


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, "BadRequestError: Can't send to this recipient"), (403, "AuthError: Invalid token")],
)
def test_a_refusal_that_will_not_change_is_given_up_at_once(
    notify_server, notify_templates, status, error
):
    sms = text()
    notify_server.fail_next(status)
    assert outbound_sms_deliver(pk=sms.pk).startswith("gave up")
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("failed", 1)
    assert f"GOV.UK Notify answered {status}: {error}" in sms.last_error
    assert not DBTaskResult.objects.exists()

    # Staff send it again once the cause is fixed (see test_views for who may).
    assert outbound_sms_retry(sms=sms)
    assert not outbound_sms_retry(sms=sms)  # already queued
    assert outbound_sms_deliver(pk=sms.pk).startswith("sent")


def test_a_text_notify_would_not_take_fails_with_notifys_reason(notify_server, notify_templates):
    sms = text(to_number="+442079460000")  # a landline: Notify refuses it
    outbound_sms_deliver(pk=sms.pk)
    sms.refresh_from_db()
    assert sms.status == "failed"
    assert "ValidationError: phone_number Not a UK mobile number" in sms.last_error


def test_after_max_attempts_a_text_is_given_up(notify_server, notify_templates):
    sms = text()
    OutboundSMS.objects.filter(pk=sms.pk).update(attempts=MAX_ATTEMPTS - 1)
    notify_server.fail_next(500)
    assert outbound_sms_deliver(pk=sms.pk).startswith("gave up")
    assert state(sms) == ("failed", MAX_ATTEMPTS)


def test_without_a_key_a_text_waits_as_not_set_up_and_goes_once_it_is(
    settings, notify_server, notify_templates
):
    settings.FRONTDOOR_NOTIFY_API_KEY = ""
    sms = text()
    assert outbound_sms_deliver(pk=sms.pk).startswith("waits")
    sms.refresh_from_db()
    assert sms.status == "not_set_up"
    assert sms.get_status_display() == "SMS is not set up"
    assert "no GOV.UK Notify key" in sms.last_error
    assert sms.attempts == 0
    # the sweep leaves it while there is still no key
    assert outbox_sweep() == 0
    assert state(sms) == ("not_set_up", 0)

    settings.FRONTDOOR_NOTIFY_API_KEY = API_KEY
    assert outbox_sweep() == 1
    assert state(sms) == ("sent", 1)
    assert len(notify_server.received) == 1


def test_a_text_that_waited_two_days_for_set_up_is_not_sent_late(
    settings, notify_server, notify_templates
):
    settings.FRONTDOOR_NOTIFY_API_KEY = ""
    stale = text()
    outbound_sms_deliver(pk=stale.pk)
    with time_machine.travel(timezone.now() + timedelta(days=2, minutes=5)):
        fresh = text()
        outbound_sms_deliver(pk=fresh.pk)
        settings.FRONTDOOR_NOTIFY_API_KEY = API_KEY
        outbox_sweep()
    assert state(fresh) == ("sent", 1)
    stale.refresh_from_db()
    assert stale.status == "failed"
    assert "still not set up two days after" in stale.last_error


def test_a_key_that_is_not_a_notify_key_says_so(settings, notify_server, notify_templates):
    settings.FRONTDOOR_NOTIFY_API_KEY = "secret123"
    sms = text()
    outbound_sms_deliver(pk=sms.pk)
    sms.refresh_from_db()
    assert sms.status == "not_set_up"
    assert "is not a GOV.UK Notify API key" in sms.last_error
    assert notify_server.received == []


def test_without_a_notify_template_a_text_waits_saying_which(notify_server):
    sms = text()
    outbound_sms_deliver(pk=sms.pk)
    sms.refresh_from_db()
    assert sms.status == "not_set_up"
    assert "No GOV.UK Notify text message template" in sms.last_error
    assert notify_server.received == []


def test_the_sweep_sends_a_text_a_dead_worker_left(notify_server, notify_templates):
    sms = text()
    OutboundSMS.objects.filter(pk=sms.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=5)
    )
    assert outbox_sweep() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert outbox_sweep() == 1
    assert state(sms) == ("sent", 1)


def test_a_sent_text_is_never_sent_again(notify_server, notify_templates):
    sms = text()
    outbound_sms_deliver(pk=sms.pk)
    assert outbound_sms_deliver(pk=sms.pk).startswith("not due")
    assert len(notify_server.received) == 1


def email(**overrides):
    fields = {
        "kind": OutboundEmail.Kind.NOTIFICATION,
        "from_address": "waste@frontdoor.example",
        "to_address": "jo@example.com",
        "subject": "Your case is now with Waste [Ref: FD-2026-000001]",
        "text_body": "Dear Jo,\n\nWe have passed your case on.\n",
        "purpose": "case_forwarded",
        "personalisation": FIELDS,
    } | overrides
    return email_queue(**fields)


def test_email_goes_through_notify_when_chosen(settings, notify_server, notify_templates, catcher):
    settings.FRONTDOOR_EMAIL_VIA = "notify"
    mail = email()
    assert outbound_email_deliver(pk=mail.pk).startswith("sent")
    (received,) = notify_server.received
    assert received.kind == "email"
    assert received.body["email_address"] == "jo@example.com"
    assert received.body["template_id"] == notify_templates["email"]
    assert received.body["reference"] == f"frontdoor-email-{mail.pk}"
    assert received.content["subject"] == mail.subject
    assert received.content["body"] == mail.text_body
    mail.refresh_from_db()
    assert (mail.status, mail.notify_id) == ("sent", received.id)
    assert catcher.caught == []  # not through the relay


def test_a_staff_reply_through_notify_uses_the_fallback_template(
    settings, notify_server, notify_templates
):
    settings.FRONTDOOR_EMAIL_VIA = "notify"
    mail = email(kind=OutboundEmail.Kind.REPLY, purpose="", personalisation=None)
    outbound_email_deliver(pk=mail.pk)
    (received,) = notify_server.received
    assert received.body["template_id"] == notify_templates["email"]
    assert received.body["personalisation"] == {"subject": mail.subject, "body": mail.text_body}


def test_email_through_notify_without_a_key_waits_and_is_retried(settings, notify_server):
    settings.FRONTDOOR_EMAIL_VIA = "notify"
    settings.FRONTDOOR_NOTIFY_API_KEY = ""
    mail = email()
    assert outbound_email_deliver(pk=mail.pk).startswith("will try again")
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("queued", 1)
    assert "no GOV.UK Notify key" in mail.last_error


def test_email_through_notify_refused_is_given_up(settings, notify_server, notify_templates):
    settings.FRONTDOOR_EMAIL_VIA = "notify"
    mail = email()
    notify_server.fail_next(400)
    assert outbound_email_deliver(pk=mail.pk).startswith("gave up")
    mail.refresh_from_db()
    assert mail.status == "failed" and "BadRequestError" in mail.last_error


def test_notify_template_ids_are_per_purpose_and_channel(notify_templates):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        NotifyTemplate.objects.create(channel="sms", template_id=uuid.uuid4())


def test_an_unknown_way_to_send_email_stops_start_up_saying_the_choices():
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import frontdoor.settings"],
        env={**os.environ, "FRONTDOOR_EMAIL_VIA": "pigeon"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "set it to smtp (the relay) or notify" in result.stderr


def test_the_notify_key_may_come_from_a_file(tmp_path):
    import os
    import subprocess
    import sys

    key = tmp_path / "notify-key"
    key.write_text(API_KEY + "\n")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from frontdoor import settings; print(settings.FRONTDOOR_NOTIFY_API_KEY); "
            "print(settings.FRONTDOOR_NOTIFY_BASE_URL)",
        ],
        env={**os.environ, "FRONTDOOR_NOTIFY_API_KEY_FILE": str(key)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [API_KEY, "https://api.notifications.service.gov.uk"]
