"""The staff sign-in with the lockout: staff sign in as before, are locked after repeated
failures and told until when, and residents are sent to My Account."""

import pytest
import time_machine
from django.utils import timezone

from frontdoor.core.signin import attempt_key, client_address
from frontdoor.demo.council import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def staff_sign_in(client, username, password=DEMO_PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_staff_sign_in_as_before(client, ava):
    response = staff_sign_in(client, "ava")
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_five_failures_lock_a_staff_account_and_say_until_when(client, ava):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 3, 2, 9, 0))):
        for _ in range(5):
            page = staff_sign_in(client, "ava", "wrong").content.decode()
        assert "You have tried to sign in too many times" in page
        assert "You can try again from 9:15am" in page
        page = staff_sign_in(client, "ava").content.decode()
        assert "You can try again from 9:15am" in page
        assert "_auth_user_id" not in client.session
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 3, 2, 9, 16))):
        assert staff_sign_in(client, "ava")["Location"] == "/staff/"


def test_one_locked_member_of_staff_does_not_lock_the_office(client, ava, abe):
    for _ in range(5):
        staff_sign_in(client, "ava", "wrong")
    assert staff_sign_in(client, "abe")["Location"] == "/staff/"


def test_the_configuration_sign_in_counts_towards_the_lockout(client, ada):
    for _ in range(5):
        client.post("/admin/login/", {"username": "ada", "password": "wrong"})
    page = client.post("/admin/login/", {"username": "ada", "password": DEMO_PASSWORD})
    assert "You have tried to sign in too many times" in page.content.decode()


def test_residents_are_sent_to_my_account(client, cara):
    page = staff_sign_in(client, "cara").content.decode()
    assert "This sign-in is for council staff" in page
    assert "_auth_user_id" not in client.session


def test_attempts_count_against_the_account_however_it_is_typed(rf):
    request = rf.post("/", {"username": " Ava "})
    assert attempt_key(request, None) == "ava"
    assert attempt_key(None, {"email": "Cara@Example.com", "username": None}) == (
        "cara@example.com"
    )


def test_the_client_address_behind_the_proxy_is_the_one_the_proxy_saw(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_address(request) == "10.0.0.5"
    settings.FRONTDOOR_BEHIND_PROXY = True
    assert client_address(request) == "203.0.113.9"
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not an address")
    assert client_address(request) == "10.0.0.5"
