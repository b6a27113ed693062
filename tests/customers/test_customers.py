import pytest
from django.core.exceptions import ValidationError

from frontdoor.customers.models import Customer
from frontdoor.customers.normalise import email_normalise, phone_to_e164, postcode_normalise
from frontdoor.customers.selectors import customers_search
from frontdoor.customers.services import AddressDraft, CustomerDraft, customer_create


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("020 7946 0123", "+442079460123"),
        ("07911 123456", "+447911123456"),
        ("+44 (0)113 496 0000", "+441134960000"),
        ("+33 1 42 68 53 00", "+33142685300"),
    ],
)
def test_phone_numbers_are_stored_in_e164(raw, e164):
    assert phone_to_e164(raw) == e164


@pytest.mark.parametrize("raw", ["12345", "phone me", "07700 900982", "+44 20 7946 01234567"])
def test_invalid_phone_numbers_say_what_to_enter(raw):
    with pytest.raises(ValidationError, match="Enter a phone number, like"):
        phone_to_e164(raw)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        (" ls1  4ap ", "LS1 4AP"),
        ("EH1 1YZ", "EH1 1YZ"),
        ("BT1 5GS", "BT1 5GS"),
    ],
)
def test_postcodes_are_normalised(raw, clean):
    assert postcode_normalise(raw) == clean


@pytest.mark.parametrize("raw", ["SW1A", "AB1 2CD", "12345", "not a postcode"])
def test_invalid_postcodes_are_refused(raw):
    with pytest.raises(ValidationError, match="Enter a real UK postcode"):
        postcode_normalise(raw)


def test_email_domain_is_lowercased_and_bad_addresses_refused():
    assert email_normalise(" Jo.Bloggs@Example.COM ") == "Jo.Bloggs@example.com"
    with pytest.raises(ValidationError, match="correct format"):
        email_normalise("jo@")


def test_an_invalid_detail_saves_nothing(db):
    with pytest.raises(ValidationError):
        customer_create(
            draft=CustomerDraft(
                family_name="Bloggs", emails=["jo@example.com"], phones=["not a number"]
            )
        )
    assert not Customer.objects.exists()


@pytest.fixture
def people(council):
    jo = customer_create(
        draft=CustomerDraft(
            given_name="Jo",
            family_name="Bloggs",
            emails=["Jo.Bloggs@example.com"],
            phones=["020 7946 0123"],
            addresses=[AddressDraft(line_1="4 High Street", postcode="ls1 4ap", uprn=72345678)],
        )
    )
    joe = customer_create(draft=CustomerDraft(given_name="Joseph", family_name="Smith-Jones"))
    zoe = customer_create(draft=CustomerDraft(given_name="Zoë", family_name="O’Brien"))
    diaz = customer_create(draft=CustomerDraft(given_name="Ana", family_name="Díaz"))
    acme = customer_create(
        draft=CustomerDraft(kind="organisation", organisation_name="Acme Lettings Ltd")
    )
    return {"jo": jo, "joe": joe, "acme": acme, "zoe": zoe, "diaz": diaz}


@pytest.mark.parametrize(
    ("query", "by", "found"),
    [
        ("jo.bloggs@EXAMPLE.com", "email", {"jo"}),
        ("020 7946 0123", "phone", {"jo"}),
        ("+442079460123", "phone", {"jo"}),
        ("LS14AP", "postcode", {"jo"}),
        ("blog", "name", {"jo"}),
        ("jo", "name", {"jo", "joe"}),
        ("Jo Bloggs", "name", {"jo"}),
        ("bloggs jo", "name", {"jo"}),
        ("smith-jones", "name", {"joe"}),
        ("acme", "name", {"acme"}),
        ("nobody", "name", set()),
        ("smith jones", "name", {"joe"}),
        ("Zoe O'Brien", "name", {"zoe"}),
        ("obrien", "name", {"zoe"}),
        ("diaz", "name", {"diaz"}),
        ("ana díaz", "name", {"diaz"}),
    ],
)
def test_search_by_name_email_phone_or_postcode(ava, people, query, by, found):
    searched_by, results = customers_search(ava, query=query)
    assert searched_by == by
    assert {name for name, c in people.items() if c in results} == found


def test_residents_cannot_search_customers(cara, people):
    assert customers_search(cara, query="bloggs") == ("name", [])


def test_a_customer_can_have_several_emails_phones_and_addresses(ava, people):
    from frontdoor.customers.services import customer_details_add

    jo = people["jo"]
    customer_details_add(
        customer=jo,
        email="jo@work.example.org",
        phone="07911 123456",
        address=AddressDraft(line_1="Flat 2, 9 Park Road", postcode="ls2 9jt"),
    )
    customer_details_add(customer=jo, email="JO.BLOGGS@example.com")  # repeats: ignored
    customer_details_add(
        customer=jo, address=AddressDraft(line_1="4 high street", postcode="LS14AP")
    )
    assert jo.emails.count() == 2 and jo.phones.count() == 2 and jo.addresses.count() == 2
    assert jo.emails.get(is_primary=True).address == "Jo.Bloggs@example.com"

    assert customers_search(ava, query="07911 123456")[1] == [jo]
    assert customers_search(ava, query="LS2 9JT")[1] == [jo]


def test_adding_details_with_nothing_filled_in_says_what_to_do(client, ava, people):
    from django.urls import reverse

    client.force_login(ava)
    url = reverse("console:customer_details_new", args=[people["jo"].pk])
    response = client.post(url, {"phone": "999"})
    assert "Enter a phone number, like" in response.text
    response = client.post(url, {})
    assert "Enter an email address, a phone number or an address" in response.text
    response = client.post(url, {"email": "second@example.com"})
    assert response.status_code == 302
    assert people["jo"].emails.count() == 2


def test_finding_a_customer_by_details_matches_email_then_phone_else_adds_them(db):
    from frontdoor.customers.services import customer_find_or_create

    jo = customer_create(
        draft=CustomerDraft(family_name="Bloggs", emails=["jo@example.com"], phones=["07911123456"])
    )
    by_email = CustomerDraft(family_name="Someone", emails=["JO@example.com"])
    by_phone = CustomerDraft(family_name="Someone", phones=["+44 7911 123456"])
    assert customer_find_or_create(draft=by_email) == (jo, False)
    assert customer_find_or_create(draft=by_phone) == (jo, False)
    added, new = customer_find_or_create(draft=CustomerDraft(family_name="Ng"))
    assert new and added.display_name == "Ng" and Customer.objects.count() == 2
    with pytest.raises(ValidationError):
        customer_find_or_create(draft=CustomerDraft(family_name="X", phones=["12"]))
    assert Customer.objects.count() == 2
