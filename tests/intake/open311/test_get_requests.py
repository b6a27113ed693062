from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from frontdoor.cases.models import Case, Outcome
from frontdoor.cases.services import case_forward, case_resolve
from frontdoor.directory.models import Department, Service
from frontdoor.intake.open311 import selectors
from frontdoor.intake.open311.models import Open311Request
from tests.factories import case_for
from tests.intake.open311.conftest import BASE, errors, records

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def reference_of(response) -> str:
    return records(response)[0]["service_request_id"]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_request_reads_back_in_the_standards_fields(client, post, fmt):
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=LONDON), tick=False):
        reference = reference_of(post("xml", address_string="LS1 4AP"))
    response = client.get(f"{BASE}requests/{reference}.{fmt}")
    assert response.status_code == 200
    (request,) = records(response)
    assert request["service_request_id"] == reference
    assert request["status"] == "open"
    assert request["service_code"] == "fly-tipping"
    assert request["service_name"] == "Fly-tipping"
    assert request["description"].startswith("title: Mattress dumped")
    assert request["agency_responsible"] == "Waste and Recycling"
    assert request["requested_datetime"] == "2026-06-01T10:00:00+01:00"
    assert request["updated_datetime"] == "2026-06-01T10:00:00+01:00"
    assert request["expected_datetime"] == "2026-06-15T17:00:00+01:00"
    assert request["address"] == "LS1 4AP"
    assert request["zipcode"] == "LS1 4AP"
    assert str(request["lat"]) == ("53.8007" if fmt == "json" else "53.800700")
    assert request["media_url"] == "https://fixmystreet.example/photo/77.full.jpeg"
    assert request["service_notice"].startswith("We aim to clear it")


def test_status_and_its_notes_follow_the_case(client, post, bea):
    reference = reference_of(post("xml"))
    case = Case.objects.get(reference=reference)
    case_forward(case=case, actor=bea, department=case.department, reason="Crew sent to look at it")
    (request,) = records(client.get(f"{BASE}requests/{reference}.json"))
    assert (request["status"], request["status_notes"]) == ("open", "Crew sent to look at it")
    case_resolve(
        case=Case.objects.get(pk=case.pk),
        actor=bea,
        outcome=Outcome.objects.get(name="Service requested"),
        note="Cleared on Tuesday",
    )
    (request,) = records(client.get(f"{BASE}requests/{reference}.json"))
    assert request["status"] == "closed"
    assert request["status_notes"] == "Service requested: Cleared on Tuesday"
    assert request["expected_datetime"] is None


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_who_reported_it_is_never_in_any_answer(client, post, fmt):
    reference = reference_of(post("xml", account_id="acct-9", device_id="phone-1"))
    answers = [
        client.get(f"{BASE}requests.{fmt}"),
        client.get(f"{BASE}requests/{reference}.{fmt}"),
        client.get(f"{BASE}servicerequestupdates.{fmt}"),
        client.get(f"{BASE}tokens/{Open311Request.objects.get().token}.{fmt}"),
    ]
    for response in answers:
        body = response.content.decode()
        for personal in ("jo.bloggs", "Bloggs", "Jo ", "07911", "+447911", "acct-9", "phone-1"):
            assert personal not in body, (response.request["PATH_INFO"], personal)


def test_only_requests_that_came_over_open311_are_published(client, post, council):
    post("xml")
    case_for(service_code="fly-tipping", summary="Phoned in: fly-tipping on Mill Lane")
    assert len(records(client.get(f"{BASE}requests.xml"))) == 1


def test_a_restricted_case_is_never_published(client, post):
    reference = reference_of(post("xml"))
    Service.objects.filter(code="fly-tipping").update(restricted=True)
    Case.objects.filter(reference=reference).update(restricted=True)
    assert records(client.get(f"{BASE}requests.xml")) == []
    assert client.get(f"{BASE}requests/{reference}.xml").status_code == 404


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_request_is_a_404(client, council, fmt):
    response = client.get(f"{BASE}requests/FD-2026-999999.{fmt}")
    assert response.status_code == 404
    assert errors(response)[0][0] == 404


def test_a_case_from_another_channel_is_a_404_by_its_reference(client, council):
    case = case_for(service_code="fly-tipping")
    assert client.get(f"{BASE}requests/{case.reference}.xml").status_code == 404


def _three_reports(post):
    """One in each of three weeks; the newest closed."""
    references = []
    for day, fmid in ((1, "a"), (8, "b"), (15, "c")):
        with time_machine.travel(datetime(2026, 6, day, 10, 0, tzinfo=LONDON), tick=False):
            references.append(reference_of(post("xml", **{"attribute[fixmystreet_id]": fmid})))
    case = Case.objects.get(reference=references[2])
    case_resolve(
        case=case, actor=None, outcome=Outcome.objects.get(name="Service requested"), note="Done"
    )
    return references


