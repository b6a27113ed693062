"""Issue 5's journey in real browsers, with the background worker sending mail over SMTP to
the catcher: a resident reports fly-tipping on the public form and gets the reference on
screen and by email; registers and, once the address is confirmed, sees that case and a
phone case logged for the same address in My Account; an advisor resolves the report in the
staff console, and the resident is told by email and sees it resolved. Every page the
resident visits passes axe-core."""

import re

import pytest
from playwright.sync_api import expect

from frontdoor.cases.models import Case, Channel
from frontdoor.customers.models import Customer
from tests.browser.conftest import assert_accessible
from tests.browser.test_advisor_journey import sign_in as staff_sign_in
from tests.factories import case_for
from tests.portal.conftest import account_emails, links_in, path_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "jo.bloggs@example.com"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def mail_to(catcher, address, subject_part):
    """The message to `address` whose subject has `subject_part`, once the worker has sent it
    (waiting up to 20 seconds)."""
    with catcher.arrived:
        catcher.arrived.wait_for(
            lambda: any(_about(m, address, subject_part) for m in catcher.caught), 20
        )
        found = [m for m in catcher.caught if _about(m, address, subject_part)]
        seen = [(m.recipients, m.message["Subject"]) for m in catcher.caught]
    assert found, f"No email to {address} about {subject_part!r}; caught {seen}"
    return found[0]


def _about(mail, address, subject_part):
    return mail.recipients == [address] and subject_part in mail.message["Subject"]


def report_fly_tipping(page):
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Report, request or ask online").click()
    page.get_by_role("link", name="Report fly-tipping").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Household items or furniture").check()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("A car boot load").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Anything else we should know?").fill("A mattress and two chairs")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Where is it?").fill("The lane behind 40 Leeds Road")
    page.get_by_label("Postcode (optional)").fill("LS1 1UR")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Full name (optional)").fill("Jo Bloggs")
    page.get_by_label("Email address (optional)").fill(EMAIL)
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    page.get_by_role("button", name="Accept and send").click()
    panel = page.locator(".govuk-panel")
    expect(panel).to_contain_text("Your reference number")
    assert_accessible(page)
    return re.search(r"FD-\d{4}-\d{6}", panel.inner_text())[0]


def register_and_confirm(page):
    page.goto("/")
    page.get_by_role("link", name="Sign in to My Account").click()
    assert_accessible(page)
    page.get_by_role("link", name="Create a My Account").click()
    assert_accessible(page)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert_accessible(page)
    (confirm,) = [
        path_of(link) for link in links_in(account_emails(EMAIL)[-1]) if "confirm-email" in link
    ]
    page.goto(confirm)
    assert_accessible(page)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Your email address is confirmed")).to_be_visible()


def test_report_register_follow_and_hear_it_is_resolved(page, staff_page, council, catcher, worker):
    reference = report_fly_tipping(page)
    case = Case.objects.get(reference=reference)
    assert case.channel == Channel.WEB_FORM
    confirmation = mail_to(catcher, EMAIL, reference)
    assert "Report fly-tipping" in confirmation.message["Subject"]

    # The same resident phoned about a missed bin: the advisor logged it on their record.
    customer = Customer.objects.get(emails__address__iexact=EMAIL)
    phoned = case_for(customer=customer, channel=Channel.PHONE, summary="Bin missed twice")

    register_and_confirm(page)
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    table = page.locator("table")
    expect(table).to_contain_text(reference)
    expect(table).to_contain_text(phoned.reference)
    assert_accessible(page)
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name="Fly-tipping")).to_be_visible()
    assert_accessible(page)

    staff_sign_in(staff_page, "ava")
    staff_page.goto(f"/staff/cases/{reference}/")
    staff_page.get_by_role("link", name="Resolve").click()
    staff_page.get_by_label("Outcome").select_option(label="Service requested")
    staff_page.get_by_label("What was done?").fill("Cleared by the street team")
    staff_page.get_by_role("button", name="Resolve case").click()
    expect(staff_page.get_by_text("Case resolved")).to_be_visible()

    told = mail_to(catcher, EMAIL, "has been resolved")
    assert reference in told.message["Subject"]
    page.reload()
    expect(page.locator(".govuk-tag").first).to_contain_text("Resolved")
    assert_accessible(page)
