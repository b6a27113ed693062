"""Reading the rollups for dashboards, exports and the public page (DESIGN rule 8: reports
read rollups, not raw rows), and who may see them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from frontdoor.cases.models import OPEN_STATUSES, SELF_SERVICE_CHANNELS, Case, Channel, Contact
from frontdoor.core.models import Council
from frontdoor.core.roles import Role, staff_role
from frontdoor.reporting.kpis import Figures
from frontdoor.reporting.models import CallDay, CaseDay, ContactDay

DASHBOARD_ROLES = frozenset({Role.TEAM_LEADER, Role.MANAGER, Role.ADMINISTRATOR})


def may_see_dashboards(user: Any) -> bool:
    """Team leaders, managers and administrators: the figures are the whole council's."""
    return staff_role(user) in DASHBOARD_ROLES


@dataclass(frozen=True)
class Filters:
    """What a dashboard is narrowed to; None is everything."""

    channel: str | None = None
    service_id: int | None = None
    department_id: int | None = None

    def contacts(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        """ContactDay and CaseDay rows, which both carry these three."""
        if self.channel:
            rows = rows.filter(channel=self.channel)
        if self.service_id:
            rows = rows.filter(service_id=self.service_id)
        if self.department_id:
            rows = rows.filter(department_id=self.department_id)
        return rows

    def calls(self, rows: QuerySet[CallDay]) -> QuerySet[CallDay]:
        """CallDay rows: a number belongs to its service, and to its own department or else
        its service's."""
        if self.channel and self.channel != Channel.PHONE:
            return rows.none()
        if self.service_id:
            rows = rows.filter(contact_point__service_id=self.service_id)
        if self.department_id:
            rows = rows.filter(
                Q(contact_point__department_id=self.department_id)
                | Q(
                    contact_point__department__isnull=True,
                    contact_point__service__department_id=self.department_id,
                )
            )
        return rows

    def cases(self, rows: QuerySet[Case]) -> QuerySet[Case]:
        return self.contacts(rows)


def _sum(rows: QuerySet[Any], *fields: str) -> dict[str, int]:
    totals = rows.aggregate(**{name: Sum(name) for name in fields})
    return {name: int(totals[name] or 0) for name in fields}


def period_figures(
    *, first: date, last: date, filters: Filters, now: datetime, baseline: bool = True
) -> Figures:
    """The sums every KPI is worked out from, for the days first to last (inclusive)."""
    days = {"day__gte": first, "day__lte": last}
    contacts = filters.contacts(ContactDay.objects.filter(**days))
    volume = _sum(contacts, "contacts", "duration_total", "durations")
    inbound = contacts.filter(direction=Contact.Direction.INBOUND)
    inbound_total = _sum(inbound, "contacts")["contacts"]
    self_service = _sum(inbound.filter(channel__in=SELF_SERVICE_CHANNELS), "contacts")
    cases = _sum(
        filters.contacts(CaseDay.objects.filter(**days)),
        "resolved",
        "first_response_met",
        "resolution_met",
    )
    first_contact = _sum(
        filters.contacts(CaseDay.objects.filter(resolved_first_contact=True, **days)), "resolved"
    )
    calls = _sum(
        filters.calls(CallDay.objects.filter(**days)),
        "offered",
        "answered",
        "abandoned",
        "short_abandoned",
        "answered_in_threshold",
        "wait_total",
        "waits",
        "handle_total",
        "handles",
    )
    open_cases = filters.cases(Case.objects.filter(status__in=OPEN_STATUSES))
    figures = Figures(
        contacts=volume["contacts"],
        inbound=inbound_total,
        inbound_self_service=self_service["contacts"],
        handled_timed=volume["durations"],
        handled_seconds=volume["duration_total"],
        resolved=cases["resolved"],
        resolved_first_contact=first_contact["resolved"],
        first_response_met=cases["first_response_met"],
        resolution_met=cases["resolution_met"],
        calls_offered=calls["offered"],
        calls_answered=calls["answered"],
        calls_abandoned=calls["abandoned"],
        calls_short_abandoned=calls["short_abandoned"],
        calls_answered_in_threshold=calls["answered_in_threshold"],
        call_wait_seconds=calls["wait_total"],
        call_waits=calls["waits"],
        call_handle_seconds=calls["handle_total"],
        call_handles=calls["handles"],
        open_cases=open_cases.count(),
        open_overdue=open_cases.filter(resolution_due__lt=now).count(),
    )
    if baseline:
        start, end = baseline_period(first=first, last=last)
        figures.baseline = period_figures(
            first=start, last=end, filters=filters, now=now, baseline=False
        )
    return figures


def baseline_period(*, first: date, last: date) -> tuple[date, date]:
    """What channel shift compares with: the council's baseline period, or else the same
    days a year earlier."""
    council = Council.current()
    if council.channel_shift_baseline_start and council.channel_shift_baseline_end:
        return council.channel_shift_baseline_start, council.channel_shift_baseline_end
    return year_earlier(first), year_earlier(last)


def year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def month_span(month: date) -> tuple[date, date]:
    """A month's first and last day."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def monthly_volumes(*, first: date, last: date, filters: Filters) -> dict[date, dict[str, int]]:
    """Contacts per month and channel, for the months first to last: the seasonality."""
    rows = (
        filters.contacts(ContactDay.objects.filter(day__gte=first, day__lte=last))
        .annotate(month=TruncMonth("day"))
        .values("month", "channel")
        .annotate(total=Sum("contacts"))
        .order_by()
    )
    months: dict[date, dict[str, int]] = defaultdict(dict)
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime):
            month = month.date()
        months[month][row["channel"]] = int(row["total"])
    return dict(months)


def volumes_by(
    dimension: str, *, first: date, last: date, filters: Filters, limit: int | None = None
) -> list[tuple[Any, int]]:
    """Contacts in the period by one dimension of the rollup (channel, service_id,
    department_id, contact_point_id), largest first."""
    rows = (
        filters.contacts(ContactDay.objects.filter(day__gte=first, day__lte=last))
        .values(dimension)
        .annotate(total=Sum("contacts"))
        .order_by("-total", dimension)
    )
    if limit is not None:
        rows = rows[:limit]
    return [(row[dimension], int(row["total"])) for row in rows]


def daily_volumes(*, first: date, last: date, filters: Filters) -> dict[date, int]:
    rows = (
        filters.contacts(ContactDay.objects.filter(day__gte=first, day__lte=last))
        .values("day")
        .annotate(total=Sum("contacts"))
        .order_by("day")
    )
    return {row["day"]: int(row["total"]) for row in rows}


def calls_by_number(*, first: date, last: date, filters: Filters) -> list[dict[str, Any]]:
    """Each number's calls in the period: offered, answered, abandoned and the rates."""
    rows = (
        filters.calls(CallDay.objects.filter(day__gte=first, day__lte=last))
        .values("contact_point_id")
        .annotate(
            offered=Sum("offered"),
            answered=Sum("answered"),
            abandoned=Sum("abandoned"),
            short_abandoned=Sum("short_abandoned"),
            answered_in_threshold=Sum("answered_in_threshold"),
            wait_total=Sum("wait_total"),
            waits=Sum("waits"),
        )
        .order_by("-offered")
    )
    return [dict(row) for row in rows]


def rollup_span() -> tuple[date, date] | None:
    """The first and last day the contacts rollup has."""
    first = ContactDay.objects.order_by("day").values_list("day", flat=True).first()
    last = ContactDay.objects.order_by("-day").values_list("day", flat=True).first()
    if first is None or last is None:
        return None
    return first, last


def filters_with(filters: Filters, **changes: Any) -> Filters:
    return replace(filters, **changes)
