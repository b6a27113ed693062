"""The monthly overview: who may see it, what it shows, and its XLSX and CSV exports."""

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from django.urls import reverse

from frontdoor.cases.models import Channel
from frontdoor.cases.services import contact_record
from frontdoor.directory.models import ContactPoint
from frontdoor.reporting.dashboards import months_back
from frontdoor.reporting.services import rollups_update


@pytest.fixture
def contacts(council):
    line = ContactPoint.objects.get(address="+441134960100")
    form = ContactPoint.objects.get(address="/forms/missed-bin")
    for when, channel, point in [
        (datetime(2026, 3, 2, 10, tzinfo=UTC), Channel.PHONE, line),
        (datetime(2026, 3, 3, 10, tzinfo=UTC), Channel.PHONE, line),
        (datetime(2026, 3, 3, 11, tzinfo=UTC), Channel.WEB_FORM, form),
        (datetime(2025, 3, 4, 10, tzinfo=UTC), Channel.PHONE, line),
    ]:
        contact_record(channel=channel, customer=None, contact_point=point, occurred_at=when)
    rollups_update()


@pytest.mark.parametrize(
    ("person", "status"),
    [("tess", 200), ("max_", 200), ("ada", 200), ("ava", 403), ("bea", 403), ("cara", 403)],
)
def test_dashboards_are_for_team_leaders_managers_and_administrators(
    request, client, person, status
):
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("console:report_overview")).status_code == status
    export = reverse("console:report_overview_export", args=["xlsx"])
    assert client.get(export).status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client, council):
    assert client.get(reverse("console:report_overview")).status_code == 302


def test_the_month_shows_channels_beside_a_year_earlier_and_the_busiest_points(
    client, max_, contacts
):
    client.force_login(max_)
    page = client.get(reverse("console:report_overview"), {"month": "2026-03"}).text
    assert "March 2026" in page and "Contacts by channel" in page
    assert '<th scope="row" class="govuk-table__header">Phone</th>' in page
    assert "Council tax line" in page and "Top 15 contact points" in page
    assert "Resolved at first point of contact" in page and "Target 80.0%" in page
    assert "Cases resolved at first point of contact" in page  # the formula beside it


def test_a_month_that_is_not_one_is_explained(client, max_, council):
    client.force_login(max_)
    page = client.get(reverse("console:report_overview"), {"month": "March"}).text
    assert "Enter a month as year and month, like 2026-03" in page


def test_the_xlsx_export_has_the_kpis_each_table_and_native_charts(client, max_, contacts):
    client.force_login(max_)
    url = reverse("console:report_overview_export", args=["xlsx"])
    response = client.get(url, {"month": "2026-03"})
    assert response["Content-Disposition"] == (
        'attachment; filename="frontdoor-overview-2026-03.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["KPIs", "Contacts by channel", "Contacts by month"]
    channels = book["Contacts by channel"]
    rows = list(channels.iter_rows(min_row=4, values_only=True))
    assert rows[0][:3] == ("Channel", "March 2026", "March 2025")
    assert ("Phone", 2, 1) in [row[:3] for row in rows]
    assert channels._charts, "the channel table is charted natively"
    kpis = list(book["KPIs"].iter_rows(min_row=4, values_only=True))
    assert kpis[0][0] == "KPI" and any(row[0] == "Digital take-up" for row in kpis)


def test_the_csv_export_has_every_table_under_its_title(client, max_, contacts):
    client.force_login(max_)
    url = reverse("console:report_overview_export", args=["csv"])
    text = client.get(url, {"month": "2026-03", "channel": "phone"}).content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Monthly overview: March 2026", "Phone"]
    titles = [row[0] for row in rows if len(row) == 1]
    assert titles[:3] == ["Contacts by channel", "Contacts by month", "Top 15 contact points"]
    assert ["Phone", "2", "1", "100.0"] in rows


def test_months_back_crosses_years():
    assert months_back(date(2026, 2, 17), 2) == date(2025, 12, 1)
    assert months_back(date(2026, 2, 17), 35) == date(2023, 3, 1)
