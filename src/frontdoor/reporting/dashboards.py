"""What a dashboard shows, built once from the rollups and drawn three ways: as a page in the
staff console (tiles, charts and their tables), as an XLSX workbook and as CSV. A dashboard
is KPI tiles and tables; a table may say how it is charted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from frontdoor.cases.models import Channel
from frontdoor.directory.models import ContactPoint, Department, Service
from frontdoor.reporting.kpis import KPIS, Kpi, Measure, Rag, format_value
from frontdoor.reporting.models import KpiTarget
from frontdoor.reporting.selectors import (
    Filters,
    calls_by_number,
    cases_by_outcome,
    daily_volumes,
    month_span,
    monthly_volumes,
    open_cases_by_age,
    peer_figures,
    period_figures,
    volumes_by,
    year_earlier,
)

CHANNEL_LABEL = dict(Channel.choices)
SEASONALITY_MONTHS = 36
TOP_CONTACT_POINTS = 15


@dataclass(frozen=True)
class Tile:
    kpi: Kpi
    measure: Measure
    target: Decimal | None
    rag: Rag | None

    @property
    def shown(self) -> str:
        return format_value(self.kpi, self.measure.value)

    @property
    def target_shown(self) -> str:
        return format_value(self.kpi, self.target) if self.target is not None else ""


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    # "bar" or "line": the first column labels the points, the others are the series.
    chart: str | None = None
    # Which columns are series on the chart (default: all but the first).
    series: list[int] | None = None
    stacked: bool = False
    note: str = ""
    # The last row sums the others: in the table, not on the chart.
    total_row: bool = False

    @property
    def charted_rows(self) -> list[list[Any]]:
        return self.rows[:-1] if self.total_row else self.rows

    def chart_data(self) -> dict[str, Any]:
        series = self.series or list(range(1, len(self.columns)))
        rows = self.charted_rows
        return {
            "type": self.chart,
            "stacked": self.stacked,
            "labels": [str(row[0]) for row in rows],
            "series": [
                {"name": self.columns[i], "values": [_number(row[i]) for row in rows]}
                for i in series
            ],
        }


@dataclass
class Dashboard:
    title: str
    period: str
    filters: str
    tiles: list[Tile] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def _number(value: Any) -> float | int | None:
    if isinstance(value, Decimal):
        return float(value)
    return value if isinstance(value, (int, float)) else None


def kpi_tiles(*, first: date, last: date, filters: Filters, now: datetime) -> list[Tile]:
    figures = period_figures(first=first, last=last, filters=filters, now=now)
    targets = {t.kpi: t for t in KpiTarget.objects.all()}
    tiles = []
    for kpi in KPIS:
        measure = kpi.measure(figures)
        target = targets.get(kpi.key)
        rag = kpi.rag(measure.value, target.target, target.amber_margin) if target else None
        tiles.append(Tile(kpi, measure, target.target if target else None, rag))
    return tiles


def filters_described(filters: Filters) -> str:
    said = []
    if filters.channel:
        said.append(CHANNEL_LABEL.get(filters.channel, filters.channel))
    if filters.service_id:
        said.append(str(Service.objects.filter(pk=filters.service_id).first() or "a service"))
    if filters.department_id:
        department = Department.objects.filter(pk=filters.department_id).first()
        said.append(str(department or "a department"))
    return ", ".join(said) or "All channels, services and departments"


def _change(now: int, then: int) -> Decimal | None:
    if not then:
        return None
    return (Decimal(now - then) * 100 / Decimal(then)).quantize(Decimal("0.1"))


def monthly_overview(*, month: date, filters: Filters, now: datetime) -> Dashboard:
    """The month's KPIs against target, its contacts by channel beside the same month a year
    earlier, the months before it (seasonality), the busiest contact points and each
    number's calls."""
    first, last = month_span(month)
    dashboard = Dashboard(
        title="Monthly overview",
        period=f"{first:%B %Y}",
        filters=filters_described(filters),
        tiles=kpi_tiles(first=first, last=last, filters=filters, now=now),
    )
    dashboard.tables.append(_channels_beside_a_year_earlier(month=first, filters=filters))
    dashboard.tables.append(_seasonality(last=last, filters=filters))
    dashboard.tables.append(_top_contact_points(first=first, last=last, filters=filters))
    dashboard.tables.append(_by_service(first=first, last=last, filters=filters))
    calls = _calls(first=first, last=last, filters=filters)
    if calls.rows:
        dashboard.tables.append(calls)
    return dashboard


