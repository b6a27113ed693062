import re

import pytest
from django.contrib.messages import get_messages

from frontdoor.demo.open311 import DEMO_API_KEY
from frontdoor.directory.models import ContactPoint
from frontdoor.intake.open311.models import Open311Client, api_key_digest
from frontdoor.intake.open311.selectors import client_for_key
from frontdoor.intake.open311.services import open311_client_create
from tests.intake.open311.conftest import BASE, report

pytestmark = pytest.mark.django_db
ADD = "/admin/open311/open311client/add/"


def _key_shown(response) -> str:
    (message,) = [str(m) for m in get_messages(response.wsgi_request) if "API key" in str(m)]
    found = re.search(r"is (fd311_\S+) \.", message)
    assert found, message
    assert "will not be shown again" in message
    return found.group(1)


def test_an_administrator_adds_an_app_and_sees_its_key_once(client, ada):
    client.force_login(ada)
    response = client.post(ADD, {"name": "Council app", "own_id_attribute": "council_id"})
    assert response.status_code == 302
    key = _key_shown(response)
    app = Open311Client.objects.get(name="Council app")
    assert app.api_key_hash == api_key_digest(key) and key not in app.api_key_hash
    assert app.contact_point.kind == ContactPoint.Kind.OPEN311
    assert app.contact_point.address == "open311:council-app"
    change = f"/admin/open311/open311client/{app.pk}/change/"
    assert key in client.get(change).content.decode()  # the message, shown the once
    page = client.get(change).content.decode()
    assert key not in page and app.api_key_hash not in page
    assert client.post(f"{BASE}requests.xml", report(api_key=key)).status_code == 201


def test_a_new_key_replaces_the_old_one_at_once(client, ada, fms):
    assert client_for_key(DEMO_API_KEY) == fms  # remembered, as on every post
    client.force_login(ada)
    response = client.post(
        "/admin/open311/open311client/",
        {"action": "issue_new_key", "_selected_action": [fms.pk]},
    )
    key = _key_shown(response)
    assert client_for_key(DEMO_API_KEY) is None
    assert client_for_key(key) == fms


def test_staff_who_are_not_administrators_cannot_see_the_apps(client, tess, council):
    client.force_login(tess)
    assert client.get(ADD).status_code == 302  # to the admin's sign-in


def test_two_apps_whose_names_read_alike_get_their_own_contact_points(council):
    first, _ = open311_client_create(name="Fix My Street Two")
    second, _ = open311_client_create(name="fix-my-street two")
    assert first.contact_point.address == "open311:fix-my-street-two"
    assert second.contact_point.address == "open311:fix-my-street-two-2"


def test_the_demo_app_posts_with_the_published_demo_key(client, council):
    assert client_for_key(DEMO_API_KEY).name == "FixMyStreet"
    assert client.post(f"{BASE}requests.json", report()).status_code == 201
