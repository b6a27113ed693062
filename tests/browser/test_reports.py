"""The monthly dashboard in a real browser: the demo manager sees two years of seeded
contacts by channel with their seasonality, the busiest contact points and the KPI tiles,
each chart drawn with its table beside it, downloads the month as a spreadsheet and opens
the public performance page; then the service report and today's view."""

import io
import re

import openpyxl
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_advisor_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_manager_reads_the_monthly_overview_and_downloads_it(page, db):
    call_command("seed_demo", contacts=4000, seed=3, verbosity=0)
    sign_in(page, "max")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Key performance indicators")).to_be_visible()
    tiles = page.locator(".fd-kpi-tile")
    expect(tiles.filter(has_text="Resolved at first point of contact")).to_contain_text(
        "Target 80.0%"
    )
    take_up = page.get_by_role("heading", name="Digital take-up", exact=True)
    expect(tiles.filter(has=take_up).locator(".fd-figure")).to_have_text(re.compile(r"^\d+\.\d%$"))

    seasonality = page.locator("#data-seasonality tbody tr")
    assert seasonality.count() >= 24, "two years of months, to see the seasons"
    expect(page.locator("canvas[data-fd-chart='seasonality']")).to_have_attribute(
        "data-fd-drawn", "true"
    )
    expect(page.locator("#data-contact_points tbody tr")).to_have_count(15)
    # The demo's phone system's calls, imported as a council imports its own.
    expect(page.locator("#data-calls tbody tr").first).to_contain_text("+44113496")
    calls_abandoned = page.get_by_role("heading", name="Calls abandoned", exact=True)
    expect(tiles.filter(has=calls_abandoned)).to_contain_text("Target 8.0%")
    assert_accessible(page)

    page.get_by_label("Channel", exact=True).select_option(label="Phone")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator("main p").first).to_contain_text("Phone.")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a spreadsheet (XLSX)").click()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert "Contacts by month" in book.sheetnames
    assert book["KPIs"]["A2"].value == "Phone"  # the filter chosen on the page

    # The public page, as the council's website links it: the published figures.
    page.goto("/performance/")
    expect(page.get_by_role("heading", name="How we are performing", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Key figures for "))).to_be_visible()
    page.go_back()

    page.get_by_role("link", name="Service report").click()
    page.get_by_label("Service", exact=True).select_option(label="Missed bin collection")
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_text("Service report: Missed bin collection")).to_be_visible()
    expect(page.locator("canvas[data-fd-chart='days']")).to_have_attribute("data-fd-drawn", "true")
    expect(page.get_by_role("heading", name="Open cases by age")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Today").click()
    expect(page.get_by_role("heading", name="Queues now")).to_be_visible()
    expect(page.get_by_role("heading", name="Reception now")).to_be_visible()
    assert_accessible(page)
