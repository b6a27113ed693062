"""Registering for My Account: an unconfirmed account and a link to confirm it; an address that
has an account already gets an email instead, and the page that follows is the same."""

import pytest
from django.contrib.auth import get_user_model

from frontdoor import settings as production
from frontdoor.portal.models import ResidentAccount
from tests.portal.conftest import account_emails, links_in, sign_in

GOOD_PASSWORD = "correct horse battery staple"


def register(client, email, password=GOOD_PASSWORD):
    return client.post("/account/register/", {"email": email, "password": password})


def test_registering_opens_an_unconfirmed_account_and_emails_the_link(client, council):
    response = register(client, "jo.bloggs@example.com")
    assert (
        response.status_code == 302
        and response["Location"] == "/account/register/check-your-email/"
    )
    account = ResidentAccount.objects.get(email="jo.bloggs@example.com")
    assert account.verified_at is None
    assert account.user.username == "jo.bloggs@example.com"
    assert not hasattr(account.user, "staff_member")
    (email,) = account_emails("jo.bloggs@example.com")
    assert email.subject.startswith("Confirm your email address")
    assert any("/account/confirm-email/" in link for link in links_in(email))
    page = client.get(response["Location"])
    assert "jo.bloggs@example.com" in page.content.decode()


def test_passwords_are_hashed_with_argon2(client, council, settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    register(client, "jo.bloggs@example.com")
    user = get_user_model().objects.get(username="jo.bloggs@example.com")
    assert user.password.startswith("argon2$")
    assert user.check_password(GOOD_PASSWORD)


def test_an_address_with_an_account_gets_an_email_and_the_same_page(client, council):
    first = register(client, "jo.bloggs@example.com")
    again = register(client, "JO.Bloggs@Example.com", password="another good passphrase")
    assert again.status_code == first.status_code == 302
    assert again["Location"] == first["Location"]
    assert ResidentAccount.objects.count() == 3  # cara, carl and jo: no second account
    confirm, already = account_emails("jo.bloggs@example.com")
    assert already.subject.startswith("You already have a My Account")
    assert "/account/password-reset/" in already.text_body
    assert "/account/confirm-email/" not in already.text_body


def test_the_demo_residents_already_have_confirmed_accounts(cara, carl):
    assert cara.resident_account.email == "cara@example.com" and cara.resident_account.is_verified
    assert carl.resident_account.email == "carl@example.com" and carl.resident_account.is_verified


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "Create a password"),
        ("short1", "Password must be at least 8 characters"),
        ("password123", "Password is too easy to guess. Choose one that is not a common password"),
        ("83920174659", "Password must include letters or symbols, not only numbers"),
        ("jo.bloggs.example", "Password must not be like your email address"),
    ],
)
def test_weak_passwords_are_refused_in_plain_words(client, council, password, message):
    response = register(client, "jo.bloggs@example.com", password=password)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'class="govuk-error-summary"' in page and 'href="#id_password"' in page
    assert not ResidentAccount.objects.filter(email="jo.bloggs@example.com").exists()


def test_an_address_in_the_wrong_format_is_refused(client, council):
    response = register(client, "jo.bloggs at example")
    assert "Enter an email address in the correct format, like name@example.com" in (
        response.content.decode()
    )


def test_a_signed_in_resident_goes_to_their_cases_and_staff_are_sent_to_the_console(
    client, cara, ava
):
    sign_in(client, "cara@example.com")
    assert client.get("/account/register/")["Location"] == "/account/"
    client.force_login(ava)
    response = client.get("/account/register/")
    assert response.status_code == 403
    assert "You are signed in as council staff" in response.content.decode()
