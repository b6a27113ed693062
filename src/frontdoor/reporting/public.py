"""The public performance page and its CSV: the KPIs the council has chosen to publish
(KpiTarget.published), month by month, against its targets, and contacts by channel.

Built only from the rollups (through reporting.selectors) and the KPI registry, so the
figures mean what they mean on the staff dashboards. Nothing here names a person, a case, a
service or a department: only whole-council totals by month and channel, with small numbers
held back (see the two thresholds below).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import ClassVar

from django.utils import timezone

from frontdoor.cases.models import Channel
from frontdoor.core.models import Council
from frontdoor.reporting.kpis import KPIS, Figures, Kpi, Rag, Unit, format_value
from frontdoor.reporting.models import KpiTarget, RollupState
from frontdoor.reporting.selectors import (
    Filters,
    baseline_period,
    month_span,
    monthly_figures,
    monthly_volumes,
    period_figures,
)

# A count under this is shown as "fewer than 10": a handful of contacts in a month can point
# to the few people who made them, so the exact number is never published.
SMALL_COUNT = 10
# A percentage (or an average) worked out over fewer than this many cases, calls or contacts
# is not reported: over a handful, one case more or less swings it widely, so it is noise,
# and it would come close to saying what happened to particular people.
SMALL_BASE = 30

FEWER_THAN = f"fewer than {SMALL_COUNT}"
NOT_ENOUGH = "Not enough to report"
NO_DATA = "No data"

# Open cases are counted at the moment the page is made, not per month (kpis.Figures: "Open
# cases now"): shown once, as of now, rather than repeated against every month.
POINT_IN_TIME = frozenset({"backlog", "overdue"})

CHANNEL_LABEL = dict(Channel.choices)
UNIT_LABEL = {
    Unit.COUNT: "count",
    Unit.PERCENT: "percent",
    Unit.SECONDS: "seconds",
    Unit.POINTS: "percentage points",
}


@dataclass(frozen=True)
class PublicFigure:
    """One published KPI for one period, as the public may see it: value is None when there
    is nothing to report or too little to report it (shown then says which)."""

    kpi: Kpi
    shown: str
    value: Decimal | None
    target: Decimal
    met: bool | None
    # Counted when the page was made (open cases), not over a month.
    counted_now: bool = False

    @property
    def target_shown(self) -> str:
        return format_value(self.kpi, self.target)

    @property
    def met_shown(self) -> str:
        if self.met is None:
            return ""
        return "Met" if self.met else "Not met"

    @property
    def open_value(self) -> str:
        """The value for open data: a plain number, or the words the page shows instead."""
        return _plain(self.kpi, self.value) if self.value is not None else self.shown


@dataclass(frozen=True)
class ChannelCount:
    channel: str
    value: int | None  # None when held back

    @property
    def shown(self) -> str:
        return f"{self.value:,}" if self.value is not None else FEWER_THAN

    @property
    def open_value(self) -> str:
        return str(self.value) if self.value is not None else FEWER_THAN


@dataclass(frozen=True)
class PublicMonth:
    month: date
    figures: list[PublicFigure]
    channels: list[ChannelCount]


@dataclass
class PublicPerformance:
    small_count: ClassVar[int] = SMALL_COUNT
    small_base: ClassVar[int] = SMALL_BASE
    fewer_than: ClassVar[str] = FEWER_THAN
    not_enough: ClassVar[str] = NOT_ENOUGH

    council_name: str
    # The published KPIs measured over a month, in registry order, and those counted now.
    kpis: list[Kpi]
    now_kpis: list[Kpi]
    # The channels of the months shown, busiest first: the columns of every month's counts.
    channels: list[str]
    # The complete months, newest first.
    months: list[PublicMonth] = field(default_factory=list)
    now_figures: list[PublicFigure] = field(default_factory=list)
    as_of: datetime | None = None
    # When the rollups were last brought up to date; None if never.
    updated_at: datetime | None = None

    @property
    def latest(self) -> PublicMonth | None:
        return self.months[0] if self.months else None

    @property
    def updated_shown(self) -> str:
        """As GOV.UK writes a time: 4:09pm on 3 December 2026."""
        if self.updated_at is None:
            return ""
        local = timezone.localtime(self.updated_at)
        hour = local.hour % 12 or 12
        return f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'} on {local.day} {local:%B %Y}"

    @property
    def key_figures(self) -> list[PublicFigure]:
        """The latest month's figures, then those counted now."""
        return [*(self.latest.figures if self.latest else []), *self.now_figures]

    @property
    def published(self) -> list[Kpi]:
        return [kpi for kpi in KPIS if kpi in self.kpis or kpi in self.now_kpis]


