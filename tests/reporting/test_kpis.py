"""Every KPI against a small data set worked out by hand: contacts recorded through the
services, calls imported from a telephony CSV, cases resolved in and out of target."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from frontdoor.cases.models import Channel, Outcome
from frontdoor.cases.services import CaseDraft, case_resolve, contact_record
from frontdoor.core.models import Council
from frontdoor.directory.models import ContactPoint, Service
from frontdoor.reporting.importing import stats_import
from frontdoor.reporting.kpis import KPI_BY_KEY, KPIS, Figures, Kpi, Rag, Unit, format_value
from frontdoor.reporting.selectors import Filters, period_figures
from frontdoor.reporting.services import rollups_update
from tests.factories import CustomerFactory, case_for

CALLS = """Call ID,Number dialled,Start time,Outcome,Wait,Talk,Hold,Wrap
c1,0113 496 0100,10/03/2026 09:30:00,Answered,10,300,30,60
c2,0113 496 0100,10/03/2026 09:40:00,Answered,25,200,,
c3,0113 496 0100,10/03/2026 09:50:00,Answered,50,,,
c4,0113 496 0100,10/03/2026 10:00:00,Abandoned,3,,,
c5,0113 496 0100,10/03/2026 10:10:00,Abandoned,40,,,
"""


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def figures(council, ava, tmp_path, time_machine):
    """The hand-worked data set (see each KPI's expectation below)."""
    tax_line = ContactPoint.objects.get(address="+441134960100")
    tax = Service.objects.get(code="council-tax")
    bins = Service.objects.get(code="missed-bin")
    given = Outcome.objects.get(name="Information given")
    customer = CustomerFactory.create()

    # A year earlier (the baseline for channel shift): one web form, one call logged.
    for channel in (Channel.WEB_FORM, Channel.PHONE):
        contact_record(channel=channel, customer=customer, occurred_at=_at(2025, 3, 5, 12))

    time_machine.move_to(_at(2026, 3, 10, 9, 0))
    # A: taken and resolved by Ava on the same call: resolved at first point of contact.
    case_a = contact_record(
        channel=Channel.PHONE,
        customer=customer,
        actor=ava,
        contact_point=tax_line,
        duration_seconds=120,
        new_case=CaseDraft(service=tax, summary="Band query"),
    ).case
    time_machine.move_to(_at(2026, 3, 10, 9, 5))
    case_resolve(case=case_a, actor=ava, outcome=given, note="Explained the band")
    contact_record(
        channel=Channel.PHONE,
        customer=customer,
        actor=ava,
        contact_point=tax_line,
        service=tax,
        duration_seconds=300,
    )
    contact_record(
        channel=Channel.WEB_FORM,
        customer=customer,
        contact_point=ContactPoint.objects.get(address="/forms/missed-bin"),
        service=bins,
    )
    # B: by email, resolved three weeks later: after both of its targets.
    case_b = contact_record(
        channel=Channel.EMAIL,
        customer=customer,
        contact_point=ContactPoint.objects.get(address="waste@frontdoor.example"),
        new_case=CaseDraft(service=bins, summary="Bin missed"),
    ).case
    # C: opened the same day and still open on the 31st, past its resolution target.
    case_for(customer=customer)
    stats_import(kind="calls", path=_file(tmp_path, CALLS), source_name="Mitel")

    time_machine.move_to(_at(2026, 3, 31, 9, 0))
    case_resolve(case=case_b, actor=ava, outcome=given, note="Crew returned")
    case_for(customer=customer)  # D: open, within target
    rollups_update()
    case_a.refresh_from_db()
    case_b.refresh_from_db()
    assert case_a.resolved_first_contact is True and case_b.resolved_first_contact is False
    return period_figures(
        first=date(2026, 3, 1), last=date(2026, 3, 31), filters=Filters(), now=timezone.now()
    )


def _file(folder, text: str, name: str = "calls.csv"):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# key: (value, numerator, denominator), worked out by hand from the data set above.
EXPECTED = {
    # 2 calls logged + 3 more offered by telephony at the tax line, 1 web form, 1 email
    "contacts": (Decimal(7), None, None),
    "first_contact_resolution": (Decimal("50.0"), 1, 2),  # A of A and B
    "first_response_in_target": (Decimal("50.0"), 1, 2),
    "resolution_in_target": (Decimal("50.0"), 1, 2),
    "calls_answered": (Decimal("75.0"), 3, 4),  # c1-c3 of 5 offered less c4's short abandon
    "abandonment_rate": (Decimal("25.0"), 1, 4),  # c5
    "service_level": (Decimal("25.0"), 1, 4),  # c1 within 20 s, of 3 answered + c5
    "average_speed_of_answer": (Decimal(28), 85, 3),  # (10 + 25 + 50) / 3
    "call_handling_time": (Decimal(295), 590, 2),  # (300 + 30 + 60 + 200) / c1, c2
    "handling_time": (Decimal(210), 420, 2),  # (120 + 300) / the two logged calls
    "digital_take_up": (Decimal("14.3"), 1, 7),
    "channel_shift": (Decimal("-35.7"), None, None),  # 14.3% against 50.0% a year earlier
    "backlog": (Decimal(2), None, None),  # C and D
    "overdue": (Decimal("50.0"), 1, 2),  # C
}


def test_every_kpi_has_a_hand_worked_expectation():
    assert set(EXPECTED) == {kpi.key for kpi in KPIS}


@pytest.mark.parametrize("key", list(EXPECTED))
def test_each_kpi_matches_the_hand_worked_figure(figures, key):
    measure = KPI_BY_KEY[key].measure(figures)
    value, numerator, denominator = EXPECTED[key]
    assert measure.value == value
    if numerator is not None:
        assert (measure.numerator, measure.denominator) == (numerator, denominator)


def test_a_council_baseline_period_replaces_the_year_before(figures, council):
    settings = Council.current()
    settings.channel_shift_baseline_start = date(2026, 3, 1)
    settings.channel_shift_baseline_end = date(2026, 3, 31)
    settings.save()
    again = period_figures(
        first=date(2026, 3, 1), last=date(2026, 3, 31), filters=Filters(), now=timezone.now()
    )
    assert KPI_BY_KEY["channel_shift"].measure(again).value == Decimal("0.0")


def test_filters_narrow_the_figures_to_a_channel_service_or_department(figures):
    tax = Service.objects.get(code="council-tax")
    span = {"first": date(2026, 3, 1), "last": date(2026, 3, 31), "now": timezone.now()}
    phone = period_figures(filters=Filters(channel=Channel.PHONE), **span)
    assert (phone.contacts, phone.calls_offered) == (5, 5)
    email = period_figures(filters=Filters(channel=Channel.EMAIL), **span)
    assert (email.contacts, email.calls_offered, email.resolved) == (1, 0, 1)
    by_service = period_figures(filters=Filters(service_id=tax.pk), **span)
    assert (by_service.contacts, by_service.resolved, by_service.calls_offered) == (5, 1, 5)
    bins = Service.objects.get(code="missed-bin")
    waste = period_figures(filters=Filters(department_id=bins.department_id), **span)
    assert (waste.contacts, waste.calls_offered, waste.resolved) == (2, 0, 1)


def test_nothing_to_measure_is_no_data_not_zero():
    empty = KPI_BY_KEY["abandonment_rate"].measure(Figures())
    assert empty.value is None
    assert format_value(KPI_BY_KEY["abandonment_rate"], empty.value) == "No data"


@pytest.mark.parametrize(
    ("higher", "value", "rag"),
    [
        (True, "80.0", Rag.GREEN),
        (True, "76.0", Rag.AMBER),
        (True, "74.9", Rag.RED),
        (False, "8.0", Rag.GREEN),
        (False, "12.0", Rag.AMBER),
        (False, "13.5", Rag.RED),
    ],
)
def test_red_amber_green_against_the_councils_target(higher, value, rag):
    kpi = Kpi("k", "K", "", Unit.PERCENT, higher, lambda f: None)  # type: ignore[arg-type,return-value]
    target = Decimal("80") if higher else Decimal("8")
    assert kpi.rag(Decimal(value), target, Decimal("5")) == rag


def test_figures_read_as_people_write_them():
    assert format_value(KPI_BY_KEY["first_contact_resolution"], Decimal("81.46")) == "81.5%"
    assert format_value(KPI_BY_KEY["average_speed_of_answer"], Decimal(95)) == "1 min 35 s"
    assert format_value(KPI_BY_KEY["channel_shift"], Decimal("3.2")) == "+3.2 points"
    assert format_value(KPI_BY_KEY["contacts"], Decimal(12408)) == "12,408"


def test_month_by_month_figures_are_each_months_period_figures(figures):
    from dataclasses import asdict

    from frontdoor.reporting.selectors import monthly_figures

    now = timezone.now()
    months = monthly_figures(
        first_month=date(2026, 2, 1), last_month=date(2026, 3, 1), filters=Filters(), now=now
    )
    assert list(months) == [date(2026, 2, 1), date(2026, 3, 1)]
    march = period_figures(
        first=date(2026, 3, 1), last=date(2026, 3, 31), filters=Filters(), now=now
    )
    march.baseline = None  # monthly_figures leaves channel shift's baseline to its caller
    assert asdict(months[date(2026, 3, 1)]) == asdict(march)
    february = months[date(2026, 2, 1)]
    assert (february.contacts, february.resolved, february.open_cases) == (0, 0, 2)


def test_channel_shift_sets_a_whole_month_beside_the_whole_month_a_year_earlier(council):
    from frontdoor.reporting.selectors import baseline_period

    assert baseline_period(first=date(2025, 2, 1), last=date(2025, 2, 28)) == (
        date(2024, 2, 1),
        date(2024, 2, 29),
    )
    assert baseline_period(first=date(2026, 3, 1), last=date(2026, 3, 15)) == (
        date(2025, 3, 1),
        date(2025, 3, 15),
    )
