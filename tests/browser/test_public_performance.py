"""The public performance page in a real browser: a resident follows the link from the home
page, without signing in, and reads last month's key figures against the council's targets."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_reads_how_the_council_is_performing(page):
    call_command("seed_demo", contacts=3000, seed=3, verbosity=0)
    page.goto("/")
    page.get_by_role("link", name="How we are performing").click()

    expect(page.get_by_role("heading", name="How we are performing", level=1)).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Key figures for \w+ \d{4}$"))
    ).to_be_visible()
    key_figures = page.locator(".govuk-summary-list").first
    take_up = key_figures.locator(".govuk-summary-list__row").filter(has_text="Digital take-up")
    expect(take_up).to_contain_text("Target 40.0%")
    expect(take_up.locator(".fd-figure")).to_have_text(
        re.compile(r"^(\d+\.\d%|Not enough to report)$")
    )
    expect(take_up).to_contain_text("÷ all inbound contacts")  # how it is worked out
    expect(key_figures).not_to_contain_text("Service level")  # a target, not published
    expect(page.get_by_role("table", name=re.compile("^Contacts by channel, "))).to_be_visible()
    expect(page.get_by_role("heading", name="How these figures are worked out")).to_be_visible()
    assert_accessible(page)