def _channels_beside_a_year_earlier(*, month: date, filters: Filters) -> Table:
    first, last = month_span(month)
    before_first = year_earlier(first)
    this = dict(volumes_by("channel", first=first, last=last, filters=filters))
    then = dict(
        volumes_by("channel", first=before_first, last=month_span(before_first)[1], filters=filters)
    )
    channels = sorted(set(this) | set(then), key=lambda c: (-this.get(c, 0), c))
    rows = [[CHANNEL_LABEL.get(c, c), this.get(c, 0), then.get(c, 0)] for c in channels]
    rows.append(["All channels", sum(this.values()), sum(then.values())])
    return Table(
        "channels",
        "Contacts by channel",
        ["Channel", f"{first:%B %Y}", f"{before_first:%B %Y}", "Change (%)"],
        [[*row, _change(row[1], row[2])] for row in rows],
        chart="bar",
        series=[1, 2],
        total_row=True,
    )


def _seasonality(*, last: date, filters: Filters) -> Table:
    start = months_back(last, SEASONALITY_MONTHS - 1)
    volumes = monthly_volumes(first=start, last=last, filters=filters)
    months = sorted(volumes)
    totals: dict[str, int] = {}
    for counts in volumes.values():
        for channel, count in counts.items():
            totals[channel] = totals.get(channel, 0) + count
    channels = sorted(totals, key=lambda c: -totals[c])
    return Table(
        "seasonality",
        "Contacts by month",
        ["Month", *(CHANNEL_LABEL.get(c, c) for c in channels), "All channels"],
        [
            [f"{m:%b %Y}", *(volumes[m].get(c, 0) for c in channels), sum(volumes[m].values())]
            for m in months
        ],
        chart="bar",
        series=list(range(1, len(channels) + 1)),
        stacked=True,
        note="Up to three years to the month shown, so that each month can be set beside the "
        "same month in earlier years.",
    )


def months_back(day: date, count: int) -> date:
    """The first day of the month `count` months before day's."""
    index = day.year * 12 + day.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _top_contact_points(*, first: date, last: date, filters: Filters) -> Table:
    top = volumes_by(
        "contact_point_id", first=first, last=last, filters=filters, limit=TOP_CONTACT_POINTS + 1
    )
    top = [(point, count) for point, count in top if point is not None][:TOP_CONTACT_POINTS]
    points = ContactPoint.objects.in_bulk([p for p, _ in top])
    before = dict(
        volumes_by(
            "contact_point_id",
            first=year_earlier(first),
            last=month_span(year_earlier(first))[1],
            filters=filters,
        )
    )
    return Table(
        "contact_points",
        f"Top {TOP_CONTACT_POINTS} contact points",
        ["Contact point", "Kind", "Address", f"{first:%B %Y}", "A year earlier"],
        [
            [
                points[p].name,
                points[p].get_kind_display(),
                points[p].address,
                count,
                before.get(p, 0),
            ]
            for p, count in top
        ],
        chart="bar",
        series=[3],
    )


def _by_service(*, first: date, last: date, filters: Filters) -> Table:
    rows = volumes_by("service_id", first=first, last=last, filters=filters)
    services = Service.objects.in_bulk([s for s, _ in rows if s is not None])
    return Table(
        "services",
        "Contacts by service",
        ["Service", "Contacts"],
        [[services[s].name if s else "No service recorded", count] for s, count in rows],
    )


