"""My Account's fixtures: residents' customers and cases, the emails My Account sends, and
uploads kept in a folder of the test's own."""

import re

import pytest

from frontdoor.demo.council import DEMO_PASSWORD
from frontdoor.notify.models import OutboundEmail
from tests.factories import CustomerFactory

LINK = re.compile(r"https?://[^\s\"<]+")


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def account_emails(to: str) -> list[OutboundEmail]:
    return list(
        OutboundEmail.objects.filter(
            kind=OutboundEmail.Kind.ACCOUNT, to_address__iexact=to
        ).order_by("created_at", "pk")
    )


def links_in(email: OutboundEmail) -> list[str]:
    return LINK.findall(email.text_body)


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def sign_in(client, email, password=DEMO_PASSWORD):
    return client.post("/account/sign-in/", {"email": email, "password": password})


@pytest.fixture
def cara_customer(council):
    return CustomerFactory.create(
        given_name="Cara", family_name="Resident", emails=["Cara@Example.com"]
    )


@pytest.fixture
def carl_customer(council):
    return CustomerFactory.create(
        given_name="Carl", family_name="Resident", emails=["carl@example.com"]
    )
