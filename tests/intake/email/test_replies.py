"""Staff reply by email from the case page; the customer's answer threads back."""

import pytest
from django.urls import reverse

from frontdoor.cases.models import Contact
from frontdoor.cases.services import case_forward
from frontdoor.directory.models import Department
from frontdoor.intake.email.services import email_reply
from frontdoor.notify.models import OutboundEmail
from frontdoor.notify.services import mime_message
from tests.factories import CustomerFactory, case_for
from tests.intake.email.mail import message, receive

pytestmark = pytest.mark.django_db


def test_a_reply_threads_to_the_customers_last_email_and_is_an_outbound_contact(waste_inbox, ava):
    first = receive(waste_inbox, message(subject="Bin missed"))
    case = first.case
    reply = email_reply(case=case, actor=ava, text="We will come back on Thursday.")
    assert reply.kind == OutboundEmail.Kind.REPLY and not reply.auto_submitted
    assert reply.to_address == "jo.bloggs@example.com"
    assert reply.from_address == "waste@frontdoor.example"
    assert reply.subject == f"Re: Bin missed [Ref: {case.reference}]"
    assert reply.in_reply_to == first.message_id
    assert reply.references == first.message_id
    assert reply.sent_by == ava
    contact = reply.contact
    assert (contact.direction, contact.channel, contact.case) == (
        Contact.Direction.OUTBOUND,
        "email",
        case,
    )
    case.refresh_from_db()
    assert case.first_responded_at == contact.occurred_at
    headers = mime_message(reply)
    assert headers["In-Reply-To"] == first.message_id


def test_the_customers_answer_threads_back_even_without_the_reference(waste_inbox, ava):
    case = receive(waste_inbox, message(subject="Bin missed")).case
    reply = email_reply(case=case, actor=ava, text="Which bin was it?")
    # Their client dropped our subject tag but kept In-Reply-To.
    answer = receive(waste_inbox, message(subject="the green one", in_reply_to=reply.message_id))
    assert answer.case == case


def test_the_customer_answering_the_acknowledgement_threads_back(waste_inbox):
    first = receive(waste_inbox, message(subject="Bin missed"))
    ack = first.acknowledgement
    answer = receive(waste_inbox, message(subject="Thanks", in_reply_to=ack.message_id))
    assert answer.case == first.case


def test_subject_prefixes_and_the_tag_are_not_piled_up(waste_inbox, ava):
    case = receive(waste_inbox, message(subject="Bin")).case
    receive(waste_inbox, message(subject=f"RE: Fwd: Re: Bin [Ref: {case.reference}]"))
    reply = email_reply(case=case, actor=ava, text="Noted.")
    assert reply.subject == f"Re: Bin [Ref: {case.reference}]"


def test_a_case_from_the_phone_replies_to_the_customers_email_address(ava, council):
    customer = CustomerFactory(emails=["pat@example.com"])
    case = case_for(customer=customer, service_code="missed-bin")
    reply = email_reply(case=case, actor=ava, text="Your collection is booked.")
    assert reply.to_address == "pat@example.com"
    assert reply.from_address == "waste@frontdoor.example"
    assert reply.subject == f"Re: {case.summary} [Ref: {case.reference}]"


def test_no_email_address_is_a_clear_error(ava, council):
    from django.core.exceptions import ValidationError

    case = case_for(customer=CustomerFactory(emails=[]), service_code="missed-bin")
    with pytest.raises(ValidationError, match="no email address"):
        email_reply(case=case, actor=ava, text="Hello")
    assert not OutboundEmail.objects.exists()


def test_replying_from_the_case_page(client, ava, waste_inbox):
    case = receive(waste_inbox, message(subject="Bin missed")).case
    client.force_login(ava)
    page = client.get(reverse("console:case_detail", args=[case.reference])).text
    assert "Reply by email" in page
    url = reverse("console:case_action", args=[case.reference, "email_reply"])
    empty = client.post(url, {"text": ""})
    assert "Enter your reply" in empty.text
    sent = client.post(url, {"text": "We will come on Thursday."}, follow=True)
    assert "Reply queued" in sent.text
    assert "We will come on Thursday." in sent.text and "Waiting to send" in sent.text


def test_who_cannot_see_a_case_cannot_reply_on_it(client, bea, general_inbox):
    case = receive(general_inbox, message(to=general_inbox.address, subject="Library")).case
    case_forward(
        case=case, actor=None, department=Department.objects.get(name="Finance"), reason="x"
    )
    client.force_login(bea)  # Waste back office: a Customer Services case now with Finance
    url = reverse("console:case_action", args=[case.reference, "email_reply"])
    assert client.post(url, {"text": "Hello"}).status_code == 404
    assert not OutboundEmail.objects.filter(kind="reply").exists()