def _calls(*, first: date, last: date, filters: Filters) -> Table:
    rows = calls_by_number(first=first, last=last, filters=filters)
    points = ContactPoint.objects.in_bulk([r["contact_point_id"] for r in rows])
    table_rows = []
    for r in rows:
        counted = r["offered"] - r["short_abandoned"]
        abandoned = r["abandoned"] - r["short_abandoned"]
        point = points[r["contact_point_id"]]
        table_rows.append(
            [
                point.name,
                point.address,
                r["offered"],
                r["answered"],
                r["abandoned"],
                _share(abandoned, counted),
                (r["wait_total"] // r["waits"]) if r["waits"] else None,
            ]
        )
    return Table(
        "calls",
        "Calls by number",
        [
            "Number",
            "Address",
            "Offered",
            "Answered",
            "Abandoned",
            "Abandonment rate (%)",
            "Average speed of answer (s)",
        ],
        table_rows,
        note="From the telephony figures imported (frontdoor import-stats). The abandonment "
        "rate leaves out short abandons.",
    )


def _share(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


AGE_BANDS = [(0, 7, "Under a week"), (7, 14, "1 to 2 weeks"), (14, 28, "2 to 4 weeks")]


def service_report(
    *, service: Service, month: date, channel: str | None, now: datetime
) -> Dashboard:
    """One service's month: its KPIs, contacts by channel and by day, the contact points it
    is reached through, its cases by outcome, the year's trend, and its open cases by age."""
    first, last = month_span(month)
    filters = Filters(channel=channel, service_id=service.pk)
    dashboard = Dashboard(
        title=f"Service report: {service.name}",
        period=f"{first:%B %Y}",
        filters=filters_described(filters),
        tiles=kpi_tiles(first=first, last=last, filters=filters, now=now),
    )
    dashboard.tables.append(_channels_beside_a_year_earlier(month=first, filters=filters))
    daily = daily_volumes(first=first, last=last, filters=filters)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    dashboard.tables.append(
        Table(
            "days",
            "Contacts by day",
            ["Day", "Contacts"],
            [[f"{d:%a %d %b}", daily.get(d, 0)] for d in days],
            chart="line",
        )
    )
    trend = monthly_volumes(first=months_back(last, 12), last=last, filters=filters)
    dashboard.tables.append(
        Table(
            "trend",
            "The last 13 months",
            ["Month", "Contacts"],
            [[f"{m:%b %Y}", sum(trend[m].values())] for m in sorted(trend)],
            chart="line",
        )
    )
    points = volumes_by("contact_point_id", first=first, last=last, filters=filters)
    named = ContactPoint.objects.in_bulk([p for p, _ in points if p is not None])
    dashboard.tables.append(
        Table(
            "contact_points",
            "Contact points",
            ["Contact point", "Kind", "Contacts"],
            [
                [named[p].name, named[p].get_kind_display(), count]
                if p is not None
                else ["None recorded", "", count]
                for p, count in points
            ],
        )
    )
    outcomes = cases_by_outcome(first=first, last=last, filters=filters)
    dashboard.tables.append(
        Table(
            "outcomes",
            "Cases resolved, by outcome",
            ["Outcome", "Resolved", "At first point of contact", "Within target"],
            [[name, *counts] for name, *counts in outcomes],
        )
    )
    dashboard.tables.append(_ageing(filters=filters, now=now))
    calls = _calls(first=first, last=last, filters=filters)
    if calls.rows:
        dashboard.tables.append(calls)
    return dashboard


def _ageing(*, filters: Filters, now: datetime) -> Table:
    ages = open_cases_by_age(filters=filters, now=now, bands=AGE_BANDS)
    return Table(
        "ageing",
        "Open cases by age",
        ["Open for", "Cases", "Past their target"],
        [[label, count, overdue] for label, count, overdue in ages],
        chart="bar",
        series=[1, 2],
        note="Now, whatever month is shown: cases not yet resolved, by how long since they "
        "were opened.",
    )


QUEUE_COLUMNS = [
    "Queue",
    "Waiting",
    "Offered",
    "Held",
    "Oldest waiting (minutes)",
    "Due within the hour",
    "Past target",
]
TODAY_KPIS = (
    "contacts",
    "first_contact_resolution",
    "resolution_in_target",
    "digital_take_up",
    "backlog",
    "overdue",
)


def live_today(*, now: datetime) -> Dashboard:
    """For team leaders through the day: today's contacts so far beside the same weekday last
    week, the queues, who is available and the reception queue, now. The contacts are the
    rollup's, which the worker keeps within a few seconds of the contacts arriving."""
    from frontdoor.intake.reception.selectors import reception_desks, tickets_waiting
    from frontdoor.routing.selectors import board_advisors, board_queues

    today = timezone.localdate(now)
    week_ago = today - timedelta(days=7)
    filters = Filters()
    dashboard = Dashboard(
        title="Today",
        period=f"{today:%A %d %B %Y}, as at {timezone.localtime(now):%H:%M}",
        filters=filters_described(filters),
        tiles=[
            tile
            for tile in kpi_tiles(first=today, last=today, filters=filters, now=now)
            if tile.kpi.key in TODAY_KPIS
        ],
    )
    # Recorded in Frontdoor on both days: today's telephony figures are not imported yet.
    this = dict(volumes_by("channel", first=today, last=today, filters=filters, imported=False))
    then = dict(
        volumes_by("channel", first=week_ago, last=week_ago, filters=filters, imported=False)
    )
    channels = sorted(set(this) | set(then), key=lambda c: (-this.get(c, 0), c))
    rows = [[CHANNEL_LABEL.get(c, c), this.get(c, 0), then.get(c, 0)] for c in channels]
    rows.append(["All channels", sum(this.values()), sum(then.values())])
    dashboard.tables.append(
        Table(
            "channels",
            "Contacts recorded today by channel",
            ["Channel", "Today so far", f"{week_ago:%A %d %B} (the whole day)"],
            rows,
            chart="bar",
            total_row=True,
        )
    )
    dashboard.tables.append(
        Table(
            "queues",
            "Queues now",
            QUEUE_COLUMNS,
            [
                [
                    str(line.queue),
                    line.waiting,
                    line.offered,
                    line.held,
                    int((now - line.oldest_waiting_since).total_seconds() // 60)
                    if line.oldest_waiting_since
                    else None,
                    line.due_within_the_hour,
                    line.overdue,
                ]
                for line in board_queues(at=now)
            ],
        )
    )
    presence: dict[str, int] = {}
    for line in board_advisors(at=now):
        if line.absence:
            said = "Away"
        else:
            said = line.state.get_presence_display() if line.state else "Offline"
        presence[said] = presence.get(said, 0) + 1
    dashboard.tables.append(
        Table(
            "advisors",
            "Advisors now",
            ["Status", "Advisors"],
            [[status, count] for status, count in sorted(presence.items())],
        )
    )
    desks = []
    for desk in reception_desks():
        waiting = tickets_waiting(desk, now=now)
        longest = max((w.waited_seconds for w in waiting), default=None)
        desks.append([desk.name, len(waiting), longest // 60 if longest is not None else None])
    dashboard.tables.append(
        Table("reception", "Reception now", ["Desk", "Waiting", "Longest wait (minutes)"], desks)
    )
    return dashboard


def period_described(first: date, last: date) -> str:
    if first.day == 1 and last == month_span(first)[1]:
        return f"{first:%B %Y}"
    if (first.month, first.day, last.month, last.day) == (
        4,
        1,
        3,
        31,
    ) and last.year == first.year + 1:
        return f"{first.year}/{str(last.year)[2:]} (April to March)"
    return f"{first:%d %B %Y} to {last:%d %B %Y}"


def peer_comparison(*, first: date, last: date, now: datetime) -> Dashboard:
    """This council beside the peers whose figures were imported for the same period, KPI
    by KPI, best first (as each KPI counts best)."""
    from frontdoor.core.models import Council

    ours = Council.current().name
    peers = peer_figures(first=first, last=last)
    dashboard = Dashboard(
        title="Benchmarking",
        period=period_described(first, last),
        filters=f"{ours} beside the councils whose figures were imported for this period",
        tiles=[],
    )
    tiles = {
        tile.kpi.key: tile for tile in kpi_tiles(first=first, last=last, filters=Filters(), now=now)
    }
    for kpi in KPIS:
        if kpi.key not in peers:
            continue
        rows: list[list[Any]] = [[council, value] for council, value in peers[kpi.key]]
        mine = tiles[kpi.key].measure.value
        rows.append([f"{ours} (this council)", mine])
        known = [row for row in rows if row[1] is not None]
        known.sort(key=lambda row: row[1], reverse=kpi.higher_is_better is not False)
        position = next(
            (i for i, row in enumerate(known, start=1) if row[0].endswith("(this council)")), None
        )
        note = kpi.formula
        if position is not None and kpi.higher_is_better is not None:
            note = f"{ours} is {_ordinal(position)} of {len(known)}. {kpi.formula}"
        dashboard.tiles.append(tiles[kpi.key])
        dashboard.tables.append(
            Table(
                f"peers-{kpi.key}",
                kpi.name,
                ["Council", f"{kpi.name} ({_unit_label(kpi)})"],
                known + [row for row in rows if row[1] is None],
                chart="bar",
                note=note,
            )
        )
    return dashboard


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _unit_label(kpi: Kpi) -> str:
    return {"percent": "%", "seconds": "seconds", "points": "points"}.get(kpi.unit, "count")
