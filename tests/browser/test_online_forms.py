"""Online forms in a real browser, with the keyboard where a resident would use it: every
page of a fly-tipping report and a bulky waste booking passes axe-core, errors link to their
fields, and the reference appears at the end."""

import pytest
from playwright.sync_api import expect

from frontdoor.cases.models import Case
from frontdoor.notify.models import OutboundEmail
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_reports_fly_tipping_and_gets_the_reference(page, council):
    page.goto("/")
    page.get_by_role("link", name="Report, request or ask online").click()
    assert_accessible(page)
    page.get_by_role("link", name="Report fly-tipping").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()

    expect(page.get_by_role("heading", name="What has been dumped?")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select at least one option")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    assert_accessible(page)
    summary.get_by_role("link", name="Select at least one option").click()
    expect(page.get_by_label("Black bags")).to_be_focused()
    page.keyboard.press("Space")
    page.get_by_label("Tyres").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="How much is there?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("A small van load").check()
    page.get_by_role("button", name="Continue").click()

    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()  # "Anything else" is optional

    expect(page.get_by_role("heading", name="Where is it?")).to_be_visible()
    page.get_by_label("Where is it?").fill("Behind the shops on Leeds Road")
    page.get_by_label("Postcode (optional)").fill("ls1 1ur")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    page.get_by_label("Full name (optional)").fill("Jo Bloggs")
    page.get_by_label("Email address (optional)").fill("jo@example.com")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Check your answers before sending")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Black bags, Tyres")
    expect(page.locator(".govuk-summary-list")).to_contain_text("LS1 1UR")
    assert_accessible(page)
    page.get_by_role("link", name="Change how much is there").click()
    page.get_by_label("A lorry load or more").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("A lorry load or more")
    page.get_by_role("button", name="Accept and send").click()

    case = Case.objects.get()
    expect(page.locator(".govuk-panel")).to_contain_text(case.reference)
    assert_accessible(page)
    assert case.reference in OutboundEmail.objects.get(case=case).subject


def test_a_bulky_waste_collection_is_booked_on_a_chosen_date(page, council):
    page.goto("/forms/bulky-waste/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Sofa or armchair").check()
    page.get_by_label("How many items are there?").fill("2")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Choose a collection date")).to_be_visible()
    assert_accessible(page)
    first_date = page.locator(".govuk-radios__label").first
    chosen = first_date.inner_text()
    first_date.click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Where is it?").fill("12 Leeds Road")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Full name").fill("Jo Bloggs")
    page.get_by_label("Email address").fill("jo@example.com")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text(chosen)
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Your reference number")
    assert chosen in Case.objects.get().description
