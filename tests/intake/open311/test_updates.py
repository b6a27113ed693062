import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from frontdoor.cases.models import Case, CaseEvent, Channel, Contact, Outcome
from frontdoor.cases.services import (
    case_accept,
    case_close,
    case_forward,
    case_note_add,
    case_resolve,
)
from frontdoor.intake.open311.models import Open311Update
from frontdoor.intake.open311.services import open311_client_create
from tests.concurrency import at_once
from tests.intake.open311.conftest import BASE, KEY, errors, records, report

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def reference_of(response) -> str:
    return records(response)[0]["service_request_id"]


def update(reference: str, **overrides):
    params = {
        "api_key": KEY,
        "jurisdiction_id": "frontdoor.example",
        "service_request_id": reference,
        "update_id": "501",
        "status": "OPEN",
        "updated_datetime": "2026-06-03T09:30:00+01:00",
        "description": "Still there, and now there are tyres too",
        "email": "jo.bloggs@example.com",
        "first_name": "Jo",
        "last_name": "Bloggs",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def council_updates(client, fmt="xml", **params):
    return records(client.get(f"{BASE}servicerequestupdates.{fmt}", params), "request_update")


def _resolved(case, *, outcome="Service requested", note="Cleared"):
    return case_resolve(
        case=Case.objects.get(pk=case.pk),
        actor=None,
        outcome=Outcome.objects.get(name=outcome),
        note=note,
    )


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_the_councils_progress_is_given_as_updates_with_extended_statuses(client, post, bea, fmt):
    reference = reference_of(post("xml"))
    case = Case.objects.get(reference=reference)
    case_forward(case=case, actor=None, department=case.department, reason="To the crews")
    case_accept(case=Case.objects.get(pk=case.pk), actor=bea)
    case_note_add(case=case, actor=bea, text="Staff only: the crew is short today")
    _resolved(case, note="Cleared on Tuesday")
    case_close(case=Case.objects.get(pk=case.pk), actor=bea)
    updates = council_updates(client, fmt)
    assert [(u["status"], u["description"]) for u in updates] == [
        ("IN_PROGRESS", "To the crews"),
        ("IN_PROGRESS", ""),
        ("FIXED", "Service requested: Cleared on Tuesday"),
        ("FIXED", ""),
    ]
    events = CaseEvent.objects.filter(case=case, kind__in=["forwarded", "resolved"])
    assert [u["update_id"] for u in updates][::2] == [str(e.pk) for e in events]
    first = updates[0]
    assert first["service_request_id"] == reference
    assert first["external_status_code"] == "forwarded"
    assert first["fixmystreet_id"] == "77"
    assert first["updated_datetime"].endswith(("+00:00", "+01:00"))


def test_an_outcome_the_council_mapped_gives_its_status(client, post):
    case = Case.objects.get(reference=reference_of(post("xml")))
    _resolved(case, outcome="No further action needed", note="Private land")
    (resolution,) = council_updates(client, "json")
    assert resolution["status"] == "NO_FURTHER_ACTION"


def test_a_wait_for_the_customer_and_a_reopening_have_their_statuses(client, post):
    from frontdoor.cases.services import case_await_customer, case_reopen

    case = Case.objects.get(reference=reference_of(post("xml")))
    case_await_customer(case=case, actor=None, text="Which side of the road is it?")
    _resolved(case)
    case_reopen(case=Case.objects.get(pk=case.pk), actor=None, reason="Still there")
    assert [u["status"] for u in council_updates(client, "json")] == [
        "INVESTIGATING",
        "FIXED",
        "OPEN",
    ]


def test_updates_are_only_the_councils_on_open311_requests(client, post):
    from tests.factories import case_for

    case = Case.objects.get(reference=reference_of(post("xml")))
    client.post(f"{BASE}servicerequestupdates.xml", update(case.reference))
    phoned = case_for(service_code="fly-tipping")
    case_forward(case=phoned, actor=None, department=phoned.department, reason="Phoned in")
    assert council_updates(client) == []


def test_updates_are_given_for_the_window_asked(client, post):
    with time_machine.travel(datetime(2026, 6, 1, 10, 0, tzinfo=LONDON), tick=False):
        case = Case.objects.get(reference=reference_of(post("xml")))
    with time_machine.travel(datetime(2026, 6, 2, 10, 0, tzinfo=LONDON), tick=False):
        case_forward(case=case, actor=None, department=case.department, reason="Day two")
    with time_machine.travel(datetime(2026, 6, 5, 10, 0, tzinfo=LONDON), tick=False):
        _resolved(case, note="Day five")
    window = {"start_date": "2026-06-02T00:00:00Z", "end_date": "2026-06-03T00:00:00Z"}
    assert [u["description"] for u in council_updates(client, **window)] == ["Day two"]
    with time_machine.travel(datetime(2026, 6, 6, 10, 0, tzinfo=LONDON)):
        assert len(council_updates(client)) == 2


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_bad_window_is_a_400(client, council, fmt):
    response = client.get(f"{BASE}servicerequestupdates.{fmt}", {"start_date": "soon"})
    assert response.status_code == 400
    assert "start_date" in errors(response)[0][1]


# --- Updates from the app -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_comment_becomes_a_customer_update_and_an_open311_contact(client, post, fms, fmt):
    reference = reference_of(post("xml"))
    response = client.post(f"{BASE}servicerequestupdates.{fmt}", update(reference))
    assert response.status_code == 201
    (answer,) = records(response, "request_update")
    event = CaseEvent.objects.get(pk=answer["update_id"])
    assert event.kind == CaseEvent.Kind.CUSTOMER_UPDATE
    assert event.text == "Still there, and now there are tyres too"
    assert event.channel == Channel.OPEN311
    contact = event.contact
    assert (contact.channel, contact.direction) == (Channel.OPEN311, Contact.Direction.INBOUND)
    assert contact.contact_point == fms.contact_point
    assert contact.case.reference == reference
    assert contact.customer == contact.case.customer
    posted = Open311Update.objects.get()
    assert (posted.client_update_id, posted.status) == ("501", "OPEN")
    assert posted.updated_at.isoformat() == "2026-06-03T08:30:00+00:00"


def test_the_same_update_posted_again_is_taken_once(client, post):
    reference = reference_of(post("xml"))
    first = client.post(f"{BASE}servicerequestupdates.xml", update(reference))
    again = client.post(f"{BASE}servicerequestupdates.json", update(reference))
    assert (first.status_code, again.status_code) == (201, 200)
    assert records(first, "request_update") == records(again)
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.CUSTOMER_UPDATE).count() == 1
    assert Open311Update.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_update_posted_twice_at_once_is_taken_once(council, client):
    from django.test import Client

    reference = reference_of(client.post(f"{BASE}requests.xml", report()))

    def send() -> tuple[int, str]:
        response = Client().post(f"{BASE}servicerequestupdates.json", update(reference))
        return response.status_code, json.loads(response.content)[0]["update_id"]

    results = at_once(send, threads=4)
    assert sorted(code for code, _ in results) == [200, 200, 200, 201]
    assert len({update_id for _, update_id in results}) == 1
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.CUSTOMER_UPDATE).count() == 1


