"""Resetting a password by email: the same answer whether or not the address has an account."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from frontdoor.portal.models import ResidentAccount
from tests.portal.conftest import account_emails, links_in, path_of, sign_in

NEW_PASSWORD = "a brand new passphrase"


def ask(client, email):
    return client.post("/account/password-reset/", {"email": email}, follow=True)


def reset_link(email):
    (link,) = [
        path_of(link)
        for link in links_in(account_emails(email)[-1])
        if "/account/password-reset/" in link
    ]
    return link


def test_the_answer_is_the_same_for_an_address_with_no_account(client, cara):
    known = ask(client, "cara@example.com").content.decode()
    unknown = ask(client, "nobody@example.com").content.decode()
    assert "If there is a My Account for <strong>cara@example.com</strong>" in known
    assert "If there is a My Account for <strong>nobody@example.com</strong>" in unknown
    assert len(account_emails("cara@example.com")) == 1
    assert account_emails("nobody@example.com") == []


def test_staff_addresses_get_no_reset_link(client, ava):
    ask(client, ava.email)
    assert account_emails(ava.email) == []


def test_the_link_sets_a_new_password_and_signs_in(client, cara):
    ask(client, "Cara@Example.com")
    (email,) = account_emails("cara@example.com")
    assert email.subject.startswith("Reset your My Account password")
    form = client.get(reset_link("cara@example.com"), follow=True)
    assert "Set a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"password": NEW_PASSWORD}, follow=True)
    assert "Your password has been changed" in done.content.decode()
    cara.refresh_from_db()
    assert cara.check_password(NEW_PASSWORD)
    client.post("/account/sign-out/")
    assert sign_in(client, "cara@example.com", NEW_PASSWORD)["Location"] == "/account/"


def test_a_link_works_once(client, cara):
    ask(client, "cara@example.com")
    link = reset_link("cara@example.com")
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"password": NEW_PASSWORD})
    client.post("/account/sign-out/")
    again = client.get(link, follow=True).content.decode()
    assert "This link does not work" in again


def test_an_expired_link_does_not_work(client, cara):
    ask(client, "cara@example.com")
    link = reset_link("cara@example.com")
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        assert "This link does not work" in client.get(link, follow=True).content.decode()


def test_a_weak_new_password_is_refused_in_plain_words(client, cara):
    ask(client, "cara@example.com")
    form = client.get(reset_link("cara@example.com"), follow=True)
    page = client.post(form.redirect_chain[-1][0], {"password": "12345678"}).content.decode()
    assert "Password is too easy to guess" in page
    cara.refresh_from_db()
    assert cara.check_password("frontdoor-demo")


def test_resetting_confirms_the_address_and_ends_a_lockout(client, council):
    client.post(
        "/account/register/", {"email": "jo@example.com", "password": "correct horse battery"}
    )
    for _ in range(5):
        sign_in(client, "jo@example.com", "wrong")
    ask(client, "jo@example.com")
    form = client.get(reset_link("jo@example.com"), follow=True)
    client.post(form.redirect_chain[-1][0], {"password": NEW_PASSWORD})
    assert ResidentAccount.objects.get(email="jo@example.com").is_verified
    client.post("/account/sign-out/")
    assert sign_in(client, "jo@example.com", NEW_PASSWORD)["Location"] == "/account/"


def test_no_more_than_three_links_an_hour(client, cara):
    for _ in range(5):
        ask(client, "cara@example.com")
    assert len(account_emails("cara@example.com")) == 3
