"""The monthly overview: who may see it, what it shows, and its XLSX and CSV exports."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from django.urls import reverse

from frontdoor.cases.models import Channel
from frontdoor.cases.services import contact_record
from frontdoor.directory.models import ContactPoint, Service
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
    for name in ("report_overview", "report_service", "report_today", "report_peers"):
        assert client.get(reverse(f"console:{name}")).status_code == status
    for name in ("report_overview_export", "report_service_export", "report_peers_export"):
        assert client.get(reverse(f"console:{name}", args=["xlsx"])).status_code == status


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


def test_a_service_report_needs_a_service_and_shows_its_month(client, max_, contacts):
    client.force_login(max_)
    url = reverse("console:report_service")
    assert "Choose a service" in client.get(url).text
    missing = client.get(url, {"month": "2026-03"}).text
    assert "Choose the service to report on" in missing
    tax = Service.objects.get(code="council-tax")
    page = client.get(url, {"month": "2026-03", "service": tax.pk}).text
    assert "Service report: Council Tax" in page and "March 2026" in page
    for title in ("Contacts by day", "The last 13 months", "Open cases by age"):
        assert title in page
    export = reverse("console:report_service_export", args=["csv"])
    text = client.get(export, {"month": "2026-03", "service": tax.pk}).content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Service report: Council Tax: March 2026", "Council Tax"]
    assert ["Phone", "2", "1", "100.0"] in rows


def test_open_cases_are_aged_in_bands_with_those_past_target(client, max_, council):
    from frontdoor.reporting.selectors import Filters, open_cases_by_age
    from tests.factories import case_for

    now = datetime(2026, 3, 31, 12, tzinfo=UTC)
    for days in (1, 10, 40):
        case_for(opened_at=now - timedelta(days=days))
    bands = [(0, 7, "Under a week"), (7, 14, "1 to 2 weeks"), (14, 28, "2 to 4 weeks")]
    ages = open_cases_by_age(filters=Filters(), now=now, bands=bands)
    assert ages == [
        ("Under a week", 1, 0),
        ("1 to 2 weeks", 1, 0),
        ("2 to 4 weeks", 0, 0),
        ("4 weeks or more", 1, 1),
    ]


def test_today_shows_todays_contacts_the_queues_and_reception_now(client, tess, council):
    line = ContactPoint.objects.get(address="+441134960100")
    contact_record(channel=Channel.PHONE, customer=None, contact_point=line)
    rollups_update()
    client.force_login(tess)
    page = client.get(reverse("console:report_today")).text
    assert "Contacts recorded today by channel" in page and "Queues now" in page
    assert "Civic Centre reception" in page and 'hx-trigger="every 15s"' in page
    phone_row = page[page.index(">Phone</th>") :][:200]
    assert ">1<" in phone_row


def test_benchmarking_sets_this_council_beside_its_peers_for_the_same_period(
    client, max_, council, tmp_path, time_machine
):
    from frontdoor.cases.models import Outcome
    from frontdoor.cases.services import CaseDraft, case_resolve
    from frontdoor.reporting.importing import stats_import
    from tests.factories import CustomerFactory

    client.force_login(max_)
    url = reverse("console:report_peers")
    assert "frontdoor import-stats peers FILE" in client.get(url).text
    # One case resolved at first point of contact in March 2026: 100%.
    time_machine.move_to(datetime(2026, 3, 10, 9, tzinfo=UTC))
    case = contact_record(
        channel=Channel.PHONE,
        customer=CustomerFactory.create(),
        actor=max_,
        new_case=CaseDraft(service=Service.objects.get(code="council-tax"), summary="Band"),
    ).case
    case_resolve(case=case, actor=max_, outcome=Outcome.objects.first(), note="Explained the band")
    rollups_update()
    peers = tmp_path / "peers.csv"
    peers.write_text(
        "Council,Period,KPI,Value\n"
        "Northshire,2026-03,first_contact_resolution,78.5\n"
        "Westvale,2026-03,first_contact_resolution,100\n"
        "Westvale,2025/26,digital_take_up,41.2\n"
    )
    assert stats_import(kind="peers", path=peers, source_name="LG Inform").ok
    page = client.get(url, {"period": "2026-03-01_2026-03-31"}).text
    assert "March 2026" in page
    assert "Frontdoor Borough Council is 2nd of 3." in page
    table = page[page.index('id="data-peers-first_contact_resolution"') :]
    assert table.index("Westvale") < table.index("(this council)") < table.index("Northshire")
    yearly = client.get(url, {"period": "2025-04-01_2026-03-31"}).text
    assert "2025/26 (April to March)" in yearly and "Digital take-up" in yearly


def test_names_in_exports_are_never_run_as_formulas(client, max_, contacts):
    ContactPoint.objects.filter(address="+441134960100").update(name='=HYPERLINK("x","y")')
    client.force_login(max_)
    text = client.get(
        reverse("console:report_overview_export", args=["csv"]), {"month": "2026-03"}
    ).content.decode()
    assert "'=HYPERLINK" in text
    response = client.get(
        reverse("console:report_overview_export", args=["xlsx"]), {"month": "2026-03"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Top 15 contact points"]
    names = [row[0] for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert '=HYPERLINK("x","y")' in names  # a string cell, not a formula
    cell = next(c for c in sheet["A"] if c.value == '=HYPERLINK("x","y")')
    assert cell.data_type == "s"


def test_a_restricted_services_report_is_only_for_those_who_may_see_its_cases(
    client, tess, max_, council
):
    care = Service.objects.filter(restricted=True).first()
    url = reverse("console:report_service")
    client.force_login(tess)
    refused = client.get(url, {"month": "2026-03", "service": care.pk}).text
    assert "Select a valid choice" in refused and f"Service report: {care.name}" not in refused
    assert f">{care.name}</option>" not in client.get(url).text
    client.force_login(max_)  # a manager given restricted cases
    page = client.get(url, {"month": "2026-03", "service": care.pk}).text
    assert f"Service report: {care.name}" in page
