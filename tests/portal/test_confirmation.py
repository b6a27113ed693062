"""Confirming the address: a signed, expiring link that works only signed in to its account.
Until then the account shows no cases and offers the link again, a few times an hour."""

from datetime import timedelta

import time_machine
from django.core import signing
from django.utils import timezone

from frontdoor.portal.models import ResidentAccount
from frontdoor.portal.services import CONFIRMATION_SALT
from tests.factories import case_for
from tests.portal.conftest import account_emails, links_in, path_of, sign_in

PASSWORD = "correct horse battery staple"


def registered(client, email="jo.bloggs@example.com"):
    client.post("/account/register/", {"email": email, "password": PASSWORD})
    (link,) = [
        path_of(link) for link in links_in(account_emails(email)[-1]) if "confirm-email" in link
    ]
    return ResidentAccount.objects.get(email=email), link


def test_the_link_confirms_the_address_once_signed_in(client, council):
    account, link = registered(client)
    response = client.get(link)
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")
    response = client.post(
        "/account/sign-in/?next=" + link,
        {"email": "jo.bloggs@example.com", "password": PASSWORD, "next": link},
    )
    assert response["Location"] == link
    response = client.get(link, follow=True)
    assert "Your email address is confirmed" in response.content.decode()
    account.refresh_from_db()
    assert account.verified_at is not None


def test_an_expired_link_confirms_nothing(client, council):
    account, link = registered(client)
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        sign_in(client, "jo.bloggs@example.com", PASSWORD)
        response = client.get(link)
    assert response.status_code == 400
    assert "The link has expired" in response.content.decode()
    account.refresh_from_db()
    assert account.verified_at is None


def test_a_tampered_link_confirms_nothing(client, council):
    account, link = registered(client)
    sign_in(client, "jo.bloggs@example.com", PASSWORD)
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = signing.dumps({"a": account.pk, "e": "someone.else@example.com"}, salt="guess")
    for bad in (token[:-2] + "xx", forged):
        response = client.get(f"/account/confirm-email/{bad}/")
        assert response.status_code == 400
        assert "The link is not complete or has been changed" in response.content.decode()
    account.refresh_from_db()
    assert account.verified_at is None


def test_a_link_for_another_account_does_not_confirm_the_signed_in_one(client, cara, council):
    account, link = registered(client)
    sign_in(client, "cara@example.com")
    response = client.get(link)
    assert response.status_code == 400
    assert "The link is for a different account" in response.content.decode()
    account.refresh_from_db()
    assert account.verified_at is None


def test_the_link_stops_working_if_the_address_changes(client, council):
    account, link = registered(client)
    ResidentAccount.objects.filter(pk=account.pk).update(email="jo@example.net")
    token = signing.loads(link.rstrip("/").rsplit("/", 1)[1], salt=CONFIRMATION_SALT)
    assert token["e"] == "jo.bloggs@example.com"
    sign_in(client, "jo@example.net", PASSWORD)
    assert client.get(link).status_code == 400


def test_an_unconfirmed_account_shows_no_cases_and_says_to_check_email(client, council):
    from tests.factories import CustomerFactory

    customer = CustomerFactory.create(emails=["jo.bloggs@example.com"])
    case = case_for(customer=customer)
    registered(client)
    sign_in(client, "jo.bloggs@example.com", PASSWORD)
    page = client.get("/account/").content.decode()
    assert "Confirm your email address" in page and "Send the link again" in page
    assert case.reference not in page
    assert client.get(f"/account/cases/{case.reference}/").status_code == 404


def test_the_link_can_be_sent_again_a_few_times_an_hour(client, council):
    registered(client)  # the first of three an hour
    sign_in(client, "jo.bloggs@example.com", PASSWORD)
    for _ in range(2):
        response = client.post("/account/confirm-email/send-again/", follow=True)
        assert "We have sent a new link to jo.bloggs@example.com" in response.content.decode()
    response = client.post("/account/confirm-email/send-again/", follow=True)
    assert "We have already sent you several links in the last hour" in response.content.decode()
    assert len(account_emails("jo.bloggs@example.com")) == 3
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        client.post("/account/confirm-email/send-again/")
    assert len(account_emails("jo.bloggs@example.com")) == 4


def test_every_link_sent_works(client, council):
    registered(client)
    sign_in(client, "jo.bloggs@example.com", PASSWORD)
    client.post("/account/confirm-email/send-again/")
    first, second = (
        path_of(link)
        for email in account_emails("jo.bloggs@example.com")
        for link in links_in(email)
        if "confirm-email" in link
    )
    assert client.get(first).status_code == 302
    assert client.get(second).status_code == 302  # already confirmed: nothing more to do
