"""Contact-point hygiene in a real browser: after `seed-demo` the manager finds the old housing
benefit line flagged as unused for 12 months and retires it, its history kept."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from frontdoor.cases.models import Contact
from frontdoor.directory.models import ContactPoint
from tests.browser.conftest import assert_accessible
from tests.browser.test_advisor_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD_LINE = "Old housing benefit line"


def test_the_manager_retires_the_unused_phone_line(page, db):
    call_command("seed_demo", contacts=2000, seed=3, verbosity=0)
    line = ContactPoint.objects.get(name=OLD_LINE)
    contacts = Contact.objects.filter(contact_point=line).count()
    sign_in(page, "max")
    page.get_by_role("link", name="Contact points").click()
    expect(page.get_by_role("heading", name="Contact points", level=1)).to_be_visible()
    row = page.locator("#contact-points tbody tr").filter(has_text=OLD_LINE)
    expect(row).to_contain_text("Unused for 12 months")
    expect(row).to_contain_text("Active")
    assert_accessible(page)

    row.get_by_role("button", name=f"Retire {OLD_LINE}").click()
    expect(page.get_by_role("alert")).to_contain_text(f"{OLD_LINE} retired: its history is kept")
    row = page.locator("#contact-points tbody tr").filter(has_text=OLD_LINE)
    expect(row.locator(".govuk-tag").first).to_have_text("Retired")
    expect(row).not_to_contain_text("Unused for 12 months")
    expect(row.get_by_role("button", name=f"Bring back into use {OLD_LINE}")).to_be_visible()
    assert_accessible(page)

    line.refresh_from_db()
    assert line.status == ContactPoint.Status.RETIRED
    assert line.status_changed_by.username == "max"
    assert Contact.objects.filter(contact_point=line).count() == contacts
