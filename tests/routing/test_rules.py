"""Keyword routing rules: ordered, first match wins, recorded on the case."""

import pytest

from frontdoor.cases.models import Case
from frontdoor.cases.selectors import department_inbox
from frontdoor.directory.models import ContactPoint, Department, Service
from frontdoor.routing.matching import MailFacts, words_pattern
from frontdoor.routing.models import RoutingRule
from frontdoor.routing.selectors import rule_for
from frontdoor.routing.services import rule_save
from tests.intake.email.mail import message, receive

pytestmark = pytest.mark.django_db


def rule(name, position, **fields):
    inboxes = fields.pop("inboxes", [])
    made = RoutingRule(name=name, position=position, **fields)
    return rule_save(rule=made, inbox_ids=[i.pk for i in inboxes], actor=None)


def facts(inbox, subject="", sender="jo@example.com", body=""):
    return MailFacts(inbox_id=inbox.pk, sender=sender, subject=subject, body=body)


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("Remittance Advice 1234", True),
        ("REMITTANCE ADVICE", True),
        ("remittance\n advice", True),
        ("Remittance advices", False),
        ("Nonremittance advice", False),
        ("Advice on remittance", False),
    ],
)
def test_words_match_whole_phrases_in_any_case(text, matches):
    assert bool(words_pattern("remittance advice").search(text)) is matches


def test_any_of_several_phrases_matches():
    pattern = words_pattern("remittance advice, payment advice , ")
    assert pattern.search("Your payment advice")
    assert pattern.search("@bank.example") is None
    assert words_pattern("@bank.example").search("payments@bank.example")


def test_remittance_advice_goes_straight_to_finance_bypassing_the_front_office(general_inbox, bea):
    finance = Department.objects.get(name="Finance")
    email = receive(general_inbox, message(to=general_inbox.address, subject="Remittance Advice"))
    case = email.case
    assert case.status == Case.Status.FORWARDED
    assert case.department == finance
    assert case.routed_by.name == "Remittance advice to Finance"
    assert case.service.code == "invoices-payments"
    assert case.assigned_to is None
    forwarded = case.events.get(kind="forwarded")
    assert "Remittance advice to Finance" in forwarded.text and forwarded.department == finance
    assert case in department_inbox(_finance_officer(finance))


def _finance_officer(finance):
    from django.contrib.auth import get_user_model

    from frontdoor.directory.models import StaffMember

    user = get_user_model().objects.create_user("fin", password="x")
    StaffMember.objects.create(user=user, role="back_office", department=finance)
    return get_user_model().objects.select_related("staff_member").get(pk=user.pk)


def test_mail_no_rule_matches_stays_with_the_front_office(general_inbox):
    case = receive(general_inbox, message(to=general_inbox.address, subject="Library hours")).case
    assert case.status == Case.Status.NEW and case.routed_by is None
    assert case.forwarded_at is None


def test_the_first_matching_rule_in_order_wins(council, general_inbox):
    waste = Department.objects.get(name="Waste and Recycling")
    rule("Anything about bins", 5, subject="bin", department=waste)
    rule("Urgent bins", 1, subject="bin, urgent", priority=Case.Priority.URGENT)
    assert rule_for(facts(general_inbox, subject="Urgent: bin")).name == "Urgent bins"
    assert rule_for(facts(general_inbox, subject="My bin")).name == "Urgent bins"
    case = receive(general_inbox, message(to=general_inbox.address, subject="Bin lid")).case
    assert (case.routed_by.name, case.priority, case.status) == ("Urgent bins", 1, "new")
    assert "Urgent bins" in case.events.get(kind="note").text


def test_every_condition_given_must_hold(general_inbox):
    rule(
        "Bank remittances",
        1,
        sender="@bank.example",
        body="payment",
        priority=Case.Priority.HIGH,
    )
    assert rule_for(facts(general_inbox, sender="ops@bank.example", body="A payment")) is not None
    assert rule_for(facts(general_inbox, sender="ops@bank.example", body="Hello")) is None
    assert rule_for(facts(general_inbox, sender="jo@example.com", body="A payment")) is None


def test_a_rule_can_be_limited_to_inboxes(general_inbox, waste_inbox):
    rule("Only waste", 1, subject="hello", priority=2, inboxes=[waste_inbox])
    assert rule_for(facts(waste_inbox, subject="hello")) is not None
    assert rule_for(facts(general_inbox, subject="hello")) is None


def test_regular_expressions(general_inbox):
    rule("Invoice numbers", 1, matching="regex", subject=r"\bINV-\d{5}\b", priority=2)
    assert rule_for(facts(general_inbox, subject="Query on inv-12345")) is not None
    assert rule_for(facts(general_inbox, subject="INV-123")) is None


def test_a_rule_can_set_the_service_and_suppress_the_acknowledgement(general_inbox):
    parking = Service.objects.get(code="parking")
    rule(
        "Parking newsletters", 1, subject="parking", service=parking, suppress_acknowledgement=True
    )
    email = receive(general_inbox, message(to=general_inbox.address, subject="Parking permit"))
    assert email.case.service == parking
    assert email.acknowledgement is None
    assert "Parking newsletters" in email.acknowledgement_skipped


def test_inactive_rules_are_skipped_and_edits_take_effect_at_once(general_inbox):
    made = rule("Bins", 1, subject="bin", priority=2)
    assert rule_for(facts(general_inbox, subject="bin")) == made
    made.is_active = False
    rule_save(rule=made, inbox_ids=[], actor=None)
    assert rule_for(facts(general_inbox, subject="bin")) is None
    made.is_active = True
    rule_save(
        rule=made,
        inbox_ids=[ContactPoint.objects.get(address="waste@frontdoor.example").pk],
        actor=None,
    )
    assert rule_for(facts(general_inbox, subject="bin")) is None


def test_rules_do_not_move_follow_ups_on_an_open_case(general_inbox):
    case = receive(general_inbox, message(to=general_inbox.address, subject="Library hours")).case
    reply = receive(
        general_inbox,
        message(to=general_inbox.address, subject=f"Re: [Ref: {case.reference}] remittance advice"),
    )
    assert reply.case == case
    case.refresh_from_db()
    assert case.status == Case.Status.NEW and case.routed_by is None


def test_a_restricted_case_stays_with_its_own_department_and_says_why(general_inbox):
    social_care = Service.objects.get(code="adult-social-care")
    finance = Department.objects.get(name="Finance")
    rule("Care fees", 1, subject="care", service=social_care, department=finance)
    case = receive(general_inbox, message(to=general_inbox.address, subject="care fees")).case
    assert case.restricted and case.department == social_care.department
    note = case.events.filter(kind="note").last()
    assert "could not go to Finance" in note.text and case.routed_by.name == "Care fees"
