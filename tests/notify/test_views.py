"""Staff see a case's texts and emails with their state on the case page, and whoever may
see the case may send again one that could not be sent; nobody else may."""

import pytest
from django.urls import reverse

from frontdoor.cases.models import CaseEvent
from frontdoor.notify.models import OutboundEmail, OutboundSMS
from frontdoor.notify.services import email_queue, sms_queue
from tests.factories import CustomerFactory, case_for


@pytest.fixture
def person(council):
    return CustomerFactory.create(emails=["jo@example.com"], phones=["07400 123456"])


def failed_text(case, error="GOV.UK Notify answered 400: BadRequestError: Can't send"):
    sms = sms_queue(
        purpose="case_forwarded", to_number="+447400123456", body="Your case moved", case=case
    )
    OutboundSMS.objects.filter(pk=sms.pk).update(status="failed", attempts=1, last_error=error)
    return sms


def failed_email(case):
    email = email_queue(
        kind=OutboundEmail.Kind.NOTIFICATION,
        from_address="waste@frontdoor.example",
        to_address="jo@example.com",
        subject=f"Your case is closed [Ref: {case.reference}]",
        text_body="Closed.\n",
        case=case,
    )
    OutboundEmail.objects.filter(pk=email.pk).update(
        status="failed", attempts=1, last_error="SMTPRecipientsRefused: 550 No such user"
    )
    return email


def send_again(client, user, case, channel, message):
    client.force_login(user)
    return client.post(
        reverse("console:message_send_again", args=[case.reference, channel, message.pk])
    )


def case_page(client, user, case):
    client.force_login(user)
    return client.get(reverse("console:case_detail", args=[case.reference]))


def test_the_case_page_shows_a_failed_text_with_notifys_reason(client, ava, person):
    case = case_for(customer=person, actor=ava)
    failed_text(case)
    page = case_page(client, ava, case).content.decode()
    assert "Text messages sent" in page
    assert "Could not be sent" in page
    assert "BadRequestError: Can&#x27;t send" in page
    assert "Send again" in page


def test_the_case_page_shows_a_text_waiting_for_notify_to_be_set_up(client, ava, person):
    case = case_for(customer=person, actor=ava)
    sms = sms_queue(purpose="case_closed", to_number="+447400123456", body="Closed", case=case)
    OutboundSMS.objects.filter(pk=sms.pk).update(
        status="not_set_up", last_error="There is no GOV.UK Notify key (FRONTDOOR_NOTIFY_API_KEY)."
    )
    page = case_page(client, ava, case).content.decode()
    assert "SMS is not set up" in page
    assert "There is no GOV.UK Notify key" in page
    assert "Send again" not in page


def test_an_advisor_sends_a_failed_text_again_and_the_case_records_who(client, ava, person):
    case = case_for(customer=person, actor=ava)
    sms = failed_text(case)
    response = send_again(client, ava, case, "sms", sms)
    assert response.status_code == 302
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == ("queued", 0, "")
    note = case.events.get(kind=CaseEvent.Kind.NOTE)
    assert note.actor == ava
    assert note.text == "Asked for the text message to +447400123456 to be sent again"
    assert not note.visible_to_customer


def test_a_failed_email_is_sent_again_from_the_case_page_too(client, tess, person):
    case = case_for(customer=person, actor=tess)
    email = failed_email(case)
    assert "Send again" in case_page(client, tess, case).content.decode()
    send_again(client, tess, case, "email", email)
    email.refresh_from_db()
    assert email.status == "queued"


def test_a_message_that_did_not_fail_is_left_as_it_is(client, ava, person):
    case = case_for(customer=person, actor=ava)
    sms = sms_queue(purpose="case_closed", to_number="+447400123456", body="Closed", case=case)
    OutboundSMS.objects.filter(pk=sms.pk).update(status="sent")
    send_again(client, ava, case, "sms", sms)
    assert OutboundSMS.objects.get().status == "sent"
    assert not case.events.filter(kind=CaseEvent.Kind.NOTE).exists()


def test_a_back_office_officer_of_another_department_may_not(client, ava, bea, person):
    case = case_for(service_code="council-tax", customer=person, actor=ava)
    sms = failed_text(case)
    assert send_again(client, bea, case, "sms", sms).status_code == 404
    assert OutboundSMS.objects.get().status == "failed"


def test_on_a_restricted_case_sam_may_and_ava_may_not(client, ava, sam, person):
    case = case_for(service_code="adult-social-care", customer=person, actor=sam)
    sms = failed_text(case)
    assert send_again(client, ava, case, "sms", sms).status_code == 404
    assert OutboundSMS.objects.get().status == "failed"
    assert send_again(client, sam, case, "sms", sms).status_code == 302
    assert OutboundSMS.objects.get().status == "queued"


def test_residents_and_signed_out_people_may_not(client, cara, person, ava):
    case = case_for(customer=person, actor=ava)
    sms = failed_text(case)
    assert send_again(client, cara, case, "sms", sms).status_code == 403
    client.logout()
    url = reverse("console:message_send_again", args=[case.reference, "sms", sms.pk])
    assert client.post(url).status_code == 302
    assert OutboundSMS.objects.get().status == "failed"


def test_another_cases_message_is_not_reached_through_this_case(client, ava, person):
    mine = case_for(customer=person, actor=ava)
    other = case_for(customer=person, actor=ava)
    sms = failed_text(other)
    assert send_again(client, ava, mine, "sms", sms).status_code == 404
    assert send_again(client, ava, mine, "letter", sms).status_code == 404
    assert OutboundSMS.objects.get().status == "failed"


def test_sending_again_takes_a_post_only(client, ava, person):
    case = case_for(customer=person, actor=ava)
    sms = failed_text(case)
    client.force_login(ava)
    url = reverse("console:message_send_again", args=[case.reference, "sms", sms.pk])
    assert client.get(url).status_code == 405
