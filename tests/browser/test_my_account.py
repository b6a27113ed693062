"""A resident's My Account in a real browser: register, confirm the address from the email in
the outbox, sign in, find a case logged by phone, send an update with a photo, and track a
case without an account. Forms are filled and sent from the keyboard; every page passes
axe-core."""

import re

import pytest
from playwright.sync_api import expect

from frontdoor.cases.models import Channel
from tests.browser.conftest import assert_accessible
from tests.cases.files import png_bytes
from tests.factories import CustomerFactory, case_for
from tests.portal.conftest import account_emails, links_in, path_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "jo.bloggs@example.com"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def type_into(page, label, text):
    """Focus a field by its label and type, as a keyboard user would."""
    page.get_by_label(label, exact=True).focus()
    page.keyboard.type(text)


def test_register_confirm_sign_in_and_send_an_update(page, council, ava):
    customer = CustomerFactory.create(given_name="Jo", family_name="Bloggs", emails=[EMAIL])
    case = case_for(customer=customer, actor=ava, channel=Channel.PHONE, summary="Bin missed")

    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Sign in to My Account").click()
    expect(page.get_by_role("heading", name="Sign in to My Account")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Create a My Account").click()

    page.get_by_role("button", name="Create account").click()  # nothing filled in
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    page.locator(".govuk-error-summary").get_by_role("link", name="Enter your email").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")  # on to the password
    expect(page.get_by_label("Create a password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert_accessible(page)

    (confirm,) = [
        path_of(link) for link in links_in(account_emails(EMAIL)[-1]) if "confirm-email" in link
    ]
    page.goto(confirm)
    expect(page.get_by_role("heading", name="Sign in to My Account")).to_be_visible()
    type_into(page, "Email address", EMAIL.upper())
    type_into(page, "Password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your email address is confirmed")).to_be_visible()
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=case.reference).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Missed bin collection")).to_be_visible()
    expect(page.get_by_text("You got in touch by phone.")).to_be_visible()
    expect(page.get_by_text("Bin missed")).to_have_count(0)  # staff's case title
    assert_accessible(page)

    page.get_by_label("Add a file (optional)").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"just text"}]
    )
    page.get_by_role("button", name="Send update").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The selected file must be a PDF, JPG, PNG, Word or ODT document"
    )
    assert_accessible(page)

    type_into(page, "Your update", "It was missed again on Tuesday")
    page.get_by_label("Add a file (optional)").set_input_files(
        files=[{"name": "bin.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_role("button", name="Send update").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your update has been sent")).to_be_visible()
    expect(page.get_by_text("It was missed again on Tuesday")).to_be_visible()
    expect(page.get_by_text(re.compile(r"bin\.png"))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("You have signed out")).to_be_visible()
    assert_accessible(page)


def test_track_a_case_without_an_account(page, council, ava):
    customer = CustomerFactory.create(emails=[EMAIL])
    case = case_for(customer=customer, actor=ava, channel=Channel.PHONE)

    page.goto("/track/")
    assert_accessible(page)
    type_into(page, "Case reference", case.reference)
    type_into(page, "Email address", "someone.else@example.com")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text("We could not find a case")
    assert_accessible(page)

    page.get_by_label("Email address", exact=True).fill("")
    type_into(page, "Email address", EMAIL)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Missed bin collection")).to_be_visible()
    expect(page.get_by_text("Progress")).to_be_visible()
    assert_accessible(page)
