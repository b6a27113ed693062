"""Who may call the API, and who may not: no key, a bad key, a revoked key, a key used
outside what it was issued for. And CSRF, which keys skip and the rest of the site keeps."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from frontdoor.api.models import ApiKey
from frontdoor.api.services import api_key_revoke
from tests.api.conftest import ApiClient, issue

CASE = {"service": "missed-bin", "summary": "Bin not collected"}


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token fd_0000"],
)
def test_a_request_without_a_bearer_key_is_refused_saying_how_to_send_one(council, header):
    headers = {} if header is None else {"Authorization": header}
    response = ApiClient().get("/api/v1/cases", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"] == (
        "Send your API key in the Authorization header, as: Bearer <key>"
    )


@pytest.mark.parametrize(
    "spoil",
    [
        lambda key: "nonsense",
        lambda key: "fd_",
        lambda key: key[:11] + "_guessed",  # a real key's prefix, the rest made up
        lambda key: key[:-1],
        lambda key: key + "x",
    ],
    ids=["nonsense", "prefix only", "guessed", "cut short", "one too many"],
)
def test_a_key_we_did_not_issue_is_refused(waste_key, spoil):
    response = ApiClient(spoil(waste_key)).get("/api/v1/cases")
    assert response.status_code == 401
    assert response.json()["detail"] == "This API key is not known: check that all of it was sent."


def test_a_revoked_key_stops_working_at_once(waste, ada):
    assert waste.get("/api/v1/cases").status_code == 200
    api_key_revoke(key=ApiKey.objects.get(name="Waste rounds"), actor=ada)
    response = waste.get("/api/v1/cases")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_key_may_open_cases_only_when_allowed_to_and_is_told_before_its_body_is_read(
    council, ada
):
    reader = ApiClient(issue(ada, "Reporting", every_service=True))
    assert reader.get("/api/v1/cases").status_code == 200
    for body in (CASE, {"not": "valid"}):
        response = reader.post("/api/v1/cases", body)
        assert response.status_code == 403
        assert response.json()["detail"] == (
            "This API key may not open cases. Ask the council's administrator."
        )


def test_a_key_may_use_customer_records_only_when_allowed_to(street_app, crm):
    assert crm.get("/api/v1/customers", {"email": "jo@example.com"}).status_code == 200
    case = {"service": "missed-bin", "summary": "Bin missed"}
    for response in (
        street_app.get("/api/v1/customers", {"email": "jo@example.com"}),
        street_app.get("/api/v1/customers/1"),
        street_app.post("/api/v1/customers", {"family_name": "Jones"}),
        # naming a customer on a case finds their record, and would say whether they exist
        street_app.post("/api/v1/cases", {**case, "customer_id": 1}),
        street_app.post("/api/v1/cases", {**case, "customer": {"email": "jo@example.com"}}),
    ):
        assert response.status_code == 403
        assert "may not use customer records" in response.json()["detail"]
    assert street_app.post("/api/v1/cases", case).status_code == 201


def test_a_key_may_not_open_a_case_for_a_service_outside_its_scope(waste):
    response = waste.post("/api/v1/cases", {**CASE, "service": "council-tax"})
    assert response.status_code == 403
    assert response.json()["detail"] == "This API key may not open cases for Council Tax."


def test_a_key_with_no_services_sees_no_cases(council, ada):
    from tests.factories import case_for

    case_for()
    nothing = ApiClient(issue(ada, "Unscoped"))
    assert nothing.get("/api/v1/cases").json() == {"items": [], "count": 0}


def test_only_a_digest_of_the_key_is_kept_and_its_prefix_tells_it_apart(waste_key):
    key = ApiKey.objects.get(name="Waste rounds")
    assert waste_key.startswith(key.prefix) and len(key.prefix) == 11
    assert waste_key not in {key.digest, key.prefix, key.name}
    assert len(key.digest) == 64 and key.digest != waste_key


def test_a_keys_last_use_is_kept_at_most_once_a_minute(waste):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        waste.get("/api/v1/cases")
    key = ApiKey.objects.get(name="Waste rounds")
    assert key.last_used_at == dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, 30, tzinfo=dt.UTC), tick=False):
        waste.get("/api/v1/cases")
    key.refresh_from_db()
    assert key.last_used_at == dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 2, tzinfo=dt.UTC), tick=False):
        waste.get("/api/v1/cases")
    key.refresh_from_db()
    assert key.last_used_at == dt.datetime(2026, 3, 2, 10, 2, tzinfo=dt.UTC)


def test_keyed_requests_need_no_csrf_token_but_the_staff_console_still_does(waste_key, ava):
    strict = Client(enforce_csrf_checks=True)
    assert ApiClient(waste_key, client=strict).post("/api/v1/cases", CASE).status_code == 201
    strict.force_login(ava)
    assert strict.post("/staff/customers/new/", {"family_name": "Jones"}).status_code == 403


def test_a_signed_in_member_of_staff_without_a_key_is_refused(client, max_):
    client.force_login(max_)
    assert client.get("/api/v1/cases").status_code == 401
