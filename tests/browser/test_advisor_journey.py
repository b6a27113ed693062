"""The issue's acceptance journey, in a real browser: the advisor logs a call, opens a case and
forwards it; the back-office officer finds it in the department inbox and resolves it; the
timeline shows all of it. Every page on the way passes axe-core."""

import re

import pytest
from playwright.sync_api import expect

from frontdoor.demo.council import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username):
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_call_to_case_to_forward_to_department_resolution(page, council):
    sign_in(page, "ava")
    expect(page.get_by_role("heading", name="Staff console")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Customers").click()
    expect(page.get_by_role("heading", name="Find a customer")).to_be_visible()

    page.get_by_role("link", name="Add a new customer").click()
    page.get_by_role("button", name="Save customer").click()  # nothing filled in
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the customer's last name")
    assert_accessible(page)
    page.get_by_label("First name").fill("Jo")
    page.get_by_label("Last name").fill("Bloggs")
    page.get_by_label("Phone number (optional)").fill("020 7946 0123")
    page.get_by_label("Address line 1 (optional)").fill("4 High Street")
    page.get_by_label("Postcode (optional)").fill("ls1 4ap")
    page.get_by_role("button", name="Save customer").click()
    expect(page.get_by_role("heading", name="Jo Bloggs")).to_be_visible()
    expect(page.get_by_text("4 High Street, LS1 4AP")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Log a call or visit").click()
    assert_accessible(page)
    page.get_by_label("Phone call").check()
    page.get_by_label("What did the customer ask or tell you?").fill("My bin was missed again")
    page.get_by_label("How long did it take, in minutes? (optional)").fill("6")
    page.get_by_label("Open a new case").check()
    page.get_by_label("Service", exact=True).select_option(label="Missed bin collection")
    page.get_by_label("Case title").fill("Missed bin at 4 High Street")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("heading", name="Missed bin at 4 High Street")).to_be_visible()
    reference = re.search(r"FD-\d{4}-\d{6}", page.locator(".govuk-caption-l").inner_text())[0]
    assert_accessible(page)

    page.get_by_role("link", name="Forward to a department").click()
    page.get_by_label("Department").select_option(label="Waste and Recycling")
    page.get_by_label("Why are you forwarding it?").fill("Crew needs to return today")
    page.get_by_role("button", name="Forward case").click()
    expect(page.get_by_text("Case forwarded")).to_be_visible()
    expect(page.locator(".govuk-tag").first).to_have_text("Forwarded to department")
    sign_out(page)

    sign_in(page, "bea")
    expect(page.get_by_role("main")).to_contain_text(reference)  # the inbox on the home page
    page.get_by_role("link", name="Department inbox").click()
    expect(page.get_by_role("heading", name="Waste and Recycling inbox")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Take case").click()
    expect(page.get_by_text("Case taken")).to_be_visible()
    page.get_by_role("link", name="Resolve").click()
    page.get_by_role("button", name="Resolve case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the outcome")
    assert_accessible(page)
    page.get_by_label("Outcome").select_option(label="Service requested")
    page.get_by_label("What was done?").fill("Crew returned and emptied the bin")
    page.get_by_role("button", name="Resolve case").click()
    expect(page.get_by_text("Case resolved")).to_be_visible()

    timeline = page.locator(".moj-timeline")
    for entry in [
        "Case opened",
        "Contact logged",
        "Forwarded to department: Waste and Recycling",
        "Crew needs to return today",
        "Taken by department",
        "Resolved",
        "Service requested: Crew returned and emptied the bin",
    ]:
        expect(timeline).to_contain_text(entry)
    expect(timeline).to_contain_text("Ava Advisor")
    expect(timeline).to_contain_text("Bea Backoffice")
    assert_accessible(page)


def test_home_page_is_accessible(page, council):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Contact")
    assert_accessible(page)