def test_reopen_on_a_resolved_case_reopens_it_within_the_window(client, post):
    case = Case.objects.get(reference=reference_of(post("xml")))
    _resolved(case)
    response = client.post(
        f"{BASE}servicerequestupdates.xml", update(case.reference, status="REOPEN")
    )
    assert response.status_code == 201
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.reopened_count == 1
    reopened = case.events.get(kind=CaseEvent.Kind.REOPENED)
    assert "FixMyStreet" in reopened.text
    assert Open311Update.objects.get().reopened
    assert council_updates(client, "json")[-1]["status"] == "OPEN"


def test_reopen_after_the_window_keeps_the_case_closed_and_tells_staff(client, post):
    case = Case.objects.get(reference=reference_of(post("xml")))
    _resolved(case)
    with time_machine.travel(datetime.now(tz=LONDON) + timedelta(days=29)):
        response = client.post(
            f"{BASE}servicerequestupdates.xml", update(case.reference, status="REOPEN")
        )
    assert response.status_code == 201
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED
    comment = case.events.get(kind=CaseEvent.Kind.CUSTOMER_UPDATE)
    assert "more than 28 days ago: reopen it or open a new case" in comment.text
    assert not Open311Update.objects.get().reopened


def test_the_app_marking_it_fixed_does_not_resolve_the_case(client, post):
    case = Case.objects.get(reference=reference_of(post("xml")))
    client.post(
        f"{BASE}servicerequestupdates.xml",
        update(case.reference, status="FIXED", description="All gone now, thanks"),
    )
    case.refresh_from_db()
    assert case.is_open
    comment = case.events.get(kind=CaseEvent.Kind.CUSTOMER_UPDATE)
    assert comment.text == "All gone now, thanks\n\nFixMyStreet now shows it as fixed."


def test_a_comment_from_someone_else_is_theirs(client, post):
    reference = reference_of(post("xml"))
    client.post(
        f"{BASE}servicerequestupdates.xml",
        update(reference, email="neighbour@example.org", first_name="Sam", last_name="Next"),
    )
    contact = CaseEvent.objects.get(kind=CaseEvent.Kind.CUSTOMER_UPDATE).contact
    assert contact.customer.emails.get().address == "neighbour@example.org"
    assert contact.customer != contact.case.customer


def test_an_update_on_another_apps_request_is_a_404(client, post):
    reference = reference_of(post("xml"))
    _, other_key = open311_client_create(name="Council app")
    response = client.post(f"{BASE}servicerequestupdates.xml", update(reference, api_key=other_key))
    assert response.status_code == 404
    assert not Open311Update.objects.exists()


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_update_without_a_good_key_is_a_403(client, post, fmt, fms):
    reference = reference_of(post("xml"))
    response = client.post(f"{BASE}servicerequestupdates.{fmt}", update(reference, api_key="wrong"))
    assert response.status_code == 403
    fms.is_active = False
    fms.save()
    response = client.post(f"{BASE}servicerequestupdates.{fmt}", update(reference))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("overrides", "said"),
    [
        ({"status": "SORTED"}, "status must be one of OPEN, CLOSED"),
        ({"status": None}, "status is required"),
        ({"update_id": None}, "update_id is required"),
        ({"service_request_id": None}, "service_request_id is required"),
        ({"updated_datetime": "last Tuesday"}, "updated_datetime must be a W3C date-time"),
        ({"media_url": "file:///etc/passwd"}, "media_url must be an http or https address"),
        ({"email": "jo@"}, "email must be an email address"),
        ({"description": "x" * 4001}, "description must be 4,000 characters or fewer"),
    ],
)
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_bad_update_is_a_400_and_nothing_is_saved(client, post, overrides, said, fmt):
    reference = reference_of(post("xml"))
    response = client.post(f"{BASE}servicerequestupdates.{fmt}", update(reference, **overrides))
    assert response.status_code == 400
    assert any(said in d for _, d in errors(response)), errors(response)
    assert not Open311Update.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.CUSTOMER_UPDATE).exists()


def test_an_update_on_an_unknown_request_is_a_404(client, fms):
    response = client.post(f"{BASE}servicerequestupdates.xml", update("FD-2026-999999"))
    assert response.status_code == 404
