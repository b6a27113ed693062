from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from frontdoor.cases.models import Case, Channel, Contact
from frontdoor.customers.models import Customer, CustomerEmail
from frontdoor.customers.services import CustomerDraft, customer_create
from frontdoor.intake.webforms.models import CollectionSlot, FormSubmission, RequestForm
from frontdoor.intake.webforms.services import (
    SUBMISSIONS_PER_HOUR_FROM_AN_EMAIL,
    Place,
    Requester,
    RequestMade,
    TooManyRequests,
    request_submit,
)
from frontdoor.notify.models import OutboundEmail
from frontdoor.notify.services import outbound_email_deliver
from frontdoor.routing.models import WorkItem
from tests.concurrency import at_once

JO = Requester(name="Jo Bloggs", email="Jo.Bloggs@example.com", phone="07911 123456")


def fly_tipping(source_key="webform:one", requester=JO, **answers):
    return RequestMade(
        form=RequestForm.objects.get(slug="fly-tipping"),
        answers={"waste_type": ["bags", "tyres"], "amount": "van", **answers},
        requester=requester,
        place=Place(description="Behind the shops on Leeds Road", postcode="LS1 1UR"),
        source_key=source_key,
        client_ip="192.0.2.10",
    )


def test_a_report_becomes_a_case_and_a_web_form_contact_on_its_contact_point(council):
    submission = request_submit(request=fly_tipping())
    case = submission.case
    assert case.service.code == "fly-tipping"
    assert case.channel == Channel.WEB_FORM
    assert case.summary == "Report fly-tipping: Behind the shops on Leeds Road"
    assert case.location_postcode == "LS1 1UR"
    assert "What has been dumped: Black bags, Tyres" in case.description
    assert "How much is there: A small van load" in case.description
    contact = Contact.objects.get(case=case)
    assert contact.channel == Channel.WEB_FORM
    assert contact.contact_point.address == "/forms/fly-tipping"
    assert contact.contact_point.last_used_at is not None
    assert submission.answers == {"waste_type": ["bags", "tyres"], "amount": "van"}


def test_the_customer_is_found_by_email_and_left_as_they_are(council):
    known = customer_create(
        draft=CustomerDraft(given_name="Jo", family_name="Bloggs", emails=["jo.bloggs@example.com"])
    )
    submission = request_submit(request=fly_tipping())
    assert submission.case.customer == known
    assert not known.phones.exists()
    assert submission.phone == "07911 123456"


def test_a_phone_number_never_puts_a_report_on_someone_elses_record(council):
    carl = customer_create(
        draft=CustomerDraft(given_name="Carl", family_name="Resident", phones=["07911 123456"])
    )
    with_email = Requester(name="Other Person", email="other@example.com", phone="07911 123456")
    by_phone = Requester(name="Jo Bloggs", phone="07911 123456")
    for n, requester in enumerate([with_email, by_phone]):
        case = request_submit(request=fly_tipping(f"webform:p{n}", requester=requester)).case
        assert case.customer != carl
        assert case.customer.family_name in ("Person", "Bloggs")


def test_a_new_customer_keeps_the_phone_they_gave(council):
    customer = request_submit(request=fly_tipping()).case.customer
    assert list(customer.phones.values_list("number", flat=True)) == ["+447911123456"]


def test_a_new_email_makes_a_new_customer_named_as_given(council):
    customer = request_submit(request=fly_tipping()).case.customer
    assert (customer.given_name, customer.family_name) == ("Jo", "Bloggs")
    assert CustomerEmail.objects.get(customer=customer).address == "Jo.Bloggs@example.com"


def test_an_anonymous_report_has_no_customer_and_no_email(council):
    case = request_submit(request=fly_tipping(requester=Requester())).case
    assert case.customer is None
    assert not OutboundEmail.objects.exists()


def test_the_confirmation_is_queued_with_the_reference_and_what_they_said(council, catcher):
    submission = request_submit(request=fly_tipping())
    email = OutboundEmail.objects.get(case=submission.case)
    assert email.kind == OutboundEmail.Kind.CONFIRMATION
    assert email.to_address == "jo.bloggs@example.com"
    assert submission.case.reference in email.subject
    assert "- What has been dumped: Black bags, Tyres" in email.text_body
    assert "We aim to clear it within 5 working days" in email.text_body
    assert "follow its progress at http://127.0.0.1:8000/track/" in email.text_body
    assert outbound_email_deliver(pk=email.pk).startswith("sent")
    (mail,) = catcher.wait_for(1)
    assert mail.recipients == ["jo.bloggs@example.com"]
    assert mail.message["Auto-Submitted"] == "auto-replied"


