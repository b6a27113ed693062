"""The automatic acknowledgement: the reference, the target date on the working calendar, the
other ways in; never to automatic mail, never twice, never more than the hourly limit."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from frontdoor.core.models import Council
from frontdoor.directory.models import ContactPoint
from frontdoor.notify.models import EmailTemplate, OutboundEmail
from tests.intake.email.mail import message, receive

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def test_a_new_email_is_acknowledged_with_its_reference_target_and_other_ways_in(waste_inbox):
    # Friday 27 November 2026, mid-morning: the missed-bin service answers in working days.
    with time_machine.travel(datetime(2026, 11, 27, 10, 0, tzinfo=LONDON), tick=False):
        email = receive(waste_inbox, message(subject="Bin missed", sender="Jo <Jo@Example.com>"))
    ack = email.acknowledgement
    case = email.case
    assert ack is not None and ack.case == case
    assert ack.kind == OutboundEmail.Kind.ACKNOWLEDGEMENT
    assert ack.auto_submitted
    assert (ack.to_address, ack.from_address) == ("jo@example.com", "waste@frontdoor.example")
    assert f"[Ref: {case.reference}]" in ack.subject
    assert ack.in_reply_to == email.message_id
    due = case.first_response_due.astimezone(LONDON)
    assert f"{due:%A} {due.day} {due:%B %Y}" in ack.text_body
    assert case.reference in ack.text_body and case.reference in ack.html_body
    # the waste line for this service, then the general ways in
    assert "Waste and recycling line: 0113 496 0200" in ack.text_body
    assert "Civic Centre reception" in ack.text_body
    assert "waste@frontdoor.example" not in ack.text_body
    # web forms as full addresses on the council's site
    assert "Report a missed bin: https://www.frontdoor.example/forms/missed-bin" in ack.text_body
    assert "Dear Jo," in ack.text_body
    assert "<strong>" + case.reference + "</strong>" in ack.html_body


def test_the_council_wording_for_an_inbox_wins_and_html_is_escaped(waste_inbox):
    EmailTemplate.objects.create(
        purpose=EmailTemplate.Purpose.ACKNOWLEDGEMENT,
        contact_point=waste_inbox,
        subject="Waste team: got it",
        text="Thanks {{ customer_name }}. Ref {{ reference }} about {{ subject }}.",
        html="<p>About {{ subject }}</p>",
    )
    email = receive(waste_inbox, message(subject="<script>alert(1)</script> bins"))
    ack = email.acknowledgement
    # The reference is always added to the subject so replies thread.
    assert ack.subject == f"Waste team: got it [Ref: {email.case.reference}]"
    assert ack.text_body.startswith("Thanks Jo Bloggs. Ref ")
    assert "<script>" in ack.text_body  # plain text is not HTML
    assert "&lt;script&gt;" in ack.html_body and "<script>" not in ack.html_body


def test_the_council_can_change_the_reference_label(waste_inbox):
    council = Council.current()
    council.email_reference_label = "Our ref"
    council.save()
    email = receive(waste_inbox, message())
    assert f"[Our ref: {email.case.reference}]" in email.acknowledgement.subject


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, None, "Automatic mail"),
        ({"Precedence": "bulk"}, None, "Automatic mail"),
        ({"List-Id": "<news.example.com>"}, None, "Automatic mail"),
        ({"X-Auto-Response-Suppress": "All"}, None, "Automatic mail"),
        ({}, "MAILER-DAEMON@example.com", "does not take replies"),
        ({}, "no-reply@bank.example", "Sent from no-reply"),
        ({}, "counciltax@frontdoor.example", "council's own inboxes"),
    ],
)
def test_automatic_mail_and_the_councils_own_inboxes_get_no_acknowledgement(
    waste_inbox, headers, sender, reason
):
    mail = message(headers=headers, **({"sender": sender} if sender else {}))
    email = receive(waste_inbox, mail)
    assert email.case is not None  # it is still a case: nothing is lost
    assert email.acknowledgement is None
    assert reason in email.acknowledgement_skipped
    assert not OutboundEmail.objects.exists()


def test_a_null_return_path_gets_no_acknowledgement(waste_inbox):
    email = receive(waste_inbox, message(), envelope_from="<>")
    assert email.acknowledgement is None and email.acknowledgement_skipped


def test_a_follow_up_on_an_open_case_is_not_acknowledged_again(waste_inbox):
    first = receive(waste_inbox, message())
    reply = receive(waste_inbox, message(subject=f"Re: [Ref: {first.case.reference}] and more"))
    assert reply.case == first.case
    assert reply.acknowledgement is None
    assert reply.acknowledgement_skipped == "A follow-up on an open case"
    assert OutboundEmail.objects.count() == 1


def test_a_redelivered_message_is_acknowledged_once(waste_inbox):
    mail = message()
    receive(waste_inbox, mail)
    receive(waste_inbox, mail)
    assert OutboundEmail.objects.count() == 1


def test_one_address_gets_at_most_the_hourly_limit_of_acknowledgements(waste_inbox):
    emails = [receive(waste_inbox, message(subject=f"Loop {n}")) for n in range(5)]
    assert [e.acknowledgement is not None for e in emails] == [True, True, True, False, False]
    assert "in the last hour" in emails[3].acknowledgement_skipped
    assert {e.case_id for e in emails}.__len__() == 5  # every message is still a case


def test_the_limit_is_per_address_and_per_hour(waste_inbox):
    for n in range(3):
        receive(waste_inbox, message(subject=f"Loop {n}"))
    other = receive(waste_inbox, message(sender="someone.else@example.com"))
    assert other.acknowledgement is not None
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        later = receive(waste_inbox, message(subject="Next hour"))
    assert later.acknowledgement is not None


def test_ways_in_leave_out_retired_and_unpublished_points(waste_inbox):
    ContactPoint.objects.filter(name="Civic Centre reception").update(published=False)
    ContactPoint.objects.filter(name="Waste and recycling line").update(status="retired")
    text = receive(waste_inbox, message()).acknowledgement.text_body
    assert "Civic Centre reception" not in text
    assert "0113 496 0200" not in text
    assert "Main switchboard: 0113 496 0000" in text


def test_a_name_guessed_from_the_address_is_not_used_to_greet(waste_inbox):
    ack = receive(waste_inbox, message(sender="jo.bloggs@example.com")).acknowledgement
    assert ack.text_body.startswith("Dear customer,")
