"""POST /api/v1/customers, GET /api/v1/customers/{id} and the search by email or phone."""

import pytest

from frontdoor.customers.models import Customer
from tests.factories import CustomerFactory

CUSTOMERS = "/api/v1/customers"
JO = {
    "title": "Ms",
    "given_name": "Jo",
    "family_name": "Bloggs",
    "email": "Jo.Bloggs@Example.COM",
    "phone": "07911 123456",
    "address": {"line_1": "1 High Street", "town": "Anytown", "postcode": "ls1 4ap"},
}


def test_a_customer_is_added_with_their_details_normalised(crm):
    response = crm.post(CUSTOMERS, JO)
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Ms Jo Bloggs"
    assert body["emails"] == ["Jo.Bloggs@example.com"]
    assert body["phones"] == ["+447911123456"]
    assert body["addresses"][0]["postcode"] == "LS1 4AP"
    assert Customer.objects.get().pk == body["id"]


def test_an_organisation_is_added_by_its_name(crm):
    body = crm.post(CUSTOMERS, {"kind": "organisation", "organisation_name": "Acme Ltd"}).json()
    assert (body["kind"], body["name"]) == ("organisation", "Acme Ltd")


@pytest.mark.parametrize("field", ["email", "phone"])
def test_a_customer_already_on_record_is_a_conflict_naming_them(crm, field):
    known = CustomerFactory.create(emails=["jo.bloggs@example.com"], phones=["07911123456"])
    only_one = {"family_name": "Bloggs", field: JO[field]}
    response = crm.post(CUSTOMERS, only_one)
    assert response.status_code == 409
    body = response.json()
    assert body["customer_id"] == known.pk
    assert list(body["errors"]) == [field]
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"given_name": "Jo"}, {"family_name": ["Enter the person's last name"]}),
        ({"kind": "organisation"}, {"organisation_name": ["Enter the organisation's name"]}),
        (
            {"kind": "robot", "family_name": "X"},
            {"kind": ["Input should be 'person' or 'organisation'"]},
        ),
        (
            {"family_name": "X", "address": {"line_1": "1 High St"}},
            {"address.postcode": ["This field is required"]},
        ),
        (
            {"family_name": "X", "address": {"line_1": "", "postcode": "LS1 4AP"}},
            {"address.line_1": ["String should have at least 1 character"]},
        ),
        (
            {"family_name": "X" * 101},
            {"family_name": ["String should have at most 100 characters"]},
        ),
    ],
    ids=[
        "no last name",
        "no organisation name",
        "unknown kind",
        "address without postcode",
        "address without a first line",
        "name too long",
    ],
)
def test_a_customer_with_bad_fields_is_refused_and_not_added(crm, body, errors):
    response = crm.post(CUSTOMERS, body)
    assert response.status_code == 422
    assert response.json()["errors"] == errors
    assert not Customer.objects.exists()


def test_a_customer_is_read_by_id_and_an_unknown_id_is_404(crm):
    customer = CustomerFactory.create(given_name="Priya", family_name="Shah")
    body = crm.get(f"{CUSTOMERS}/{customer.pk}").json()
    assert (body["id"], body["name"], body["merged_into"]) == (customer.pk, "Priya Shah", None)
    missing = crm.get(f"{CUSTOMERS}/{customer.pk + 1000}")
    assert missing.status_code == 404
    assert missing.json()["detail"] == f"No customer has id {customer.pk + 1000}."


def test_a_merged_customer_names_the_customer_they_were_merged_into(crm):
    merged, kept = CustomerFactory.create(), CustomerFactory.create()
    Customer.objects.filter(pk=merged.pk).update(merged_into=kept)
    assert crm.get(f"{CUSTOMERS}/{merged.pk}").json()["merged_into"] == kept.pk


def test_customers_are_found_by_email_in_any_case_or_by_phone_in_any_format(crm):
    jo = CustomerFactory.create(emails=["jo@example.com"], phones=["07911 123456"])
    CustomerFactory.create(emails=["someone@example.com"])
    for query in (
        {"email": "JO@example.com"},
        {"phone": "+44 7911 123456"},
        {"phone": "07911123456"},
    ):
        found = crm.get(CUSTOMERS, query).json()["items"]
        assert [c["id"] for c in found] == [jo.pk], query
    both = {"email": "jo@example.com", "phone": "020 7946 0000"}
    assert crm.get(CUSTOMERS, both).json()["items"] == []


def test_merged_customers_are_not_found_by_search(crm):
    merged, kept = CustomerFactory.create(emails=["jo@example.com"]), CustomerFactory.create()
    Customer.objects.filter(pk=merged.pk).update(merged_into=kept)
    assert crm.get(CUSTOMERS, {"email": "jo@example.com"}).json()["items"] == []


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({}, {"email": ["Give an email address or a phone number"]}),
        (
            {"email": "nope"},
            {"email": ["Enter an email address in the correct format, like name@example.com"]},
        ),
        (
            {"phone": "12"},
            {
                "phone": [
                    "Enter a phone number, like 020 7946 0000, 07911 123 456 or +44 808 157 0192"
                ]
            },
        ),
    ],
    ids=["neither", "bad email", "bad phone"],
)
def test_a_search_without_a_usable_email_or_phone_is_refused(crm, query, errors):
    response = crm.get(CUSTOMERS, query)
    assert response.status_code == 422
    assert response.json()["errors"] == errors
