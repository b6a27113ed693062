import pytest
from django.urls import reverse

from frontdoor.cases.models import Case, Contact, RestrictedCaseView
from frontdoor.customers.models import Customer
from frontdoor.directory.models import Department, Service
from tests.factories import CustomerFactory, case_for


@pytest.fixture
def customer(council):
    return CustomerFactory.create()


def page(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def test_signed_out_people_are_sent_to_sign_in(client, council):
    response = client.get(reverse("console:my_cases"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_residents_are_refused_the_console(client, cara):
    assert page(client, cara, reverse("console:customer_search")).status_code == 403


def test_a_case_bea_may_not_see_answers_404(client, ava, bea, customer):
    case = case_for(service_code="council-tax", customer=customer, actor=ava)
    assert (
        page(client, bea, reverse("console:case_detail", args=[case.reference])).status_code == 404
    )
    assert (
        page(client, ava, reverse("console:case_detail", args=[case.reference])).status_code == 200
    )


def test_opening_a_restricted_case_is_recorded(client, sam, customer):
    case = case_for(service_code="adult-social-care", customer=customer, actor=sam)
    response = page(client, sam, reverse("console:case_detail", args=[case.reference]))
    assert response.status_code == 200
    assert RestrictedCaseView.objects.filter(case=case, viewer=sam).count() == 1


def test_logging_a_call_opens_a_case_and_shows_the_timeline(client, ava, customer):
    client.force_login(ava)
    response = client.post(
        reverse("console:contact_log", args=[customer.pk]),
        {
            "channel": "phone",
            "summary": "Bin missed on Tuesday",
            "duration_minutes": "4",
            "case_choice": "new",
            "service": Service.objects.get(code="missed-bin").pk,
            "case_summary": "Missed bin at 1 High Street",
            "kind": "request",
            "priority": "3",
        },
        follow=True,
    )
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == reverse("console:case_detail", args=[case.reference])
    assert f"Contact logged on case {case.reference}" in response.text
    assert "Phone from the customer: Bin missed on Tuesday" in response.text
    assert Contact.objects.get().duration_seconds == 240


def test_bad_input_gets_the_error_summary_and_nothing_is_saved(client, ava, customer):
    client.force_login(ava)
    response = client.post(
        reverse("console:contact_log", args=[customer.pk]),
        {
            "channel": "phone",
            "summary": "",
            "duration_minutes": "four",
            "case_choice": "new",
        },
    )
    assert response.status_code == 200
    assert "There is a problem" in response.text
    for message in [
        "Enter what the customer asked or told you",
        "Enter the length in whole minutes, like 5",
        "Choose the service the case is about",
        "Enter a case title",
    ]:
        assert message in response.text
    assert not Contact.objects.exists() and not Case.objects.exists()


def test_adding_a_customer_with_bad_details_shows_field_errors(client, ava):
    client.force_login(ava)
    response = client.post(
        reverse("console:customer_new"),
        {
            "kind": "person",
            "family_name": "x" * 101,
            "email": "jo@",
            "phone": "123",
            "address_line_1": "1 High Street",
            "postcode": "AB1 2CD",
            "date_of_birth_0": "31",
            "date_of_birth_1": "2",
            "date_of_birth_2": "1980",
        },
    )
    text = response.text
    assert "Ensure this value has at most 100 characters" in text
    assert "Enter an email address in the correct format" in text
    assert "Enter a phone number, like" in text
    assert "Enter a real UK postcode, like SW1A 1AA" in text
    assert "The date of birth must be a real date" in text
    assert 'href="#id_phone"' in text  # the summary links to the field
    assert not Customer.objects.exists()


def test_forward_then_the_department_resolves(client, ava, bea, customer):
    case = case_for(customer=customer, actor=ava)
    client.force_login(ava)
    client.post(
        reverse("console:case_action", args=[case.reference, "forward"]),
        {
            "department": Department.objects.get(name="Waste and Recycling").pk,
            "reason": "Crew to return",
        },
    )
    client.force_login(bea)
    inbox = client.get(reverse("console:department_inbox"))
    assert case.reference in inbox.text
    client.post(reverse("console:case_action", args=[case.reference, "accept"]))
    case.refresh_from_db()
    assert (case.status, case.assigned_to) == (Case.Status.IN_PROGRESS, bea)
    response = client.post(
        reverse("console:case_action", args=[case.reference, "resolve"]),
        {"outcome": "", "note": ""},
    )
    assert "Choose the outcome" in response.text
    from frontdoor.cases.models import Outcome

    client.post(
        reverse("console:case_action", args=[case.reference, "resolve"]),
        {
            "outcome": Outcome.objects.get(name="Service requested").pk,
            "note": "Crew returned and emptied the bin",
        },
    )
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED


def test_an_action_not_allowed_now_is_refused_with_a_message(client, ava, customer):
    case = case_for(customer=customer, actor=ava)
    client.force_login(ava)
    response = client.post(
        reverse("console:case_action", args=[case.reference, "close"]), follow=True
    )
    assert "You cannot close the case now." in response.text
    assert 'data-fd-level="error"' in response.text  # an "Important" banner, not "Success"
    case.refresh_from_db()
    assert case.status == Case.Status.NEW


def test_the_department_inbox_is_for_department_staff(client, max_):
    assert page(client, max_, reverse("console:department_inbox")).status_code == 404


def test_csrf_is_enforced(ava, customer):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ava)
    response = strict.post(
        reverse("console:customer_new"), {"kind": "person", "family_name": "Bloggs"}
    )
    assert response.status_code == 403


def test_a_customer_with_every_detail_is_saved_normalised(client, ava):
    client.force_login(ava)
    response = client.post(
        reverse("console:customer_new"),
        {
            "kind": "person",
            "given_name": "Jo",
            "family_name": "Bloggs",
            "email": "Jo@Example.com",
            "phone": "07911 123456",
            "address_line_1": "4 High St",
            "postcode": "ls14ap",
            "uprn": "72345678",
            "date_of_birth_0": "27",
            "date_of_birth_1": "3",
            "date_of_birth_2": "1980",
        },
    )
    customer = Customer.objects.get()
    assert response["Location"] == reverse("console:customer_detail", args=[customer.pk])
    assert str(customer.date_of_birth) == "1980-03-27"
    assert customer.emails.get().address == "Jo@example.com"
    assert customer.phones.get().number == "+447911123456"
    address = customer.addresses.get()
    assert (address.postcode, address.uprn) == ("LS1 4AP", 72345678)


def test_console_home_shows_my_cases_and_my_department_inbox(client, ava, bea, customer):
    mine = case_for(customer=customer, actor=ava, summary="Mine")
    forwarded = case_for(customer=customer, actor=ava, summary="For Waste")
    from frontdoor.cases.services import case_forward

    case_forward(case=forwarded, actor=ava, department=bea.staff_member.department, reason="Crew")
    ava_home = page(client, ava, reverse("console:home")).text
    assert mine.reference in ava_home and forwarded.reference not in ava_home
    assert "Customer Services inbox" in ava_home
    bea_home = page(client, bea, reverse("console:home")).text
    assert "Waste and Recycling inbox" in bea_home and forwarded.reference in bea_home
    assert mine.reference not in bea_home  # Waste's service, but the front office has it


def test_a_follow_up_call_is_preselected_onto_the_case(client, ava, customer):
    case = case_for(customer=customer, actor=ava)
    url = reverse("console:contact_log", args=[customer.pk]) + f"?case={case.reference}"
    response = page(client, ava, url)
    form = response.context["form"]
    assert form.initial == {"case_choice": "existing", "existing_case": case.reference}
    client.post(
        url,
        {
            "channel": "phone",
            "summary": "Chasing",
            "case_choice": "existing",
            "existing_case": case.reference,
            "kind": "request",
            "priority": "3",
        },
    )
    assert case.contacts.get().summary == "Chasing"


def test_an_advisor_logging_a_social_care_call_is_told_where_the_case_went(client, ava, customer):
    client.force_login(ava)
    response = client.post(
        reverse("console:contact_log", args=[customer.pk]),
        {
            "channel": "phone",
            "summary": "Worried about my dad",
            "case_choice": "new",
            "service": Service.objects.get(code="adult-social-care").pk,
            "case_summary": "Concern for father",
            "kind": "request",
            "priority": "2",
        },
        follow=True,
    )
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == reverse("console:customer_detail", args=[customer.pk])
    assert f"Case {case.reference} sent to Adult Social Care" in response.text
    assert "Concern for father" not in response.text  # ava may not see the case itself


@pytest.mark.parametrize("action", ["forward", "resolve", "note", "close", "accept"])
def test_actions_on_a_case_the_user_may_not_see_answer_404(client, ava, bea, customer, action):
    case = case_for(service_code="council-tax", customer=customer, actor=ava)
    client.force_login(bea)
    url = reverse("console:case_action", args=[case.reference, action])
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "x", "reason": "x", "note": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.status == Case.Status.NEW and case.events.count() == 1


def test_a_part_filled_date_says_which_part_is_missing(client, ava):
    client.force_login(ava)
    response = client.post(
        reverse("console:customer_new"),
        {
            "kind": "person",
            "family_name": "Bloggs",
            "date_of_birth_0": "27",
            "date_of_birth_1": "",
            "date_of_birth_2": "1980",
        },
    )
    assert "The date of birth must include a month" in response.text
    assert not Customer.objects.exists()