def public_performance(*, months: int = 12, today: date) -> PublicPerformance:
    """The last `months` complete months before today, newest first. Per month: the rollup
    sums behind every KPI (reporting.selectors.period_figures, a few aggregate queries) and,
    for all months at once, contacts by channel."""
    now = timezone.now()
    targets = {t.kpi: t.target for t in KpiTarget.objects.filter(published=True)}
    published = [kpi for kpi in KPIS if kpi.key in targets]
    kpis = [kpi for kpi in published if kpi.key not in POINT_IN_TIME]
    now_kpis = [kpi for kpi in published if kpi.key in POINT_IN_TIME]
    wanted = _complete_months(today=today, count=months)
    volumes = (
        monthly_volumes(first=wanted[-1], last=month_span(wanted[0])[1], filters=Filters())
        if wanted
        else {}
    )
    totals: dict[str, int] = {}
    for counts in volumes.values():
        for channel, count in counts.items():
            totals[channel] = totals.get(channel, 0) + count
    channels = sorted(totals, key=lambda c: (-totals[c], c))
    performance = PublicPerformance(
        council_name=Council.current().name,
        kpis=kpis,
        now_kpis=now_kpis,
        channels=[CHANNEL_LABEL.get(c, c) for c in channels],
        as_of=now,
        updated_at=RollupState.objects.values_list("updated_at", flat=True).first(),
    )
    by_month = (
        monthly_figures(first_month=wanted[-1], last_month=wanted[0], filters=Filters(), now=now)
        if wanted and published
        else {}
    )
    shift = any(kpi.key == "channel_shift" for kpi in kpis)
    baselines = _baselines(wanted, now=now) if shift and wanted else {}
    for month in wanted:
        latest = month == wanted[0]
        figures = by_month.get(month) or Figures()
        if shift:
            figures.baseline = baselines[month]
        if latest:
            performance.now_figures = [
                replace(_figure(kpi, figures, targets[kpi.key]), counted_now=True)
                for kpi in now_kpis
            ]
        counts = volumes.get(month, {})
        performance.months.append(
            PublicMonth(
                month=month,
                figures=[_figure(kpi, figures, targets[kpi.key]) for kpi in kpis],
                channels=_channel_counts(channels, counts),
            )
        )
    return performance


def _complete_months(*, today: date, count: int) -> list[date]:
    months: list[date] = []
    month = today.replace(day=1)
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return months


def _baselines(months: list[date], *, now: datetime) -> dict[date, Figures]:
    """Channel shift's baseline for each month: the council's own period (counted once), or
    the same month a year earlier (all twelve counted together)."""
    spans = {month: baseline_period(first=month, last=month_span(month)[1]) for month in months}
    council = Council.current()
    if council.channel_shift_baseline_start and council.channel_shift_baseline_end:
        first, last = council.channel_shift_baseline_start, council.channel_shift_baseline_end
        shared = period_figures(first=first, last=last, filters=Filters(), now=now, baseline=False)
        return dict.fromkeys(months, shared)
    earlier = monthly_figures(
        first_month=min(s[0] for s in spans.values()),
        last_month=max(s[0] for s in spans.values()),
        filters=Filters(),
        now=now,
    )
    return {month: earlier.get(span[0]) or Figures() for month, span in spans.items()}


def _bases(kpi: Kpi, figures: Figures, denominator: int | None) -> list[int]:
    """What a rate or an average rests on. Channel shift compares two digital take-ups, so
    both need enough inbound contacts."""
    if kpi.key == "channel_shift":
        return [figures.inbound, figures.baseline.inbound if figures.baseline else 0]
    return [denominator or 0]


def _figure(kpi: Kpi, figures: Figures, target: Decimal) -> PublicFigure:
    measure = kpi.measure(figures)
    value = measure.value
    if kpi.unit == Unit.COUNT:
        if value is not None and value < SMALL_COUNT:
            return PublicFigure(kpi, FEWER_THAN, None, target, None)
    elif min(_bases(kpi, figures, measure.denominator)) < SMALL_BASE:
        return PublicFigure(kpi, NOT_ENOUGH, None, target, None)
    if value is None:
        return PublicFigure(kpi, NO_DATA, None, target, None)
    # Met is on or past the target: the staff dashboards' amber ("near") is not met.
    rag = kpi.rag(value, target, Decimal(0))
    return PublicFigure(
        kpi, format_value(kpi, value), value, target, None if rag is None else rag == Rag.GREEN
    )


def _channel_counts(channels: list[str], counts: dict[str, int]) -> list[ChannelCount]:
    """A month's contacts by channel, small counts held back. Where only one is held back,
    the smallest shown is held back too: with the month's total published, a single one
    could be worked out by taking the others from it."""
    held = {c for c in channels if counts.get(c, 0) < SMALL_COUNT}
    shown = [c for c in channels if c not in held]
    if len(held) == 1 and shown:
        held.add(min(shown, key=lambda c: (counts.get(c, 0), c)))
    return [
        ChannelCount(CHANNEL_LABEL.get(c, c), None if c in held else counts.get(c, 0))
        for c in channels
    ]


def _plain(kpi: Kpi, value: Decimal) -> str:
    if kpi.unit in (Unit.COUNT, Unit.SECONDS):
        return str(int(value))
    return f"{value:.1f}"


def public_performance_csv(performance: PublicPerformance) -> str:
    """Every figure on the page, one a row, held back as the page holds it back: for the
    council's open data page."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Period", "Figure", "Unit", "Value", "Target", "Target met", "How it is worked out"]
    )
    for month in performance.months:
        period = f"{month.month:%Y-%m}"
        for figure in month.figures:
            writer.writerow(_figure_row(period, figure))
        for count in month.channels:
            writer.writerow(
                [period, f"Contacts: {count.channel}", "count", count.open_value, "", "", ""]
            )
    if performance.as_of is not None:
        now = f"{timezone.localtime(performance.as_of):%Y-%m-%d %H:%M}"
        for figure in performance.now_figures:
            writer.writerow(_figure_row(now, figure))
    return out.getvalue()


def _figure_row(period: str, figure: PublicFigure) -> list[str]:
    return [
        period,
        figure.kpi.name,
        UNIT_LABEL[figure.kpi.unit],
        figure.open_value,
        _plain(figure.kpi, figure.target),
        figure.met_shown,
        figure.kpi.formula,
    ]
