"""Progress notices: the customer is told on forwarding, scheduling, resolution and closure,
in the same transaction as the change, by the way they chose, once per event, and on
restricted cases without a word of what the case is about."""

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from frontdoor.cases.models import Case, CaseEvent, Outcome
from frontdoor.cases.services import (
    case_close,
    case_forward,
    case_resolve,
    case_schedule,
)
from frontdoor.directory.models import Department
from frontdoor.intake.webforms.models import RequestForm
from frontdoor.intake.webforms.services import Place, Requester, RequestMade, request_submit
from frontdoor.notify import notices
from frontdoor.notify.models import EmailTemplate, OutboundEmail, OutboundSMS
from frontdoor.notify.notices import case_forwarded_notify
from frontdoor.notify.services import notification_preference_set
from frontdoor.routing.models import RoutingRule
from frontdoor.routing.services import routing_apply
from tests.factories import CustomerFactory, case_for

LONDON = ZoneInfo("Europe/London")
MOBILE = "+447400123456"


@pytest.fixture
def jo(council):
    return CustomerFactory.create(
        given_name="Jo", family_name="Bloggs", emails=["jo@example.com"], phones=[]
    )


@pytest.fixture
def waste(council):
    return Department.objects.get(name="Waste and Recycling")


def outcome():
    return Outcome.objects.get(name="Information given")


def forward(case, actor, department, **kwargs):
    return case_forward(case=case, actor=actor, department=department, reason="Crew", **kwargs)


def test_forwarding_tells_the_customer_who_has_it_and_when_we_aim_to_finish(ava, jo, waste):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)):
        case = case_for(service_code="council-tax", customer=jo, actor=ava)
        forward(case, ava, waste)
    email = OutboundEmail.objects.get()
    assert (email.kind, email.purpose, email.to_address) == (
        "notification",
        "case_forwarded",
        "jo@example.com",
    )
    assert email.case == case
    assert f"[Ref: {case.reference}]" in email.subject
    assert "Waste and Recycling" in email.subject
    assert "Dear Jo Bloggs" in email.text_body
    # Council Tax: five working days from Monday 2 March
    assert "We aim to finish by Monday 9 March 2026" in email.text_body
    assert "What happens next" in email.text_body
    assert "http://127.0.0.1:8000/track/" in email.text_body
    assert email.html_body and "<strong>" + case.reference in email.html_body
    # from the service's own inbox, as an automatic message
    assert email.from_address == "counciltax@frontdoor.example"
    assert email.auto_submitted
    event = case.events.get(kind=CaseEvent.Kind.FORWARDED)
    assert email.cause_key == f"notice:{event.pk}"
    assert email.personalisation["department"] == "Waste and Recycling"
    assert email.personalisation["target_date"] == "Monday 9 March 2026"


def test_scheduling_says_what_and_on_which_day(ava, jo):
    case = case_for(service_code="bulky-waste", customer=jo, actor=ava)
    day = timezone.localdate() + timedelta(days=3)
    case_schedule(case=case, actor=ava, scheduled_for=day, text="Collection of a sofa")
    words = f"{day:%A} {day.day} {day:%B %Y}"
    event = case.events.get(kind=CaseEvent.Kind.SCHEDULED)
    assert event.text == f"Collection of a sofa: {words}"
    email = OutboundEmail.objects.get()
    assert email.purpose == "case_scheduled"
    assert words in email.subject
    assert f"Collection of a sofa, on {words}." in email.text_body
    assert email.personalisation["scheduled_for"] == words


def test_resolving_says_how_and_until_when_it_can_be_reopened(ava, jo):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)):
        case = case_for(customer=jo, actor=ava)
        case_resolve(case=case, actor=ava, outcome=outcome(), note="Crew came back on Tuesday")
    email = OutboundEmail.objects.get()
    assert email.purpose == "case_resolved"
    assert "has been resolved" in email.text_body
    assert "Information given: Crew came back on Tuesday" in email.text_body
    # the council reopens a case on a reply within 28 days
    assert "by Monday 30 March 2026" in email.text_body


def test_closing_tells_them_too_once_each(ava, jo):
    case = case_for(customer=jo, actor=ava)
    case = case_resolve(case=case, actor=ava, outcome=outcome(), note="Done")
    case_close(case=case, actor=ava)
    assert list(OutboundEmail.objects.order_by("pk").values_list("purpose", flat=True)) == [
        "case_resolved",
        "case_closed",
    ]
    closed = OutboundEmail.objects.get(purpose="case_closed")
    assert "is now closed" in closed.text_body


