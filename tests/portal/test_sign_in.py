"""Signing in to My Account with an email address, and the lockout after repeated failures."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from frontdoor.core.signin import lockout_ends
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_a_demo_resident_signs_in_with_their_email_in_any_case(client, cara):
    response = sign_in(client, "CARA@Example.com")
    assert response.status_code == 302 and response["Location"] == "/account/"
    page = client.get("/account/").content.decode()
    assert "My cases" in page and "Sign out" in page
    assert int(client.session["_auth_user_id"]) == cara.pk


def test_a_wrong_password_is_refused_without_saying_which_was_wrong(client, cara):
    wrong = sign_in(client, "cara@example.com", "not the password").content.decode()
    unknown = sign_in(client, "nobody@example.com", "not the password").content.decode()
    message = "The email address or password is not right"
    assert message in wrong and message in unknown
    assert "_auth_user_id" not in client.session


def test_staff_cannot_sign_in_to_my_account_with_their_address(client, ava):
    response = sign_in(client, ava.email)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_and_say_until_when(client, cara):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 3, 2, 16, 20))):
        for _ in range(4):
            page = sign_in(client, "cara@example.com", "wrong").content.decode()
            assert "too many times" not in page
        page = sign_in(client, "Cara@Example.com", "wrong").content.decode()
        assert "You have tried to sign in too many times" in page
        assert "You can try again from 4:35pm" in page
        page = sign_in(client, "cara@example.com").content.decode()  # the right password
        assert "You can try again from 4:35pm" in page
        assert "_auth_user_id" not in client.session
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 3, 2, 16, 36))):
        assert sign_in(client, "cara@example.com")["Location"] == "/account/"


def test_failures_more_than_the_cool_off_apart_do_not_add_up(client, cara):
    start = timezone.now()
    for minutes in (0, 16, 32, 48, 64):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            sign_in(client, "cara@example.com", "wrong")
    with time_machine.travel(start + timedelta(minutes=64, seconds=1)):
        assert lockout_ends("cara@example.com") is None
        assert sign_in(client, "cara@example.com")["Location"] == "/account/"


def test_an_address_with_no_account_locks_alike(client, council):
    for _ in range(5):
        page = sign_in(client, "nobody@example.com", "wrong").content.decode()
    assert "You have tried to sign in too many times" in page


def test_one_account_locked_leaves_others_alone(client, cara, carl):
    for _ in range(5):
        sign_in(client, "cara@example.com", "wrong")
    assert sign_in(client, "carl@example.com")["Location"] == "/account/"


def test_signing_out(client, cara):
    sign_in(client, "cara@example.com")
    response = client.post("/account/sign-out/", follow=True)
    assert "You have signed out" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_after_sign_in_only_a_page_of_this_site_is_next(client, cara):
    response = client.post(
        "/account/sign-in/",
        {
            "email": "cara@example.com",
            "password": "frontdoor-demo",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == "/account/"


def test_empty_fields_are_named_in_the_error_summary(client, council):
    page = client.post("/account/sign-in/", {"email": "", "password": ""}).content.decode()
    assert 'href="#id_email">Enter your email address' in page
    assert 'href="#id_password">Enter your password' in page