def test_the_list_is_newest_first_and_filters_by_dates_and_status(client, post):
    first, second, third = _three_reports(post)
    with time_machine.travel(datetime(2026, 6, 20, 10, 0, tzinfo=LONDON)):
        listed = [r["service_request_id"] for r in records(client.get(f"{BASE}requests.xml"))]
        assert listed == [third, second, first]
        window = {"start_date": "2026-06-05T00:00:00+01:00", "end_date": "2026-06-10"}
        assert [
            r["service_request_id"] for r in records(client.get(f"{BASE}requests.json", window))
        ] == [second]
        opened = records(client.get(f"{BASE}requests.json", {"status": "open"}))
        assert [r["service_request_id"] for r in opened] == [second, first]
        closed = records(client.get(f"{BASE}requests.json", {"status": "closed"}))
        assert [r["service_request_id"] for r in closed] == [third]
        both = records(client.get(f"{BASE}requests.json", {"status": "open,closed"}))
        assert len(both) == 3


def test_the_default_window_is_the_last_90_days(client, post):
    first, second, third = _three_reports(post)
    with time_machine.travel(datetime(2026, 9, 1, 10, 0, tzinfo=LONDON)):
        listed = [r["service_request_id"] for r in records(client.get(f"{BASE}requests.json"))]
    assert listed == [third, second]  # 1 June is more than 90 days before 1 September


def test_ids_given_override_the_other_filters(client, post):
    first, second, third = _three_reports(post)
    response = client.get(
        f"{BASE}requests.json",
        {"service_request_id": f"{first}, {third}", "status": "open", "service_code": "x"},
    )
    assert {r["service_request_id"] for r in records(response)} == {first, third}


def test_the_list_filters_by_service_code(client, post):
    post("xml")
    post(
        "xml",
        service_code="missed-bin",
        **{
            "attribute[bin]": "food",
            "attribute[out_by_7am]": "no",
            "attribute[fixmystreet_id]": "9",
        },
    )
    codes = [
        r["service_code"]
        for r in records(client.get(f"{BASE}requests.json", {"service_code": "missed-bin"}))
    ]
    assert codes == ["missed-bin"]


def test_the_list_gives_at_most_the_limit(client, post, monkeypatch):
    monkeypatch.setattr(selectors, "MOST_RESULTS", 2)
    _three_reports(post)
    with time_machine.travel(datetime(2026, 6, 20, 10, 0, tzinfo=LONDON)):
        assert len(records(client.get(f"{BASE}requests.json"))) == 2


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"status": "pending"}, "status must be open or closed"),
        ({"start_date": "yesterday"}, "start_date must be a W3C date-time"),
        ({"end_date": "2026-13-01T00:00:00Z"}, "end_date must be a W3C date-time"),
        ({"start_date": "2026-06-10", "end_date": "2026-06-01"}, "end_date must not be before"),
        ({"start_date": "0001-01-01T00:00:00+14:00"}, "between the years 1900 and 2999"),
        ({"end_date": "9999-12-31T23:59:59-23:00"}, "between the years 1900 and 2999"),
        ({"service_request_id": ",".join(["FD"] * 1001)}, "at most 1,000 values"),
    ],
)
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_bad_filters_are_a_400(client, council, params, said, fmt):
    response = client.get(f"{BASE}requests.{fmt}", params)
    assert response.status_code == 400
    assert said in errors(response)[0][1]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_token_gives_the_request_id(client, post, fmt):
    reference = reference_of(post("xml"))
    token = Open311Request.objects.get().token
    response = client.get(f"{BASE}tokens/{token}.{fmt}")
    assert response.status_code == 200
    assert records(response) == [{"service_request_id": reference, "token": token}]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_token_is_a_404(client, council, fmt):
    response = client.get(f"{BASE}tokens/nope.{fmt}")
    assert response.status_code == 404
    assert errors(response)[0][0] == 404


def test_a_request_lists_in_one_query_per_kind_however_many_there_are(
    client, post, django_assert_max_num_queries
):
    for n in range(5):
        reference = reference_of(post("xml", **{"attribute[fixmystreet_id]": str(n)}))
        case = Case.objects.get(reference=reference)
        case_forward(case=case, actor=None, department=case.department, reason="Sent")
    # the requests with their cases, forms and services; then their progress events
    with django_assert_max_num_queries(2):
        assert len(records(client.get(f"{BASE}requests.json"))) == 5


def test_a_case_forwarded_elsewhere_names_its_new_department(client, post, bea):
    reference = reference_of(post("xml"))
    case = Case.objects.get(reference=reference)
    highways = Department.objects.get(name="Highways")
    case_forward(case=case, actor=bea, department=highways, reason="A highways matter")
    (request,) = records(client.get(f"{BASE}requests/{reference}.xml"))
    assert request["agency_responsible"] == "Highways"
