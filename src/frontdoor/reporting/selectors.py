"""Reading the rollups for dashboards, exports and the public page (DESIGN rule 8: reports
read rollups, not raw rows), and who may see them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from frontdoor.cases.models import OPEN_STATUSES, SELF_SERVICE_CHANNELS, Case, Channel, Contact
from frontdoor.core.models import Council
from frontdoor.core.roles import Role, staff_role
from frontdoor.directory.models import ContactPoint, Service
from frontdoor.reporting.kpis import Figures
from frontdoor.reporting.models import CallDay, CaseDay, ContactDay

DASHBOARD_ROLES = frozenset({Role.TEAM_LEADER, Role.MANAGER, Role.ADMINISTRATOR})


def may_see_dashboards(user: Any) -> bool:
    """Team leaders, managers and administrators: the figures are the whole council's."""
    return staff_role(user) in DASHBOARD_ROLES


CONTACT_POINT_KEEPERS = frozenset({Role.MANAGER, Role.ADMINISTRATOR})


def may_retire_contact_points(user: Any) -> bool:
    """Managers and administrators mark contact points for review, retire or bring them back."""
    return staff_role(user) in CONTACT_POINT_KEEPERS


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


CALL_SUMS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "answered_in_threshold",
    "service_level_calls",
    "wait_total",
    "waits",
    "handle_total",
    "handles",
)


def _sums(rows: QuerySet[Any], by_month: bool, **sums: Any) -> dict[date | None, dict[str, int]]:
    """The sums over the rows, for the whole span (key None) or for each month in it. Each
    is computed under an alias of its own: a sum named as a column (contacts) would stand
    for that column in the sums after it. Months are summed from the days here rather than
    truncated in SQL, which SQLite does by calling back into Python for every row."""
    aliased = {f"sum_{name}": total for name, total in sums.items()}
    if not by_month:
        totals = rows.aggregate(**aliased)
        return {None: {name: int(totals[f"sum_{name}"] or 0) for name in sums}}
    result: dict[date | None, dict[str, int]] = {}
    for row in rows.values("day").annotate(**aliased).order_by():
        month = row["day"].replace(day=1)
        sums_of_month = result.setdefault(month, dict.fromkeys(sums, 0))
        for name in sums:
            sums_of_month[name] += int(row[f"sum_{name}"] or 0)
    return result


def _figures_by(
    *,
    first: date,
    last: date,
    filters: Filters,
    now: datetime,
    by_month: bool,
    open_cases: bool = True,
) -> dict[date | None, Figures]:
    """Three grouped queries over the rollups and (unless not wanted) one over the open
    cases."""
    days = {"day__gte": first, "day__lte": last}
    inbound = Q(direction=Contact.Direction.INBOUND)
    contacts = _sums(
        filters.contacts(ContactDay.objects.filter(**days)),
        by_month,
        contacts=Sum("contacts"),
        duration_total=Sum("duration_total"),
        durations=Sum("durations"),
        inbound=Sum("contacts", filter=inbound),
        self_service=Sum("contacts", filter=inbound & Q(channel__in=SELF_SERVICE_CHANNELS)),
    )
    cases = _sums(
        filters.contacts(CaseDay.objects.filter(**days)),
        by_month,
        resolved=Sum("resolved"),
        first_contact=Sum("resolved", filter=Q(resolved_first_contact=True)),
        first_response_met=Sum("first_response_met"),
        resolution_met=Sum("resolution_met"),
    )
    calls = _sums(
        filters.calls(CallDay.objects.filter(**days)),
        by_month,
        **{name: Sum(name) for name in CALL_SUMS},
    )
    open_now = (
        filters.cases(Case.objects.filter(status__in=OPEN_STATUSES)).aggregate(
            open=Count("pk"), overdue=Count("pk", filter=Q(resolution_due__lt=now))
        )
        if open_cases
        else {"open": 0, "overdue": 0}
    )
    keys: set[date | None] = set(contacts) | set(cases) | set(calls) if by_month else {None}
    if by_month:
        month = first.replace(day=1)
        while month <= last:  # months with nothing in them count too (as empty)
            keys.add(month)
            month = month_span(month)[1] + timedelta(days=1)
    empty: dict[str, int] = {}
    figures = {}
    for key in keys:
        c, k, t = contacts.get(key, empty), cases.get(key, empty), calls.get(key, empty)
        figures[key] = Figures(
            contacts=c.get("contacts", 0),
            inbound=c.get("inbound", 0),
            inbound_self_service=c.get("self_service", 0),
            handled_timed=c.get("durations", 0),
            handled_seconds=c.get("duration_total", 0),
            resolved=k.get("resolved", 0),
            resolved_first_contact=k.get("first_contact", 0),
            first_response_met=k.get("first_response_met", 0),
            resolution_met=k.get("resolution_met", 0),
            calls_offered=t.get("offered", 0),
            calls_answered=t.get("answered", 0),
            calls_abandoned=t.get("abandoned", 0),
            calls_short_abandoned=t.get("short_abandoned", 0),
            calls_answered_in_threshold=t.get("answered_in_threshold", 0),
            calls_service_level_base=t.get("service_level_calls", 0),
            call_wait_seconds=t.get("wait_total", 0),
            call_waits=t.get("waits", 0),
            call_handle_seconds=t.get("handle_total", 0),
            call_handles=t.get("handles", 0),
            open_cases=open_now["open"],
            open_overdue=open_now["overdue"],
        )
    return figures


