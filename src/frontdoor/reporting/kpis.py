"""Every KPI Frontdoor reports, defined once: its name, the formula shown beside the figure,
its unit, which way is better, and how it is worked out from a period's figures (read from
the rollups by reporting.selectors.period_figures). Dashboards, exports and the public page
all read this registry, so a figure means the same wherever it is shown.

The formulas follow DOMAIN.md: first-contact resolution and the SLA measures over the cases
resolved in the period (DOMAIN.md counts first-contact resolution over contacts; here it is
over the cases they raised, because only a case records whether it was forwarded, called
back or waited on, and a contact that raised no case had nothing to resolve); abandonment,
service level and speed of answer as contact centres define them (false abandons, within the
council's short-abandon threshold, left out); digital take-up as the GOV.UK service manual
defines it, and channel shift as its change against a baseline period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from frontdoor.cases.models import SELF_SERVICE_CHANNELS


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    SECONDS = "seconds"
    POINTS = "points"  # percentage points: a change in a percentage


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


@dataclass
class Figures:
    """A period's sums, for one choice of filters: what every KPI is worked out from."""

    contacts: int = 0
    inbound: int = 0
    inbound_self_service: int = 0
    # Contacts Frontdoor recorded with a handling time (calls logged, visits, chats).
    handled_timed: int = 0
    handled_seconds: int = 0
    # Cases resolved in the period.
    resolved: int = 0
    resolved_first_contact: int = 0
    first_response_met: int = 0
    resolution_met: int = 0
    # Calls, from the telephony figures.
    calls_offered: int = 0
    calls_answered: int = 0
    calls_abandoned: int = 0
    calls_short_abandoned: int = 0
    calls_answered_in_threshold: int = 0
    # Answered or abandoned (short abandons apart) with their wait known.
    calls_service_level_base: int = 0
    call_wait_seconds: int = 0
    call_waits: int = 0
    call_handle_seconds: int = 0
    call_handles: int = 0
    # Open cases now (not bound by the period).
    open_cases: int = 0
    open_overdue: int = 0
    # Digital take-up in the baseline period, for channel shift.
    baseline: Figures | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Measure:
    """A KPI's value with what it was worked out from ("412 of 515"); value None when there
    was nothing to measure (no calls in the period, say)."""

    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None


@dataclass(frozen=True)
class Kpi:
    key: str
    name: str
    formula: str
    unit: Unit
    # True: more is better; False: less is better; None: neither (a volume).
    higher_is_better: bool | None
    measure: Callable[[Figures], Measure]
    # What it needs that a council may not have yet, said where the figure would be.
    needs: str = ""

    def rag(self, value: Decimal | None, target: Decimal, amber_margin: Decimal) -> Rag | None:
        """Green on or past the target, amber within the margin short of it, red beyond."""
        if value is None or self.higher_is_better is None:
            return None
        short = (target - value) if self.higher_is_better else (value - target)
        if short <= 0:
            return Rag.GREEN
        return Rag.AMBER if short <= amber_margin else Rag.RED


def _share(numerator: int, denominator: int) -> Measure:
    if denominator <= 0:
        return Measure(None, numerator, denominator)
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"))
    return Measure(value, numerator, denominator)


def _mean(total: int, count: int) -> Measure:
    if count <= 0:
        return Measure(None, total, count)
    return Measure((Decimal(total) / Decimal(count)).quantize(Decimal("1")), total, count)


def _channel_shift(f: Figures) -> Measure:
    if f.baseline is None:
        return Measure(None)
    now = _share(f.inbound_self_service, f.inbound).value
    then = _share(f.baseline.inbound_self_service, f.baseline.inbound).value
    if now is None or then is None:
        return Measure(None)
    return Measure(now - then)


def _calls_counted(f: Figures) -> int:
    return f.calls_offered - f.calls_short_abandoned


