"""What FixMyStreet does with a council that speaks Open311: read the services, post a report
with its own id, fetch the requests, post a comment, and later fetch the council's updates
after staff forward and resolve the case."""

import pytest

from frontdoor.cases.models import Case, CaseEvent, Outcome
from frontdoor.cases.selectors import department_inbox
from frontdoor.cases.services import case_accept, case_forward, case_resolve
from frontdoor.directory.models import Department
from tests.intake.open311.conftest import BASE, KEY, records

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_fixmystreet_round_trip(client, fms, tess, bea, fmt):
    services = records(
        client.get(f"{BASE}services.{fmt}", {"jurisdiction_id": "frontdoor.example"}), "service"
    )
    assert "fly-tipping" in [s["service_code"] for s in services]
    (definition,) = records(client.get(f"{BASE}services/fly-tipping.{fmt}"), ".")
    codes = [a["code"] for a in definition["attributes"]]
    assert codes[:2] == ["waste_type", "amount"]

    posted = client.post(
        f"{BASE}requests.{fmt}",
        {
            "api_key": KEY,
            "jurisdiction_id": "frontdoor.example",
            "service_code": "fly-tipping",
            "lat": "53.79601",
            "long": "-1.54812",
            "email": "pat.reporter@example.com",
            "first_name": "Pat",
            "last_name": "Reporter",
            "description": "title: Sofa on the verge\n\ndetail: Left overnight\n\n"
            "url: https://fixmystreet.example/report/4242\n\nSubmitted via FixMyStreet\n",
            "attribute[waste_type][]": ["household"],
            "attribute[amount]": "single",
            "attribute[fixmystreet_id]": "4242",
            "attribute[easting]": "430012",
            "attribute[northing]": "433001",
            "attribute[closest_address]": "12 Park View, Leeds",
        },
    )
    assert posted.status_code == 201
    reference = records(posted)[0]["service_request_id"]
    case = Case.objects.get(reference=reference)
    assert case.location == "12 Park View, Leeds"

    fetched = records(client.get(f"{BASE}requests.{fmt}", {"service_request_id": reference}))
    assert [(r["service_request_id"], r["status"]) for r in fetched] == [(reference, "open")]

    comment = client.post(
        f"{BASE}servicerequestupdates.{fmt}",
        {
            "api_key": KEY,
            "jurisdiction_id": "frontdoor.example",
            "service_request_id": reference,
            "update_id": "9001",
            "status": "OPEN",
            "updated_datetime": "2026-06-03T09:30:00+01:00",
            "description": "It is blocking the pavement now",
            "email": "pat.reporter@example.com",
            "first_name": "Pat",
            "last_name": "Reporter",
        },
    )
    assert comment.status_code == 201
    our_id = records(comment, "request_update")[0]["update_id"]
    assert case.events.filter(pk=our_id, kind=CaseEvent.Kind.CUSTOMER_UPDATE).exists()

    waste = Department.objects.get(name="Waste and Recycling")
    case_forward(case=case, actor=tess, department=waste, reason="For the street crew")
    assert Case.objects.get(pk=case.pk) in department_inbox(bea)
    case_accept(case=Case.objects.get(pk=case.pk), actor=bea)
    case_resolve(
        case=Case.objects.get(pk=case.pk),
        actor=bea,
        outcome=Outcome.objects.get(name="Service requested"),
        note="Collected this morning",
    )

    updates = records(client.get(f"{BASE}servicerequestupdates.{fmt}"), "request_update")
    assert [(u["service_request_id"], u["status"], u["description"]) for u in updates] == [
        (reference, "IN_PROGRESS", "For the street crew"),
        (reference, "IN_PROGRESS", ""),
        (reference, "FIXED", "Service requested: Collected this morning"),
    ]
    assert our_id not in [u["update_id"] for u in updates]  # its own comment is not echoed
    assert {u["fixmystreet_id"] for u in updates} == {"4242"}

    (final,) = records(client.get(f"{BASE}requests/{reference}.{fmt}"))
    assert final["status"] == "closed"
    assert final["status_notes"] == "Service requested: Collected this morning"
