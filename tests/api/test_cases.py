"""POST /api/v1/cases, GET /api/v1/cases and GET /api/v1/cases/{reference}."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from frontdoor.api.models import ApiKey, RestrictedCaseRead
from frontdoor.cases.models import Case, CaseEvent, Channel, Contact
from frontdoor.cases.services import case_note_add, case_start
from frontdoor.customers.models import Customer
from frontdoor.routing.models import WorkItem
from tests.api.conftest import ApiClient
from tests.concurrency import at_once
from tests.factories import CustomerFactory, case_for

CASES = "/api/v1/cases"
ISO_TIME = "Enter a time in ISO 8601 with its time zone, like 2026-03-02T09:30:00+00:00"
MISSED_BIN = {
    "service": "missed-bin",
    "summary": "Green bin not emptied",
    "description": "The lorry passed at 7am and left the green bin.",
    "kind": "request",
    "priority": "high",
    "location": {"address": "1 High Street, Anytown", "postcode": "ls14ap", "uprn": 72700001},
}


# --- Opening a case -----------------------------------------------------------------------


def test_a_case_opened_through_the_api_is_an_e_form_contact_on_the_keys_contact_point(waste):
    response = waste.post(CASES, MISSED_BIN)
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get(reference=body["reference"])
    assert response["Location"] == f"/api/v1/cases/{case.reference}"
    assert (case.service.code, case.channel, case.priority) == ("missed-bin", "e_form", 2)
    assert (case.location_postcode, case.location_uprn) == ("LS1 4AP", 72700001)
    contact = Contact.objects.get(case=case)
    point = ApiKey.objects.get(name="Waste rounds").contact_point
    assert (contact.channel, contact.direction, contact.contact_point) == (
        Channel.E_FORM,
        Contact.Direction.INBOUND,
        point,
    )
    point.refresh_from_db()
    assert point.last_used_at == contact.occurred_at
    assert body["status"] == "new" and body["priority"] == "high"
    assert [event["kind"] for event in body["timeline"]] == ["opened", "contact"]


def test_a_case_opened_through_the_api_waits_in_the_front_offices_queue(waste):
    reference = waste.post(CASES, MISSED_BIN).json()["reference"]
    item = WorkItem.objects.get(case__reference=reference)
    assert item.status == WorkItem.Status.WAITING
    assert item.queue.name == "Email: Environment"


def test_the_customer_is_found_by_email_then_phone_else_added(waste):
    known = CustomerFactory.create(emails=["jo@example.com"], phones=["07911 123456"])
    by_email = waste.post(
        CASES, {**MISSED_BIN, "customer": {"family_name": "Other", "email": "Jo@Example.com"}}
    )
    by_phone = waste.post(
        CASES, {**MISSED_BIN, "customer": {"family_name": "Jones", "phone": "+447911123456"}}
    )
    new = waste.post(
        CASES,
        {
            **MISSED_BIN,
            "customer": {"given_name": "Sam", "family_name": "New", "phone": "0113 4960 999"},
        },
    )
    assert by_email.json()["customer_id"] == known.pk
    assert by_phone.json()["customer_id"] == known.pk
    added = Customer.objects.get(pk=new.json()["customer_id"])
    assert (added.display_name, added.phones.get().number) == ("Sam New", "+441134960999")
    known.refresh_from_db()
    assert known.family_name != "Other"  # a match is not changed by what came with a request


def test_a_case_may_be_for_a_customer_by_id_or_for_nobody(waste):
    customer = CustomerFactory.create()
    assert (
        waste.post(CASES, {**MISSED_BIN, "customer_id": customer.pk}).json()["customer_id"]
        == customer.pk
    )
    assert waste.post(CASES, MISSED_BIN).json()["customer_id"] is None


def test_a_restricted_case_goes_straight_to_its_department_and_is_not_queued(social_care):
    response = social_care.post(
        CASES, {"service": "adult-social-care", "summary": "Referral for Mrs B"}
    )
    assert response.status_code == 201
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.restricted and case.status == Case.Status.FORWARDED
    assert not WorkItem.objects.filter(case=case).exists()


def test_a_key_that_may_not_see_restricted_cases_may_not_open_them(crm):
    response = crm.post(CASES, {"service": "adult-social-care", "summary": "Referral"})
    assert response.status_code == 403
    assert not Case.objects.exists()


# --- The same request twice ---------------------------------------------------------------


def test_the_same_external_id_sent_twice_opens_one_case(waste):
    body = {**MISSED_BIN, "external_id": "round-42/stop-7", "customer": {"family_name": "Ng"}}
    first = waste.post(CASES, body)
    again = waste.post(CASES, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["reference"] == first.json()["reference"]
    assert Case.objects.count() == 1 and Contact.objects.count() == 1
    assert Customer.objects.count() == 1
    assert Contact.objects.get().source_key.endswith(":round-42/stop-7")


def test_an_external_id_reused_for_a_different_request_is_a_conflict(waste):
    first = waste.post(CASES, {**MISSED_BIN, "external_id": "A1"})
    other = waste.post(CASES, {**MISSED_BIN, "summary": "Something else", "external_id": "A1"})
    assert other.status_code == 409
    assert other.json()["reference"] == first.json()["reference"]
    assert other.json()["errors"] == {"external_id": ["Already used for a different request"]}
    assert Case.objects.count() == 1


def test_external_ids_belong_to_their_integration_and_survive_a_new_key(waste, crm, ada):
    from frontdoor.api.services import ApiKeyDraft, api_key_issue
    from frontdoor.directory.models import Department

    waste.post(CASES, {**MISSED_BIN, "external_id": "A1"})
    assert crm.post(CASES, {**MISSED_BIN, "external_id": "A1"}).status_code == 201
    old = ApiKey.objects.get(name="Waste rounds")
    replacement = api_key_issue(
        draft=ApiKeyDraft(
            name="Waste rounds 2",
            contact_point=old.contact_point,
            departments=[Department.objects.get(name="Waste and Recycling")],
            may_create_cases=True,
        ),
        actor=ada,
    )
    again = ApiClient(replacement.secret).post(CASES, {**MISSED_BIN, "external_id": "A1"})
    assert again.status_code == 200
    assert Case.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_a_request_arriving_at_once_open_one_case(council, ada):
    from tests.api.conftest import issue

    key = issue(
        ada,
        "Racer",
        departments=["Waste and Recycling"],
        may_create_cases=True,
        may_use_customers=True,
    )
    body = {**MISSED_BIN, "external_id": "race-1", "customer": {"family_name": "Racer"}}

    def send() -> tuple[int, str]:
        response = ApiClient(key, client=Client()).post(CASES, body)
        return response.status_code, response.json()["reference"]

    results = at_once(send, threads=2)
    assert sorted(status for status, _ in results) == [200, 201]
    assert len({reference for _, reference in results}) == 1
    assert Case.objects.count() == 1 and Contact.objects.count() == 1
    # The copy that lost left nothing of its own behind, not even the customer it made.
    assert Customer.objects.count() == 1


# --- Bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"service": "missed-bin"}, {"summary": ["This field is required"]}),
        (
            {**MISSED_BIN, "summary": "   "},
            {"summary": ["String should have at least 1 character"]},
        ),
        ({**MISSED_BIN, "summary": 42}, {"summary": ["Input should be a valid string"]}),
        (
            {**MISSED_BIN, "priority": "asap"},
            {"priority": ["Input should be 'urgent', 'high', 'normal' or 'low'"]},
        ),
        (
            {**MISSED_BIN, "kind": "rant"},
            {
                "kind": [
                    "Input should be 'request', 'enquiry', 'complaint', 'compliment' or 'comment'"
                ]
            },
        ),
        (
            {**MISSED_BIN, "summry": "typo"},
            {"summry": ["This field is not known: check its spelling"]},
        ),
        (
            {**MISSED_BIN, "service": "no-such"},
            {
                "service": [
                    "No service has the code 'no-such': ask the council for its service codes"
                ]
            },
        ),
        (
            {**MISSED_BIN, "location": {"postcode": "XX1"}},
            {"location.postcode": ["Enter a real UK postcode, like SW1A 1AA"]},
        ),
        (
            {**MISSED_BIN, "location": {"uprn": 0}},
            {"location.uprn": ["Input should be greater than or equal to 1"]},
        ),
        (
            {**MISSED_BIN, "customer": {"family_name": "X", "email": "not-an-email"}},
            {
                "customer.email": [
                    "Enter an email address in the correct format, like name@example.com"
                ]
            },
        ),
        (
            {**MISSED_BIN, "customer": {"family_name": "X", "phone": "123"}},
            {
                "customer.phone": [
                    "Enter a phone number, like 020 7946 0000, 07911 123 456 or +44 808 157 0192"
                ]
            },
        ),
        (
            {**MISSED_BIN, "customer": {"given_name": "Jo"}},
            {"customer.family_name": ["Enter the person's last name"]},
        ),
        ({**MISSED_BIN, "customer_id": 999999}, {"customer_id": ["No customer has id 999999"]}),
        (
            {**MISSED_BIN, "customer_id": 1, "customer": {"family_name": "X"}},
            {"customer": ["Give the customer's id or their details, not both"]},
        ),
        (
            {**MISSED_BIN, "external_id": "has spaces"},
            {"external_id": ["String should match pattern '^[\\x21-\\x7e]+$'"]},
        ),
        (
            [MISSED_BIN],
            {"body": ["Input should be a valid dictionary or object to extract fields from"]},
        ),
    ],
    ids=[
        "no summary",
        "blank summary",
        "summary a number",
        "unknown priority",
        "unknown kind",
        "unknown field",
        "unknown service",
        "bad postcode",
        "bad uprn",
        "bad email",
        "bad phone",
        "person without a last name",
        "unknown customer",
        "customer twice",
        "external id with spaces",
        "not an object",
    ],
)
def test_a_case_with_bad_fields_is_refused_field_by_field_and_nothing_is_saved(waste, body, errors):
    response = waste.post(CASES, body)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Some fields are not right: see errors, by field.",
        "errors": errors,
    }
    assert not Case.objects.exists() and not Customer.objects.exists()


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("not json", "The request body is not JSON: send a JSON object."),
        ('{"service": ', "The request body is not JSON: send a JSON object."),
        ("", "Send a JSON object in the request body."),
    ],
)
def test_a_body_that_is_not_json_is_a_bad_request(waste, raw, detail):
    response = waste.post(CASES, raw=raw)
    assert response.status_code == 400
    assert response.json() == {"detail": detail, "errors": {}}


def test_a_customer_merged_into_another_is_refused_naming_the_one_to_use(waste):
    merged, kept = CustomerFactory.create(), CustomerFactory.create()
    Customer.objects.filter(pk=merged.pk).update(merged_into=kept)
    response = waste.post(CASES, {**MISSED_BIN, "customer_id": merged.pk})
    assert response.status_code == 422
    assert response.json()["errors"]["customer_id"] == [
        f"Customer {merged.pk} was merged into customer {kept.pk}: send that id"
    ]


# --- Reading cases ------------------------------------------------------------------------


@pytest.fixture
def cases(council, ava):
    """Cases of three departments, one of them restricted (adult social care)."""
    return {
        "bin": case_for(service_code="missed-bin", summary="Bin"),
        "fly": case_for(service_code="fly-tipping", summary="Mattress in the lane"),
        "tax": case_for(service_code="council-tax", summary="Direct debit"),
        "care": case_for(service_code="adult-social-care", summary="Referral"),
    }


def _references(response) -> set[str]:
    return {case["reference"] for case in response.json()["items"]}


def test_a_key_lists_only_the_cases_of_its_services_and_never_restricted_ones(
    cases, waste, crm, social_care
):
    assert _references(waste.get(CASES)) == {cases["bin"].reference, cases["fly"].reference}
    assert cases["care"].reference not in _references(crm.get(CASES))
    assert len(_references(crm.get(CASES))) == 3
    assert _references(social_care.get(CASES)) == {cases["care"].reference}


def test_a_key_reads_a_case_it_may_see_and_gets_404_for_one_it_may_not(cases, waste, crm):
    bin_case, tax_case = cases["bin"], cases["tax"]
    assert waste.get(f"{CASES}/{bin_case.reference}").status_code == 200
    for key, reference in (
        (waste, tax_case.reference),
        (crm, cases["care"].reference),
        (waste, "FD-1999-000001"),
    ):
        response = key.get(f"{CASES}/{reference}")
        assert response.status_code == 404
        assert response.json()["detail"] == f"No case {reference} that this API key may see."


def test_a_case_read_shows_its_status_dates_and_the_timeline_a_customer_could_see(
    cases, waste, ava
):
    case = cases["bin"]
    case_start(case=case, actor=ava)
    case_note_add(case=case, actor=ava, text="Crew says the bin was blocked by a car")
    body = waste.get(f"{CASES}/{case.reference}").json()
    assert body["status"] == "in_progress"
    assert body["resolution_due"] == case.resolution_due.isoformat().replace("+00:00", "Z")
    kinds = [event["kind"] for event in body["timeline"]]
    assert kinds == ["opened", "started"]
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.NOTE).exists()


def test_reading_a_restricted_case_is_logged_against_the_key(cases, social_care):
    case = cases["care"]
    assert social_care.get(f"{CASES}/{case.reference}").status_code == 200
    read = RestrictedCaseRead.objects.get()
    assert (read.case, read.key.name) == (case, "Social care system")


def test_listing_restricted_cases_logs_each_one_shown(cases, social_care):
    listed = social_care.get(CASES).json()["items"]
    assert cases["care"].reference in [item["reference"] for item in listed]
    read = RestrictedCaseRead.objects.get()
    assert (read.case, read.key.name) == (cases["care"], "Social care system")


def test_listing_filters_by_status_service_customer_and_time_of_change(cases, crm, ava):
    customer = CustomerFactory.create()
    Case.objects.filter(pk=cases["tax"].pk).update(customer=customer)
    with time_machine.travel(dt.datetime(2030, 1, 2, 9, 0, tzinfo=dt.UTC)):
        case_start(case=cases["fly"], actor=ava)
    fly, tax = cases["fly"].reference, cases["tax"].reference
    assert _references(crm.get(CASES, {"status": "in_progress"})) == {fly}
    assert _references(crm.get(CASES, {"status": ["in_progress", "new"]})) == {
        fly,
        tax,
        cases["bin"].reference,
    }
    assert _references(crm.get(CASES, {"service": "council-tax"})) == {tax}
    assert _references(crm.get(CASES, {"customer_id": customer.pk})) == {tax}
    since = crm.get(CASES, {"updated_since": "2030-01-02T08:59:00+00:00"})
    assert _references(since) == {fly}


def test_cases_come_in_pages_least_recently_changed_first(cases, crm, ava):
    with time_machine.travel(dt.datetime(2030, 1, 2, 9, 0, tzinfo=dt.UTC)):
        case_start(case=cases["bin"], actor=ava)
    first = crm.get(CASES, {"limit": 2}).json()
    rest = crm.get(CASES, {"limit": 2, "offset": 2}).json()
    assert first["count"] == rest["count"] == 3
    ordered = [c["reference"] for c in first["items"] + rest["items"]]
    assert len(ordered) == 3 and ordered[-1] == cases["bin"].reference


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        (
            {"status": "lost"},
            {
                "status.0": [
                    "Input should be 'new', 'in_progress', 'awaiting_customer', 'forwarded', "
                    "'resolved' or 'closed'"
                ]
            },
        ),
        (
            {"service": "nope"},
            {"service": ["No service has the code 'nope': ask the council for its service codes"]},
        ),
        ({"updated_since": "2030-01-02T09:00:00"}, {"updated_since": [ISO_TIME]}),
        ({"updated_since": "yesterday"}, {"updated_since": [ISO_TIME]}),
        ({"limit": 1000}, {"limit": ["Input should be less than or equal to 100"]}),
        ({"offset": -1}, {"offset": ["Input should be greater than or equal to 0"]}),
        (
            {"customer_id": "me"},
            {
                "customer_id": [
                    "Input should be a valid integer, unable to parse string as an integer"
                ]
            },
        ),
    ],
    ids=["status", "service", "naive time", "not a time", "limit", "offset", "customer"],
)
def test_a_list_with_bad_filters_is_refused_field_by_field(crm, query, errors):
    response = crm.get(CASES, query)
    assert response.status_code == 422
    assert response.json()["errors"] == errors
