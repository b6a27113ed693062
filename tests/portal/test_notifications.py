"""A resident chooses how they hear about progress: the choice lands on every customer record
their confirmed address is on, and only they may make it."""

import pytest

from frontdoor.customers.services import CustomerDraft, customer_create
from frontdoor.notify.models import NotificationPreference
from frontdoor.notify.selectors import notification_preference_for
from frontdoor.portal.models import ResidentAccount
from tests.portal.conftest import sign_in

URL = "/account/notifications/"
By = NotificationPreference.By


@pytest.fixture
def cara_in(client, cara_customer):
    sign_in(client, "cara@example.com")
    return client


def test_email_is_the_default_offered_with_the_address_notices_go_to(cara_in):
    page = cara_in.get(URL).content.decode()
    assert "By email to Cara@example.com" in page  # as their record has it
    assert 'value="email" checked' in page


def test_choosing_texts_with_a_mobile_adds_it_to_every_record_of_theirs(cara_in, cara_customer):
    other = customer_create(
        draft=CustomerDraft(given_name="Cara", family_name="Resident", emails=["cara@example.com"])
    )
    response = cara_in.post(URL, {"by": "sms", "mobile": "07911 123456"})
    assert response.status_code == 302
    for customer in (cara_customer, other):
        choice = notification_preference_for(customer)
        assert (choice.by, choice.chosen, choice.mobile) == (By.SMS, True, "+447911123456")


def test_texts_without_a_mobile_number_ask_for_one(cara_in, cara_customer):
    page = cara_in.post(URL, {"by": "sms"}).content.decode()
    assert "Enter the UK mobile number we should text" in page
    assert not NotificationPreference.objects.exists()


def test_a_landline_is_not_taken_for_texts(cara_in):
    page = cara_in.post(URL, {"by": "sms", "mobile": "0113 496 0000"}).content.decode()
    assert "Enter a UK mobile number" in page
    assert not NotificationPreference.objects.exists()


def test_choosing_none_is_kept(cara_in, cara_customer):
    cara_in.post(URL, {"by": "none"})
    assert notification_preference_for(cara_customer).by == By.NONE


def test_carls_choice_does_not_touch_caras_records(client, cara_customer, carl_customer):
    sign_in(client, "carl@example.com")
    client.post(URL, {"by": "none"})
    assert notification_preference_for(carl_customer).by == By.NONE
    assert notification_preference_for(cara_customer).chosen is False


def test_with_no_cases_yet_there_is_nothing_to_choose(client, council):
    sign_in(client, "cara@example.com")
    page = client.get(URL).content.decode()
    assert "You have no cases with us yet" in page
    assert client.post(URL, {"by": "none"}).status_code == 200
    assert not NotificationPreference.objects.exists()


def test_an_unconfirmed_account_cannot_choose(client, cara_customer):
    ResidentAccount.objects.filter(email__iexact="cara@example.com").update(verified_at=None)
    sign_in(client, "cara@example.com")
    client.post(URL, {"by": "none"})
    assert not NotificationPreference.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client, council):
    assert "/account/sign-in/" in client.get(URL).url


def test_staff_are_pointed_to_the_console(client, ava):
    client.force_login(ava)
    assert client.get(URL).status_code == 403
