"""Keys are issued and revoked by the administrator in the admin; the whole key is shown once."""

import re

import pytest

from frontdoor.api.models import ApiKey
from frontdoor.directory.models import ContactPoint, Department
from tests.api.conftest import ApiClient, issue

ADD = "/admin/api/apikey/add/"


def _add(client, **fields):
    data = {
        "name": "Street lighting contractor",
        "contact_point": "",
        "departments": [Department.objects.get(name="Highways").pk],
        "may_create_cases": "on",
        **fields,
    }
    return client.post(ADD, data)


def _key_on(page: str) -> str:
    match = re.search(r'value="(fd_[^"]+)"', page)
    assert match, "the key is on the page"
    return match.group(1)


def test_the_administrator_issues_a_key_and_sees_all_of_it_once(client, ada):
    client.force_login(ada)
    response = _add(client)
    assert response.status_code == 200
    key = _key_on(response.content.decode())
    stored = ApiKey.objects.get()
    assert (stored.name, stored.created_by, stored.may_create_cases) == (
        "Street lighting contractor",
        ada,
        True,
    )
    assert (
        ApiClient(key)
        .post("/api/v1/cases", {"service": "street-lighting", "summary": "Lamp out"})
        .status_code
        == 201
    )
    change = client.get(f"/admin/api/apikey/{stored.pk}/change/").content.decode()
    assert stored.prefix in change and key not in change


def test_a_new_keys_requests_arrive_on_a_new_e_form_contact_point_of_its_own(client, ada):
    client.force_login(ada)
    _add(client)
    point = ApiKey.objects.get().contact_point
    assert (point.kind, point.name, point.address) == (
        ContactPoint.Kind.E_FORM,
        "JSON API: Street lighting contractor",
        "api:Street lighting contractor",
    )


def test_a_key_replacing_another_keeps_the_integrations_contact_point(client, ada):
    issue(ada, "Lighting 2025")
    old_point = ApiKey.objects.get().contact_point
    points = ContactPoint.objects.count()
    client.force_login(ada)
    _add(client, name="Lighting 2026", contact_point=old_point.pk)
    assert ApiKey.objects.get(name="Lighting 2026").contact_point == old_point
    assert ContactPoint.objects.count() == points


def test_a_name_whose_contact_point_exists_already_is_refused_saying_what_to_do(client, ada):
    ContactPoint.objects.create(
        kind=ContactPoint.Kind.E_FORM, name="Old", address="api:Street lighting contractor"
    )
    client.force_login(ada)
    response = _add(client)
    assert response.status_code == 200 and not ApiKey.objects.exists()
    assert "There is already an e-form contact point at api:Street lighting contractor" in (
        response.content.decode()
    )


def test_revoking_a_key_in_the_admin_stops_it_working(client, ada):
    key = issue(ada, "Old system", every_service=True)
    stored = ApiKey.objects.get()
    client.force_login(ada)
    response = client.post(
        "/admin/api/apikey/",
        {"action": "revoke", "_selected_action": [stored.pk]},
        follow=True,
    )
    assert "1 key(s) revoked" in response.content.decode()
    stored.refresh_from_db()
    assert stored.revoked_by == ada and stored.revoked_at is not None
    assert ApiClient(key).get("/api/v1/cases").status_code == 401


def test_a_key_is_never_deleted_only_revoked(client, ada):
    issue(ada, "Kept")
    client.force_login(ada)
    pk = ApiKey.objects.get().pk
    assert client.get(f"/admin/api/apikey/{pk}/delete/").status_code == 403


@pytest.mark.parametrize("person", ["ava", "max_", "cara"])
def test_only_the_administrator_reaches_the_keys(client, request, person):
    client.force_login(request.getfixturevalue(person))
    response = client.get(ADD)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