def test_the_outbox_row_is_written_with_the_change_and_its_delivery_queued_on_commit(
    ava, jo, waste, django_capture_on_commit_callbacks
):
    case = case_for(customer=jo, actor=ava, service_code="council-tax")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            forward(case, ava, waste)
            assert OutboundEmail.objects.count() == 1
            raise RuntimeError("the rest of the request failed")
        assert not OutboundEmail.objects.exists()
        assert not DBTaskResult.objects.exists()
        forward(case, ava, waste)
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("outbound_emails_deliver")
    assert task.args_kwargs["args"] == [[OutboundEmail.objects.get().pk]]


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_notice_over_smtp_after_commit(ava, jo, waste, catcher, worker):
    case = forward(case_for(customer=jo, actor=ava, service_code="council-tax"), ava, waste)
    (mail,) = catcher.wait_for(1)
    assert mail.recipients == ["jo@example.com"]
    assert mail.envelope_from == "<>"
    assert mail.message["Subject"].endswith(f"[Ref: {case.reference}]")
    assert mail.message["Auto-Submitted"] == "auto-replied"
    assert (
        "to Waste and Recycling, who deal with this"
        in mail.message.get_body(("plain",)).get_content()
    )
    assert "follow your case online" in mail.message.get_body(("html",)).get_content()


def test_a_refused_change_tells_nobody(ava, jo, waste):
    case = case_for(customer=jo, actor=ava)
    with pytest.raises(ValidationError):
        case_forward(case=case, actor=ava, department=waste, reason="  ")
    with pytest.raises(ValidationError):
        case_schedule(case=case, actor=ava, scheduled_for=date(2020, 1, 1), text="Visit")
    assert not OutboundEmail.objects.exists()


def test_a_case_with_no_customer_tells_nobody(ava, waste):
    case = case_for(customer=None, actor=ava, service_code="council-tax")
    forward(case, ava, waste)
    assert not OutboundEmail.objects.exists() and not OutboundSMS.objects.exists()


def test_a_customer_with_no_way_to_reach_them_is_not_told(ava, waste, council):
    landline_only = CustomerFactory.create(emails=[], phones=["020 7946 0000"])
    case = case_for(customer=landline_only, actor=ava, service_code="council-tax")
    forward(case, ava, waste)
    assert not OutboundEmail.objects.exists() and not OutboundSMS.objects.exists()


def test_a_customer_with_only_a_mobile_gets_a_text(ava, waste, council):
    texter = CustomerFactory.create(emails=[], phones=["07400 123456"])
    case = case_for(customer=texter, actor=ava, service_code="council-tax")
    forward(case, ava, waste)
    assert not OutboundEmail.objects.exists()
    sms = OutboundSMS.objects.get()
    assert (sms.to_number, sms.purpose, sms.case) == (MOBILE, "case_forwarded", case)
    assert sms.body.startswith("Frontdoor Borough Council: your case " + case.reference)
    assert "Waste and Recycling" in sms.body
    assert sms.personalisation["body"] == sms.body
    assert sms.personalisation["reference"] == case.reference


def test_the_customers_choice_decides_the_way(ava, waste, council):
    both = CustomerFactory.create(emails=["sam@example.com"], phones=["07400 123456"])
    notification_preference_set(customer=both, by="sms", actor=None)
    case = case_for(customer=both, actor=ava, service_code="council-tax")
    forward(case, ava, waste)
    assert OutboundSMS.objects.count() == 1 and not OutboundEmail.objects.exists()
    notification_preference_set(customer=both, by="none", actor=None)
    case_resolve(case=case, actor=ava, outcome=outcome(), note="Done")
    assert OutboundSMS.objects.count() == 1 and not OutboundEmail.objects.exists()


def test_one_event_is_told_once(ava, jo, waste):
    case = forward(case_for(customer=jo, actor=ava, service_code="council-tax"), ava, waste)
    event = case.events.get(kind=CaseEvent.Kind.FORWARDED)
    assert case_forwarded_notify(case=case, event=event) is None
    assert OutboundEmail.objects.count() == 1
    # forwarding again is another event, and is told
    forward(case, ava, Department.objects.get(name="Finance"))
    assert OutboundEmail.objects.count() == 2