def test_sending_the_same_form_twice_makes_one_case(council):
    first = request_submit(request=fly_tipping())
    again = request_submit(request=fly_tipping())
    assert again.pk == first.pk
    assert Case.objects.count() == 1
    assert OutboundEmail.objects.count() == 1


def test_a_report_waits_for_the_front_office_in_its_queue(council):
    case = request_submit(request=fly_tipping()).case
    item = WorkItem.objects.get(case=case)
    assert item.queue.name == "Email: Environment"


def test_a_form_that_asks_everything_goes_straight_to_the_department(council):
    case = request_submit(
        request=RequestMade(
            form=RequestForm.objects.get(slug="missed-bin"),
            answers={"bin": "recycling", "out_by_7am": "yes"},
            requester=JO,
            place=Place(description="12 Leeds Road"),
            source_key="webform:bin",
        )
    ).case
    assert case.status == Case.Status.FORWARDED
    assert case.department.name == "Waste and Recycling"
    assert not WorkItem.objects.filter(case=case).exists()


def test_the_answer_to_what_would_you_like_to_do_decides_the_case_kind(council):
    case = request_submit(
        request=RequestMade(
            form=RequestForm.objects.get(slug="feedback"),
            answers={"feedback_kind": "complaint", "details": "The crew left rubbish"},
            requester=JO,
            source_key="webform:feedback",
        )
    ).case
    assert case.kind == Case.Kind.COMPLAINT


def bulky(day, key):
    return RequestMade(
        form=RequestForm.objects.get(slug="bulky-waste"),
        answers={"items": ["sofa"], "item_count": 1, "collection_date": day.isoformat()},
        requester=JO,
        place=Place(description="12 Leeds Road"),
        source_key=key,
    )


def test_a_bulky_waste_booking_takes_a_place_on_its_date(council):
    slot = CollectionSlot.objects.filter(form__slug="bulky-waste").first()
    submission = request_submit(request=bulky(slot.date, "webform:b1"))
    slot.refresh_from_db()
    assert slot.booked == 1
    assert submission.slot == slot
    assert (
        f"Choose a collection date: {slot.date:%A} {slot.date.day}" in submission.case.description
    )


def test_a_full_date_is_refused_and_nothing_is_saved(council):
    slot = CollectionSlot.objects.filter(form__slug="bulky-waste").first()
    CollectionSlot.objects.filter(pk=slot.pk).update(booked=slot.capacity)
    with pytest.raises(ValidationError) as refused:
        request_submit(request=bulky(slot.date, "webform:b2"))
    assert "slot" in refused.value.message_dict
    assert not Case.objects.exists()
    assert not Customer.objects.filter(family_name="Bloggs").exists()


def test_a_date_without_a_slot_is_refused(council):
    with pytest.raises(ValidationError):
        request_submit(request=bulky(timezone.localdate() + timedelta(days=400), "webform:b3"))


@pytest.mark.django_db(transaction=True)
def test_two_people_after_the_last_place_on_a_date_one_gets_it():
    from frontdoor.demo.council import council_build

    council_build()
    slot = CollectionSlot.objects.filter(form__slug="bulky-waste").first()
    CollectionSlot.objects.filter(pk=slot.pk).update(booked=slot.capacity - 1)
    keys = iter(["webform:r1", "webform:r2"])

    def book():
        try:
            return request_submit(request=bulky(slot.date, next(keys))).pk
        except ValidationError:
            return None

    results = at_once(book, threads=2)
    assert sorted(r is None for r in results) == [False, True]
    slot.refresh_from_db()
    assert slot.booked == slot.capacity
    assert FormSubmission.objects.count() == 1


def test_too_many_from_one_email_in_an_hour_are_refused(council):
    for n in range(SUBMISSIONS_PER_HOUR_FROM_AN_EMAIL):
        request_submit(request=fly_tipping(source_key=f"webform:{n}"))
    with pytest.raises(TooManyRequests, match="try again in an hour"):
        request_submit(request=fly_tipping(source_key="webform:one-too-many"))


def test_a_closed_form_takes_nothing(council):
    RequestForm.objects.filter(slug="fly-tipping").update(is_published=False)
    with pytest.raises(ValidationError, match="This form is closed"):
        request_submit(request=fly_tipping())
