"""What a dashboard shows, built once from the rollups and drawn three ways: as a page in the
staff console (tiles, charts and their tables), as an XLSX workbook and as CSV. A dashboard
is KPI tiles and tables; a table may say how it is charted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from frontdoor.cases.models import Channel
from frontdoor.directory.models import ContactPoint, Department, Service
from frontdoor.reporting.kpis import KPIS, Kpi, Measure, Rag, format_value
from frontdoor.reporting.models import KpiTarget
from frontdoor.reporting.selectors import (
    Filters,
    calls_by_number,
    month_span,
    monthly_volumes,
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

    def chart_data(self) -> dict[str, Any]:
        series = self.series or list(range(1, len(self.columns)))
        return {
            "type": self.chart,
            "stacked": self.stacked,
            "labels": [str(row[0]) for row in self.rows],
            "series": [
                {"name": self.columns[i], "values": [_number(row[i]) for row in self.rows]}
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
    before_first, before_last = year_earlier(first), month_span(year_earlier(first))[1]
    dashboard = Dashboard(
        title="Monthly overview",
        period=f"{first:%B %Y}",
        filters=filters_described(filters),
        tiles=kpi_tiles(first=first, last=last, filters=filters, now=now),
    )
    this = dict(volumes_by("channel", first=first, last=last, filters=filters))
    then = dict(volumes_by("channel", first=before_first, last=before_last, filters=filters))
    channels = sorted(set(this) | set(then), key=lambda c: (-this.get(c, 0), c))
    rows = [[CHANNEL_LABEL.get(c, c), this.get(c, 0), then.get(c, 0)] for c in channels]
    rows.append(["All channels", sum(this.values()), sum(then.values())])
    dashboard.tables.append(
        Table(
            "channels",
            "Contacts by channel",
            ["Channel", f"{first:%B %Y}", f"{before_first:%B %Y}", "Change (%)"],
            [[*row, _change(row[1], row[2])] for row in rows],
            chart="bar",
            series=[1, 2],
        )
    )
    dashboard.tables.append(_seasonality(last=last, filters=filters))
    dashboard.tables.append(_top_contact_points(first=first, last=last, filters=filters))
    dashboard.tables.append(_by_service(first=first, last=last, filters=filters))
    calls = _calls(first=first, last=last, filters=filters)
    if calls.rows:
        dashboard.tables.append(calls)
    return dashboard


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