def period_figures(
    *, first: date, last: date, filters: Filters, now: datetime, baseline: bool = True
) -> Figures:
    """The sums every KPI is worked out from, for the days first to last (inclusive), and
    for channel shift those of the baseline period."""
    # A baseline is only ever read for channel shift: not the open cases again.
    figures = _figures_by(
        first=first, last=last, filters=filters, now=now, by_month=False, open_cases=baseline
    )[None]
    if baseline:
        start, end = baseline_period(first=first, last=last)
        figures.baseline = period_figures(
            first=start, last=end, filters=filters, now=now, baseline=False
        )
    return figures


def monthly_figures(
    *, first_month: date, last_month: date, filters: Filters, now: datetime
) -> dict[date, Figures]:
    """period_figures for each month from first_month to last_month, in four queries (a
    month with nothing in it has empty figures). No baselines: see baseline_period."""
    found = _figures_by(
        first=first_month.replace(day=1),
        last=month_span(last_month)[1],
        filters=filters,
        now=now,
        by_month=True,
    )
    return {month: figures for month, figures in sorted(found.items()) if month is not None}


def baseline_period(*, first: date, last: date) -> tuple[date, date]:
    """What channel shift compares with: the council's baseline period, or else the same
    days a year earlier."""
    council = Council.current()
    if council.channel_shift_baseline_start and council.channel_shift_baseline_end:
        return council.channel_shift_baseline_start, council.channel_shift_baseline_end
    end = year_earlier(last)
    if last == month_span(last)[1]:
        end = month_span(end)[1]  # a month to its end: February's 29th and all
    return year_earlier(first), end


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
        .values("day", "channel")
        .annotate(total=Sum("contacts"))
        .order_by()
    )
    # Summed into months here: SQLite truncates a date by calling back into Python per row.
    months: dict[date, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts = months[row["day"].replace(day=1)]
        counts[row["channel"]] = counts.get(row["channel"], 0) + int(row["total"])
    return dict(months)


def volumes_by(
    dimension: str,
    *,
    first: date,
    last: date,
    filters: Filters,
    limit: int | None = None,
    imported: bool = True,
) -> list[tuple[Any, int]]:
    """Contacts in the period by one dimension of the rollup (channel, service_id,
    department_id, contact_point_id), largest first; imported=False: only those recorded
    in Frontdoor (what a day still going has, before its figures are imported)."""
    days = ContactDay.objects.filter(day__gte=first, day__lte=last)
    if not imported:
        days = days.filter(imported=False)
    rows = (
        filters.contacts(days)
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


def cases_by_outcome(
    *, first: date, last: date, filters: Filters
) -> list[tuple[str, int, int, int]]:
    """Cases resolved in the period by outcome: resolved, at first point of contact, and
    within their resolution target."""
    rows = (
        filters.contacts(CaseDay.objects.filter(day__gte=first, day__lte=last))
        .values("outcome__name")
        .annotate(
            total=Sum("resolved"),
            first_contact=Sum("resolved", filter=Q(resolved_first_contact=True)),
            in_target=Sum("resolution_met"),
        )
        .order_by("-total", "outcome__name")
    )
    return [
        (
            row["outcome__name"] or "No outcome recorded",
            int(row["total"] or 0),
            int(row["first_contact"] or 0),
            int(row["in_target"] or 0),
        )
        for row in rows
    ]


def open_cases_by_age(
    *, filters: Filters, now: datetime, bands: list[tuple[int, int, str]]
) -> list[tuple[str, int, int]]:
    """Open cases now, by days since opening (each band from-to days, then the rest), with
    how many of each are past their resolution target. One grouped query."""
    open_cases = filters.cases(Case.objects.filter(status__in=OPEN_STATUSES))
    counts: dict[str, Any] = {}
    edges = [
        (label, now - timedelta(days=low), now - timedelta(days=high)) for low, high, label in bands
    ]
    for label, newest, oldest in edges:
        in_band = Q(opened_at__lte=newest, opened_at__gt=oldest)
        counts[label] = Count("pk", filter=in_band)
        counts[f"{label} overdue"] = Count("pk", filter=in_band & Q(resolution_due__lt=now))
    older = Q(opened_at__lte=now - timedelta(days=bands[-1][1]))
    rest = f"{bands[-1][1] // 7} weeks or more"
    counts[rest] = Count("pk", filter=older)
    counts[f"{rest} overdue"] = Count("pk", filter=older & Q(resolution_due__lt=now))
    totals = open_cases.aggregate(**{_alias(k): v for k, v in counts.items()})
    labels = [label for _, _, label in bands] + [rest]
    return [
        (label, int(totals[_alias(label)]), int(totals[_alias(f"{label} overdue")]))
        for label in labels
    ]


def _alias(label: str) -> str:
    return "n_" + "".join(c if c.isalnum() else "_" for c in label.lower())


# --- Contact-point hygiene ----------------------------------------------------------------

# A contact point nobody has used for this long is a candidate to retire.
UNUSED_AFTER = timedelta(days=365)


def _unused(since: datetime) -> Q:
    """Not retired, no contact recorded since then (last_used_at), and none counted in the
    rollup from that day on, which holds what telephony, inbox and e-form figures add too.

    The points counted are one uncorrelated subquery, worked out once, not once per point."""
    counted = ContactDay.objects.filter(
        day__gte=timezone.localdate(since), contacts__gt=0, contact_point__isnull=False
    ).values("contact_point_id")
    return (
        (Q(last_used_at__isnull=True) | Q(last_used_at__lt=since))
        & ~Q(pk__in=counted)
        & ~Q(status=ContactPoint.Status.RETIRED)
    )


def contact_points_unused(*, since: datetime) -> QuerySet[ContactPoint]:
    """Contact points, not retired, that nobody has used since then."""
    return ContactPoint.objects.filter(_unused(since))


@dataclass(frozen=True)
class ContactPointRow:
    point: ContactPoint
    # Contacts from the day `since` falls on to today.
    volume: int
    unused: bool
    # Contacts counted from the day after it was retired; None unless it is retired and
    # when is known.
    since_retired: int | None


def contact_point_inventory(
    *,
    since: datetime,
    kind: str | None = None,
    status: str | None = None,
    unused_only: bool = False,
) -> list[ContactPointRow]:
    """Every contact point with its volume since then and whether it is unused: unused first,
    then by kind and name. At most three queries however many points there are: the points,
    their volumes from the rollup, and what came in after those retired were retired."""
    points = ContactPoint.objects.annotate(
        unused=ExpressionWrapper(_unused(since), output_field=BooleanField())
    ).select_related("service", "department", "status_changed_by")
    if kind:
        points = points.filter(kind=kind)
    if status:
        points = points.filter(status=status)
    if unused_only:
        points = points.filter(unused=True)
    chosen = list(points.order_by("-unused", "kind", "name", "pk"))
    volumes = _volumes_by_point(
        ContactDay.objects.filter(day__gte=timezone.localdate(since), contact_point__isnull=False)
    )
    retired = ContactPoint.Status.RETIRED
    after_retiring: dict[int, int] = {}
    if any(p.status == retired and p.status_changed_at for p in chosen):
        after_retiring = _volumes_by_point(
            ContactDay.objects.filter(
                contact_point__status=retired,
                contact_point__status_changed_at__isnull=False,
                day__gt=TruncDate("contact_point__status_changed_at"),
            )
        )
    return [
        ContactPointRow(
            point=point,
            volume=volumes.get(point.pk, 0),
            unused=bool(point.unused),
            since_retired=(
                after_retiring.get(point.pk, 0)
                if point.status == retired and point.status_changed_at
                else None
            ),
        )
        for point in chosen
    ]


def _volumes_by_point(rows: QuerySet[ContactDay]) -> dict[int, int]:
    """One grouped query: the contacts of these rollup rows per contact point."""
    grouped = rows.values("contact_point_id").annotate(total=Sum("contacts")).order_by()
    return {row["contact_point_id"]: int(row["total"] or 0) for row in grouped}


def peer_periods() -> list[tuple[date, date]]:
    """The periods peer councils' figures were imported for, newest first."""
    from frontdoor.reporting.models import PeerFigure

    return list(
        PeerFigure.objects.values_list("first_day", "last_day")
        .distinct()
        .order_by("-last_day", "first_day")
    )


def peer_figures(*, first: date, last: date) -> dict[str, list[tuple[str, Any]]]:
    """Each KPI's peer figures for exactly that period: (council, value)."""
    from frontdoor.reporting.models import PeerFigure

    figures: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for kpi, council, value in PeerFigure.objects.filter(
        first_day=first, last_day=last
    ).values_list("kpi", "council", "value"):
        figures[kpi].append((council, value))
    return dict(figures)


def services_reportable_by(user: Any) -> QuerySet[Service]:
    """The services whose own report the user may open: every unrestricted one, and the
    restricted ones whose cases they may see (cases.selectors.may_see_restricted)."""
    from frontdoor.cases.selectors import may_see_restricted

    services = Service.objects.order_by("name")
    hidden = [
        s.pk
        for s in services.filter(restricted=True)
        if not may_see_restricted(user, department_id=s.department_id)
    ]
    return services.exclude(pk__in=hidden)
