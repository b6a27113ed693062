"""The public performance page and its CSV: open to anyone, only the KPIs the council has
published, small numbers held back, nothing about a person or a restricted service."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontdoor.cases.models import Case, Channel, Contact, Outcome
from frontdoor.cases.services import CaseDraft, case_resolve, contact_record
from frontdoor.directory.models import ContactPoint, Service
from frontdoor.reporting.kpis import KPI_BY_KEY
from frontdoor.reporting.models import KpiTarget
from frontdoor.reporting.public import SMALL_BASE, SMALL_COUNT
from frontdoor.reporting.services import rollups_update
from tests.factories import CustomerFactory

# The page counts each of its twelve months with reporting.selectors.period_figures (eight
# aggregate queries), and reads the targets, the contacts by channel of all twelve months, the
# council and when the rollups were last brought up to date once.
MONTHS = 12
# The twelve months' figures in four grouped queries (and four more for channel shift's
# year-earlier months), contacts by channel, the targets, the rollups' time, the council.
QUERIES = 14

NAME, EMAIL = "Olwen Quarrington", "olwen.quarrington@example.com"


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def march(council, ava, time_machine):
    """March 2026, seen in the middle of April: three calls (two resolved on the call), 35
    web forms, and an email from a named resident opening an adult social care referral."""
    resident = CustomerFactory.create(given_name="Olwen", family_name="Quarrington", emails=[EMAIL])
    line = ContactPoint.objects.get(address="+441134960100")
    form = ContactPoint.objects.get(address="/forms/missed-bin")
    tax = Service.objects.get(code="council-tax")
    given = Outcome.objects.get(name="Information given")
    time_machine.move_to(_at(2026, 3, 10, 9, 0))
    for n in range(3):
        case = contact_record(
            channel=Channel.PHONE,
            customer=resident,
            actor=ava,
            contact_point=line,
            new_case=CaseDraft(service=tax, summary=f"Band query {n}"),
        ).case
        if n < 2:
            case_resolve(case=case, actor=ava, outcome=given, note="Explained the band")
    for _ in range(35):
        contact_record(channel=Channel.WEB_FORM, customer=None, contact_point=form)
    contact_record(
        channel=Channel.EMAIL,
        customer=resident,
        new_case=CaseDraft(
            service=Service.objects.get(code="adult-social-care"),
            summary="Care assessment for my mother",
        ),
    )
    time_machine.move_to(_at(2026, 4, 15, 12, 0))
    rollups_update()


def _page(client) -> str:
    response = client.get(reverse("performance"))
    assert response.status_code == 200
    return response.text


def _csv(client) -> list[list[str]]:
    response = client.get(reverse("performance_csv"))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_anyone_may_read_it_without_signing_in(client, march):
    page = _page(client)
    assert "How we are performing" in page and "Frontdoor Borough Council" in page
    assert "Key figures for March 2026" in page
    # 12:00 UTC is 1pm in London in April.
    assert "last brought up to date at 1:00pm on 15 April 2026" in page


def test_the_home_page_links_to_it(client, council):
    assert f'href="{reverse("performance")}"' in client.get("/").text


def test_only_the_kpis_the_council_publishes_appear(client, march):
    page = _page(client)
    assert "Digital take-up" in page and KPI_BY_KEY["digital_take_up"].formula in page
    # The demo council sets targets for these two but does not publish them.
    assert "Service level" not in page and "Average speed of answer" not in page
    assert "Average handling time" not in page  # no target at all

    KpiTarget.objects.filter(kpi="digital_take_up").update(published=False)
    KpiTarget.objects.filter(kpi="service_level").update(published=True)
    page = _page(client)
    assert "Digital take-up" not in page and "Service level" in page


def test_a_rate_over_enough_contacts_is_shown_against_its_target(client, march):
    page = _page(client)
    take_up = KPI_BY_KEY["digital_take_up"]
    row = page.split(f'<dt class="govuk-summary-list__key">{take_up.name}')[1].split("</dd>")[0]
    # 35 web forms of 39 inbound contacts (three calls and an email besides).
    assert "89.7%" in row and "Target 40.0%" in row and "Target met" in row


def test_small_counts_and_rates_over_few_are_held_back(client, march):
    page = _page(client)
    assert SMALL_COUNT == 10 and SMALL_BASE == 30
    channels = page.split("Contacts by channel, March 2026")[1].split("</table>")[0]
    assert "fewer than 10" in channels  # three calls
    assert ">35<" in channels  # the web forms
    first_contact = KPI_BY_KEY["first_contact_resolution"].name
    row = page.split(f'<dt class="govuk-summary-list__key">{first_contact}')[1].split("</dd>")[0]
    # Two cases resolved, both on the call: 100%, but over two.
    assert "Not enough to report" in row and "100.0%" not in row
    assert "Target met" not in row and "Target not met" not in row


def test_channel_shift_against_a_year_with_too_few_contacts_is_held_back(client, march):
    KpiTarget.objects.create(kpi="channel_shift", target=5, published=True)
    page = _page(client)
    row = page.split('<dt class="govuk-summary-list__key">Channel shift')[1].split("</dd>")[0]
    # Digital take-up was 89.7% in March 2026 but March 2025 had no contacts to compare with.
    assert "Not enough to report" in row


def test_open_cases_published_as_a_count_are_held_back_under_ten(client, march):
    KpiTarget.objects.create(kpi="backlog", target=500, published=True)
    page = _page(client)
    row = page.split('<dt class="govuk-summary-list__key">Open cases')[1].split("</dd>")[0]
    assert "fewer than 10" in row


def test_no_restricted_service_and_no_person_appears(client, march):
    restricted = Service.objects.filter(restricted=True).select_related("department")
    assert restricted.exists()
    page = _page(client)
    text = "\n".join(",".join(row) for row in _csv(client))
    for shown in (page, text):
        for service in restricted:
            assert service.name not in shown and service.department.name not in shown
        assert "Quarrington" not in shown and EMAIL not in shown
        assert "Care assessment" not in shown
        for reference in Case.objects.values_list("reference", flat=True):
            assert reference not in shown


def test_the_csv_holds_back_what_the_page_holds_back(client, march):
    rows = _csv(client)
    assert rows[0] == [
        "Period",
        "Figure",
        "Unit",
        "Value",
        "Target",
        "Target met",
        "How it is worked out",
    ]
    by_figure = {(row[0], row[1]): row for row in rows[1:]}
    assert by_figure["2026-03", "Contacts: Phone"][3] == "fewer than 10"
    assert by_figure["2026-03", "Contacts: Web form"][3] == "35"
    first_contact = by_figure["2026-03", "Resolved at first point of contact"]
    assert first_contact[2:6] == ["percent", "Not enough to report", "80.0", ""]
    take_up = by_figure["2026-03", "Digital take-up"]
    assert take_up[3:6] == ["89.7", "40.0", "Met"]
    assert ("2026-03", "Service level") not in by_figure
    assert {row[0] for row in rows[1:]} >= {"2026-03", "2025-04"}  # twelve months


def test_it_may_be_cached_for_five_minutes(client, march):
    for name in ("performance", "performance_csv"):
        cache_control = client.get(reverse(name))["Cache-Control"]
        assert "public" in cache_control and "max-age=300" in cache_control


def test_it_reads_the_rollups_in_a_bounded_number_of_queries(
    client, march, django_assert_max_num_queries
):
    with django_assert_max_num_queries(QUERIES):
        _page(client)
    with CaptureQueriesContext(connection) as queries:
        _page(client)
    contact_table, case_table = Contact._meta.db_table, Case._meta.db_table
    for query in queries.captured_queries:
        sql = query["sql"]
        assert f'"{contact_table}"' not in sql, sql
        # Only the count of open cases (by its index) touches the cases.
        assert f'"{case_table}"' not in sql or sql.startswith("SELECT COUNT("), sql


def test_one_small_channel_held_back_takes_the_next_smallest_with_it():
    from frontdoor.reporting.public import _channel_counts

    counts = {"phone": 40, "social": 3, "email": 20}
    shown = {c.channel: c.shown for c in _channel_counts(["phone", "email", "social"], counts)}
    # With the month's total published, 3 social posts would be 63 less 40 less 20.
    assert shown == {"Phone": "40", "Email": "fewer than 10", "Social media": "fewer than 10"}
    two = {
        c.channel: c.shown for c in _channel_counts(["phone", "email"], {"phone": 40, "email": 2})
    }
    assert two == {"Phone": "fewer than 10", "Email": "fewer than 10"}
