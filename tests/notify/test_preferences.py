"""How a customer wants to hear about their cases: their choice while it can reach them,
otherwise email, else a text to a UK mobile, else nothing."""

import pytest
from django.core.exceptions import ValidationError

from frontdoor.customers.models import CustomerPhone
from frontdoor.customers.selectors import customer_email_addresses, customer_uk_mobiles
from frontdoor.notify.models import NotificationPreference
from frontdoor.notify.selectors import notification_preference_for
from frontdoor.notify.services import notification_preference_set
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

MOBILE = "07400 123456"


def customer(emails=(), phones=()):
    return CustomerFactory.create(emails=list(emails), phones=list(phones))


def test_the_default_is_email_when_they_have_an_address():
    choice = notification_preference_for(customer(["jo@example.com"], [MOBILE]))
    assert (choice.by, choice.chosen) == ("email", False)
    assert (choice.email, choice.mobile) == ("jo@example.com", "+447400123456")
    assert choice.ways == ["email", "sms", "none"]


def test_the_default_is_a_text_when_they_have_only_a_uk_mobile():
    choice = notification_preference_for(customer(phones=[MOBILE]))
    assert (choice.by, choice.email) == ("sms", "")
    assert choice.ways == ["sms", "none"]


@pytest.mark.parametrize(
    "phones",
    [
        [],
        ["020 7946 0000"],  # a landline
        ["07623 456789"],  # a pager: 07, but no texts
        ["+33 6 12 34 56 78"],  # a French mobile
    ],
)
def test_the_default_is_nothing_without_an_address_or_uk_mobile(phones):
    choice = notification_preference_for(customer(phones=phones))
    assert choice.by == "none"
    assert choice.ways == ["none"]


def test_their_choice_is_kept_and_read_back(cara):
    person = customer(["jo@example.com"], [MOBILE])
    notification_preference_set(customer=person, by="sms", actor=cara)
    choice = notification_preference_for(person)
    assert (choice.by, choice.chosen) == ("sms", True)
    stored = NotificationPreference.objects.get(customer=person)
    assert stored.updated_by == cara
    notification_preference_set(customer=person, by="none", actor=cara)
    assert notification_preference_for(person).by == "none"
    assert NotificationPreference.objects.count() == 1


def test_a_choice_that_can_no_longer_reach_them_falls_back_to_the_default():
    person = customer(["jo@example.com"], [MOBILE])
    notification_preference_set(customer=person, by="sms", actor=None)
    CustomerPhone.objects.filter(customer=person).delete()
    choice = notification_preference_for(person)
    assert (choice.by, choice.chosen) == ("email", False)


@pytest.mark.parametrize(
    ("emails", "phones", "by", "message"),
    [
        ([], [MOBILE], "email", "There is no email address to write to"),
        (["jo@example.com"], ["020 7946 0000"], "sms", "There is no UK mobile number to text"),
        (["jo@example.com"], [], "pigeon", "Choose how to be told about progress"),
    ],
)
def test_a_way_they_cannot_be_reached_by_is_refused_saying_what_to_do(emails, phones, by, message):
    person = customer(emails, phones)
    with pytest.raises(ValidationError) as refused:
        notification_preference_set(customer=person, by=by, actor=None)
    assert message in refused.value.message_dict["by"][0]
    assert not NotificationPreference.objects.exists()


def test_the_customers_selectors_put_the_primary_first():
    person = customer(["first@example.com", "second@example.com"], [MOBILE, "07400 654321"])
    assert customer_email_addresses(person) == ["first@example.com", "second@example.com"]
    assert customer_uk_mobiles(person) == ["+447400123456", "+447400654321"]
    person.emails.update(is_primary=False)
    person.emails.filter(address="second@example.com").update(is_primary=True)
    assert customer_email_addresses(person)[0] == "second@example.com"