def test_a_case_a_routing_rule_sends_on_as_it_arrives_is_not_told_again(ava, jo, waste):
    case = case_for(customer=jo, actor=ava, service_code="council-tax")
    rule = RoutingRule.objects.create(name="Bins", position=1, department=waste, subject="bin")
    routing_apply(case=case, rule=rule)
    assert Case.objects.get(pk=case.pk).status == Case.Status.FORWARDED
    assert not OutboundEmail.objects.exists()


@pytest.fixture
def restricted(sam, council):
    person = CustomerFactory.create(emails=["pat@example.com"], phones=["07400 123456"])
    return case_for(
        service_code="adult-social-care",
        customer=person,
        actor=sam,
        summary="Care assessment for Pat",
    )


def test_a_restricted_case_gets_only_the_neutral_message(sam, restricted):
    case = case_resolve(
        case=restricted, actor=sam, outcome=outcome(), note="Carer visits agreed twice a week"
    )
    email = OutboundEmail.objects.get()
    assert email.purpose == "case_update_neutral"
    assert email.subject.startswith("There is an update on your case")
    assert "Dear customer" in email.text_body
    for detail in (
        "Adult Social Care",
        "Carer visits",
        "assessment",
        "Information given",
        "resolved",
        restricted.customer.family_name,
    ):
        assert detail not in email.subject + email.text_body + email.html_body
        assert detail not in " ".join(email.personalisation.values())
    # sent from an inbox that says nothing of the service
    assert email.from_address == "customer.services@frontdoor.example"
    assert case.reference in email.text_body


def test_a_restricted_case_texted_gets_the_neutral_text(sam, restricted):
    notification_preference_set(customer=restricted.customer, by="sms", actor=None)
    case_close(
        case=case_resolve(case=restricted, actor=sam, outcome=outcome(), note="Care agreed"),
        actor=sam,
    )
    bodies = list(OutboundSMS.objects.values_list("body", flat=True))
    assert len(bodies) == 2
    for body in bodies:
        assert "there is an update on your case" in body
        assert "Care" not in body and "closed" not in body


def test_the_councils_own_wording_is_used(ava, jo, waste):
    EmailTemplate.objects.filter(purpose="case_forwarded", contact_point=None).update(
        subject="Passed on to {{ department }}",
        text="Hello {{ customer_name }}, {{ reference }} is with {{ department }}.",
        html="",
        sms="",
    )
    case = forward(case_for(customer=jo, actor=ava, service_code="council-tax"), ava, waste)
    email = OutboundEmail.objects.get()
    assert email.subject == f"Passed on to Waste and Recycling [Ref: {case.reference}]"
    assert email.text_body == f"Hello Jo Bloggs, {case.reference} is with Waste and Recycling.\n"
    assert email.html_body == ""


def test_a_notice_that_cannot_be_composed_does_not_hold_up_the_case(
    ava, jo, waste, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("template engine fault")

    monkeypatch.setattr(notices, "template_render", broken)
    case = case_for(customer=jo, actor=ava, service_code="council-tax")
    with caplog.at_level(logging.ERROR, logger="frontdoor.notify.notices"):
        forward(case, ava, waste)
    assert Case.objects.get(pk=case.pk).status == Case.Status.FORWARDED
    assert not OutboundEmail.objects.exists()
    assert case.reference in caplog.text


def test_every_personalisation_field_is_documented_for_notify_templates():
    from frontdoor.notify.gov_notify import PERSONALISATION_HELP

    for field in (*notices.PERSONALISATION_FIELDS, "subject", "body"):
        assert f"(({field}))" in PERSONALISATION_HELP


def missed_bin(requester, key):
    return RequestMade(
        form=RequestForm.objects.get(slug="missed-bin"),
        answers={"bin": "recycling", "out_by_7am": "yes"},
        requester=requester,
        place=Place(description="12 Leeds Road"),
        source_key=key,
    )


def test_a_form_sent_straight_to_the_department_is_told_by_its_confirmation_alone(council):
    with_email = Requester(name="Jo Bloggs", email="jo@example.com", phone="07400 123456")
    case = request_submit(request=missed_bin(with_email, "webform:1")).case
    assert case.status == Case.Status.FORWARDED
    assert list(OutboundEmail.objects.values_list("kind", flat=True)) == ["confirmation"]
    assert not OutboundSMS.objects.exists()

    # With no email for a confirmation, the forwarding notice is what tells them.
    by_phone = Requester(name="Al Smith", phone="07400 654321")
    case = request_submit(request=missed_bin(by_phone, "webform:2")).case
    sms = OutboundSMS.objects.get()
    assert (sms.case, sms.purpose, sms.to_number) == (case, "case_forwarded", "+447400654321")