KPIS: list[Kpi] = [
    Kpi(
        "contacts",
        "Contacts",
        "Every contact on every channel, in and out: those recorded in Frontdoor, and those "
        "known only from imported figures (calls offered, inbox and e-form volumes) beyond them",
        Unit.COUNT,
        None,
        lambda f: Measure(Decimal(f.contacts)),
    ),
    Kpi(
        "first_contact_resolution",
        "Resolved at first point of contact",
        "Cases resolved at first point of contact (no forwarding, no call-back) ÷ cases resolved",
        Unit.PERCENT,
        True,
        lambda f: _share(f.resolved_first_contact, f.resolved),
    ),
    Kpi(
        "first_response_in_target",
        "First response within target",
        "Cases resolved whose first response met its target ÷ cases resolved",
        Unit.PERCENT,
        True,
        lambda f: _share(f.first_response_met, f.resolved),
    ),
    Kpi(
        "resolution_in_target",
        "Resolved within target",
        "Cases resolved by their resolution target date ÷ cases resolved",
        Unit.PERCENT,
        True,
        lambda f: _share(f.resolution_met, f.resolved),
    ),
    Kpi(
        "calls_answered",
        "Calls answered",
        "Calls answered ÷ (calls offered − short abandons)",
        Unit.PERCENT,
        True,
        lambda f: _share(f.calls_answered, _calls_counted(f)),
        needs="telephony figures (frontdoor import-stats calls or call-summaries)",
    ),
    Kpi(
        "abandonment_rate",
        "Calls abandoned",
        "(Calls abandoned − short abandons) ÷ (calls offered − short abandons)",
        Unit.PERCENT,
        False,
        lambda f: _share(f.calls_abandoned - f.calls_short_abandoned, _calls_counted(f)),
        needs="telephony figures (frontdoor import-stats calls or call-summaries)",
    ),
    Kpi(
        "service_level",
        "Service level",
        "Calls answered within the council's threshold ÷ (calls answered + calls abandoned − "
        "short abandons), over the calls whose waiting time is known",
        Unit.PERCENT,
        True,
        lambda f: _share(f.calls_answered_in_threshold, f.calls_service_level_base),
        needs="telephony figures with waiting times",
    ),
    Kpi(
        "average_speed_of_answer",
        "Average speed of answer",
        "Total waiting time of answered calls ÷ answered calls (where the wait is known)",
        Unit.SECONDS,
        False,
        lambda f: _mean(f.call_wait_seconds, f.call_waits),
        needs="telephony figures with waiting times",
    ),
    Kpi(
        "call_handling_time",
        "Average call handling time",
        "(Talk + hold + after-call work) ÷ calls handled (where the times are known)",
        Unit.SECONDS,
        False,
        lambda f: _mean(f.call_handle_seconds, f.call_handles),
        needs="telephony figures with talk times",
    ),
    Kpi(
        "handling_time",
        "Average handling time",
        "Time spent on the contacts Frontdoor recorded with a duration (calls logged, visits, "
        "chats) ÷ those contacts",
        Unit.SECONDS,
        False,
        lambda f: _mean(f.handled_seconds, f.handled_timed),
    ),
    Kpi(
        "digital_take_up",
        "Digital take-up",
        "Inbound contacts through self-service channels ("
        + ", ".join(sorted(c.label.lower() for c in SELF_SERVICE_CHANNELS))
        + ") ÷ all inbound contacts",
        Unit.PERCENT,
        True,
        lambda f: _share(f.inbound_self_service, f.inbound),
    ),
    Kpi(
        "channel_shift",
        "Channel shift",
        "Digital take-up in the period − digital take-up in the baseline period (the council's, "
        "or the same period a year earlier)",
        Unit.POINTS,
        True,
        _channel_shift,
    ),
    Kpi(
        "backlog",
        "Open cases",
        "Cases not yet resolved, now",
        Unit.COUNT,
        False,
        lambda f: Measure(Decimal(f.open_cases)),
    ),
    Kpi(
        "overdue",
        "Open cases past target",
        "Open cases past their resolution target date ÷ open cases, now",
        Unit.PERCENT,
        False,
        lambda f: _share(f.open_overdue, f.open_cases),
    ),
]

KPI_BY_KEY: dict[str, Kpi] = {kpi.key: kpi for kpi in KPIS}


def kpi_choices() -> list[tuple[str, str]]:
    return [(kpi.key, kpi.name) for kpi in KPIS]


def format_value(kpi: Kpi, value: Decimal | None) -> str:
    """The figure as a reader sees it: 81.5%, 42 s, +3.2 points, 12,408."""
    if value is None:
        return "No data"
    if kpi.unit == Unit.PERCENT:
        return f"{value:.1f}%"
    if kpi.unit == Unit.POINTS:
        return f"{value:+.1f} points"
    if kpi.unit == Unit.SECONDS:
        seconds = int(value)
        return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"
    return f"{int(value):,}"
