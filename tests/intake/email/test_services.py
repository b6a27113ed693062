from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from frontdoor.cases.models import Case, Contact, Outcome
from frontdoor.cases.services import case_close, case_resolve
from frontdoor.customers.models import Customer
from frontdoor.directory.models import ContactPoint
from frontdoor.intake.email.models import InboundEmail
from frontdoor.intake.email.services import email_receive, email_reprocess
from frontdoor.notify.models import OutboundEmail
from tests.concurrency import at_once
from tests.intake.email.mail import message, receive


def test_a_new_email_becomes_a_customer_a_case_and_a_contact_on_the_inbox(waste_inbox):
    email = receive(waste_inbox, message(subject="Bin missed", body="Missed on Tuesday."))
    case = email.case
    assert email.status == "accepted" and case.service.code == "missed-bin"
    assert (case.summary, case.kind, case.channel) == ("Bin missed", "enquiry", "email")
    assert case.description == "Missed on Tuesday."
    customer = case.customer
    assert (customer.given_name, customer.family_name) == ("Jo", "Bloggs")
    assert customer.emails.get().address == "jo.bloggs@example.com"
    contact = email.contact
    assert (contact.channel, contact.contact_point, contact.case) == ("email", waste_inbox, case)
    waste_inbox.refresh_from_db()
    assert waste_inbox.last_used_at == contact.occurred_at


def test_the_sender_is_matched_to_an_existing_customer_by_email(waste_inbox):
    first = receive(waste_inbox, message(sender="JO.BLOGGS@EXAMPLE.COM"))
    second = receive(waste_inbox, message(sender="Jo B <jo.bloggs@example.com>"))
    assert first.case.customer == second.case.customer
    assert Customer.objects.count() == 1


def test_the_same_message_delivered_again_changes_nothing(waste_inbox):
    mail = message()
    first = receive(waste_inbox, mail)
    again = receive(waste_inbox, mail)
    assert again == first
    assert (InboundEmail.objects.count(), Case.objects.count(), Contact.objects.count()) == (
        1,
        1,
        1,
    )


def test_a_message_without_message_id_is_deduplicated_by_its_content(waste_inbox):
    mail = message(message_id=None)
    receive(waste_inbox, mail)
    receive(waste_inbox, mail)
    assert InboundEmail.objects.get().message_key.startswith("sha256:")
    assert Case.objects.count() == 1


def test_a_reply_with_the_reference_in_the_subject_lands_on_its_case(waste_inbox):
    case = receive(waste_inbox, message()).case
    reply = receive(
        waste_inbox,
        message(
            subject=f"RE: Bin missed [Ref: {case.reference}]", body="Any news?", in_reply_to=None
        ),
    )
    assert reply.case == case
    assert case.contacts.count() == 2


def test_a_reply_threaded_only_by_in_reply_to_lands_on_its_case(waste_inbox):
    first = message()
    case = receive(waste_inbox, first).case
    reply = receive(
        waste_inbox, message(subject="Re: something else", in_reply_to=first["Message-ID"])
    )
    assert reply.case == case


def test_someone_quoting_another_customers_reference_gets_a_case_of_their_own(waste_inbox):
    case = receive(waste_inbox, message()).case
    other = receive(
        waste_inbox, message(sender="mallory@example.net", subject=f"About {case.reference}")
    )
    assert other.case != case and other.case.customer.emails.get().address == (
        "mallory@example.net"
    )


def _resolve(case):
    outcome = Outcome.objects.get(name="Information given")
    return case_resolve(case=case, actor=None, outcome=outcome, note="Collected")


def test_a_reply_soon_after_closing_reopens_the_case(waste_inbox):
    case = receive(waste_inbox, message()).case
    case_close(case=_resolve(case), actor=None)
    reply = receive(waste_inbox, message(subject=f"Re: [Ref: {case.reference}] still missed"))
    case.refresh_from_db()
    assert reply.case == case and case.status == "in_progress" and case.reopened_count == 1
    assert case.events.filter(kind="reopened", channel="email").exists()


def test_a_late_reply_opens_a_new_case_linked_to_the_old_one(waste_inbox):
    case = receive(waste_inbox, message()).case
    _resolve(case)
    with time_machine.travel(timezone.now() + timedelta(days=60)):
        reply = receive(waste_inbox, message(subject=f"Re: [Ref: {case.reference}] again"))
    assert reply.case != case and reply.case.previous_case == case
    assert f"follows on from {case.reference}" in reply.case.events.get(kind="opened").text


def test_an_inbox_without_a_service_quarantines_and_can_be_reprocessed(council):
    inbox = ContactPoint.objects.create(
        kind="email", name="Old inbox", address="old@frontdoor.example"
    )
    email = receive(inbox, message(to="old@frontdoor.example"))
    assert email.status == "quarantined" and "has no service" in email.quarantine_reason
    assert not Case.objects.exists() and not Contact.objects.exists()
    inbox.service = ContactPoint.objects.get(address="waste@frontdoor.example").service
    inbox.save()
    email = email_reprocess(email=email)
    assert email.status == "accepted" and email.case is not None


def test_an_unreadable_message_is_quarantined_with_its_bytes(waste_inbox):
    raw = b"Subject: who sent this?\r\n\r\nno sender"
    email = email_receive(raw=raw, contact_point=waste_inbox, source="import")
    assert email.status == "quarantined" and "no sender address" in email.quarantine_reason
    assert bytes(email.raw) == raw


@pytest.mark.django_db(transaction=True)
def test_racing_receivers_of_one_message_make_one_case(council):
    inbox = ContactPoint.objects.get(address="waste@frontdoor.example")
    raw = message().as_bytes()
    at_once(lambda: email_receive(raw=raw, contact_point=inbox, source="smtp"), threads=4)
    assert (
        InboundEmail.objects.count(),
        Case.objects.count(),
        Contact.objects.count(),
        OutboundEmail.objects.count(),
    ) == (1, 1, 1, 1)
