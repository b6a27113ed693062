"""Keeping the rollups current: contacts counted by day, and cases by the day they were
resolved, by what reports filter on.

Whatever records contacts marks their days pending (contact_days_mark), in its own
transaction. The background worker then brings the rollups up to date every few seconds
(rollups_update): it takes the pending days it can see and counts each of them again from
its contacts. Counting a whole day again rather than adding to it is what keeps the rollups
exact whoever wrote what (a contact moved to another case, a day imported late), and a
day's contacts are one range of an index. rollups_rebuild counts every day again, as after
loading contacts in bulk.

Why this is exact with writers racing the worker: a pending row commits with its contacts,
so a day the worker can see as pending has its contacts visible too; and a pending row
written after the worker looked stays for its next run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from frontdoor.cases.models import Case, Channel, Contact
from frontdoor.core.models import Council
from frontdoor.directory.models import ContactPoint
from frontdoor.reporting.models import (
    CallDay,
    CallRecord,
    CallSummary,
    CaseDay,
    ContactDay,
    RollupPending,
    RollupState,
    VolumeFigure,
)


def contact_days_mark(*, moments: Iterable[datetime]) -> None:
    """Mark the days of these contacts' moments pending, in the caller's transaction (one
    small insert, written as SQL: it is on the path of every contact recorded)."""
    _days_mark(RollupPending.Rollup.CONTACTS, moments)


def case_days_mark(*, moments: Iterable[datetime | None]) -> None:
    """Mark pending the days cases were resolved on (a case resolved, or reopened: its old
    day), in the caller's transaction."""
    _days_mark(RollupPending.Rollup.CASES, [m for m in moments if m is not None])


def imported_days_mark(*, days: Iterable[date], calls: bool) -> None:
    """Mark pending the days imported figures changed, in the caller's transaction: the
    contacts rollup counts them into the baseline, and the calls rollup (for telephony)
    into the call KPIs."""
    days = sorted(set(days))
    _days_write(RollupPending.Rollup.CONTACTS, days)
    if calls:
        _days_write(RollupPending.Rollup.CALLS, days)


def _days_mark(rollup: str, moments: Iterable[datetime]) -> None:
    _days_write(rollup, sorted({timezone.localdate(moment) for moment in moments}))


def _days_write(rollup: str, days: list[date]) -> None:
    if not days:
        return
    table = connection.ops.quote_name(RollupPending._meta.db_table)
    values = ", ".join(["(%s, %s)"] * len(days))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (rollup, day) VALUES {values}",  # noqa: S608 - our own table
            [value for day in days for value in (rollup, day.isoformat())],
        )


@transaction.atomic
def rollups_update() -> list[tuple[str, date]]:
    """Count again each day pending; gives back the (rollup, day) counted."""
    _state_lock()
    pending = list(RollupPending.objects.values_list("pk", "rollup", "day"))
    if not pending:
        return []
    # Calls first: a day's contacts take the calls offered from the calls rollup.
    counted = sorted({(rollup, day) for _, rollup, day in pending}, key=_counting_order)
    for rollup, day in counted:
        _COUNTERS[rollup](day)
    _pending_delete([pk for pk, _, _ in pending])
    RollupState.objects.update(updated_at=timezone.now())
    return counted


@transaction.atomic
def rollups_rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Count every day again, from the first contact or resolution to the last; gives back
    how many days were counted. Days pending before it began are counted by it."""
    _state_lock()
    pending = list(RollupPending.objects.values_list("pk", flat=True))
    contacts = Contact.objects.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    cases = Case.objects.aggregate(first=Min("resolved_at"), last=Max("resolved_at"))
    calls = CallRecord.objects.aggregate(first=Min("started_at"), last=Max("started_at"))
    ContactDay.objects.all().delete()
    CaseDay.objects.all().delete()
    CallDay.objects.all().delete()
    moments = [
        timezone.localdate(m)
        for m in (*contacts.values(), *cases.values(), *calls.values())
        if m is not None
    ]
    for model in (CallSummary, VolumeFigure):
        moments += [d for d in model.objects.aggregate(Min("day"), Max("day")).values() if d]
    days = 0
    if moments:
        first, last = min(moments), max(moments)
        total = (last - first).days + 1
        for offset in range(total):
            day = first + timedelta(days=offset)
            _call_day_count(day, replace=False)
            _contact_day_count(day, replace=False)
            _case_day_count(day, replace=False)
            days += 1
            if progress is not None:
                progress(days, total)
    _pending_delete(pending)
    RollupState.objects.update(updated_at=timezone.now())
    return days


def _pending_delete(pks: list[int]) -> None:
    # In chunks: a worker that was stopped for a while finds far more than SQLite takes as
    # the parameters of one statement.
    for i in range(0, len(pks), 10_000):
        RollupPending.objects.filter(pk__in=pks[i : i + 10_000]).delete()


def _state_lock() -> RollupState:
    # The one row, id 1: the first migration makes it; made again if a database was emptied.
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def day_span(day: date) -> tuple[datetime, datetime]:
    """The day's first moment and the next day's, in the council's time zone (a day is 23 or
    25 hours long when the clocks change)."""
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(day, time.min), zone),
        timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), zone),
    )


def _contact_day_count(day: date, *, replace: bool = True) -> None:
    start, end = day_span(day)
    groups = (
        Contact.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        .annotate(
            on_case=ExpressionWrapper(Q(case__isnull=False), output_field=BooleanField()),
            department_id=F("service__department_id"),
        )
        .values(
            "channel", "direction", "contact_point_id", "service_id", "department_id", "on_case"
        )
        .annotate(
            contacts=Count("id"),
            duration_total=Coalesce(Sum("duration_seconds"), 0),
            durations=Count("duration_seconds"),
            wait_total=Coalesce(Sum("wait_seconds"), 0),
            waits=Count("wait_seconds"),
        )
        .order_by()
    )
    rows: list[dict[str, Any]] = [dict(group) for group in groups]
    rows += _imported_beyond_own(day, rows)
    _day_write(ContactDay, day, rows, replace=replace)


def _imported_beyond_own(day: date, own: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The contacts another system counted at a contact point beyond those recorded here:
    where telephony says a line was offered 120 calls and advisors logged 80 of them, the
    baseline has 120 (the 80 with their service and case, 40 known only from telephony).

    A contact recorded without its contact point (a call logged with the line "not known")
    was one of the day's imported ones on that channel too: the imported contacts beyond
    those recorded are lessened by them, the busiest points' first."""
    imported: dict[tuple[int, str], int] = {}
    for point_id, offered in CallDay.objects.filter(day=day).values_list(
        "contact_point_id", "offered"
    ):
        imported[point_id, Channel.PHONE] = imported.get((point_id, Channel.PHONE), 0) + offered
    for point_id, channel, contacts in VolumeFigure.objects.filter(day=day).values_list(
        "contact_point_id", "channel", "contacts"
    ):
        imported[point_id, channel] = imported.get((point_id, channel), 0) + contacts
    if not imported:
        return []
    recorded: dict[tuple[int | None, str], int] = {}
    for group in own:
        if group["direction"] == Contact.Direction.INBOUND:
            key = (group["contact_point_id"], group["channel"])
            recorded[key] = recorded.get(key, 0) + group["contacts"]
    beyond = {
        key: total - recorded.get(key, 0)
        for key, total in imported.items()
        if total > recorded.get(key, 0)
    }
    for key in sorted(beyond, key=lambda k: (-beyond[k], k)):
        unplaced = recorded.get((None, key[1]), 0)
        taken = min(unplaced, beyond[key])
        beyond[key] -= taken
        recorded[None, key[1]] = unplaced - taken
    points = {
        p.pk: p
        for p in ContactPoint.objects.filter(pk__in={k[0] for k in imported}).select_related(
            "service"
        )
    }
    rows = []
    for (point_id, channel), count in sorted(beyond.items()):
        if count <= 0:
            continue
        point = points[point_id]
        department_id = point.department_id or (
            point.service.department_id if point.service else None
        )
        rows.append(
            {
                "channel": channel,
                "direction": Contact.Direction.INBOUND,
                "contact_point_id": point_id,
                "service_id": point.service_id,
                "department_id": department_id,
                "on_case": False,
                "imported": True,
                "contacts": count,
            }
        )
    return rows


def _call_day_count(day: date, *, replace: bool = True) -> None:
    """A day's calls per number: from the telephony call records, and from the daily
    summaries (an import never lets both count the same number's day)."""
    council = Council.current()
    start, end = day_span(day)
    short = council.short_abandon_seconds
    threshold = council.call_answer_threshold_seconds
    handle = Coalesce("talk_seconds", 0) + Coalesce("hold_seconds", 0) + Coalesce("wrap_seconds", 0)
    answered, abandoned = Q(answered=True), Q(answered=False)
    # Named apart from CallRecord's own `answered`, which the filters mean.
    records = (
        CallRecord.objects.filter(started_at__gte=start, started_at__lt=end)
        .values("contact_point_id")
        .annotate(
            calls_offered=Count("id"),
            calls_answered=Count("id", filter=answered),
            calls_abandoned=Count("id", filter=abandoned),
            calls_short_abandoned=Count("id", filter=abandoned & Q(wait_seconds__lt=short)),
            calls_in_threshold=Count("id", filter=answered & Q(wait_seconds__lte=threshold)),
            calls_timed=Count(
                "id",
                filter=Q(wait_seconds__isnull=False)
                & (answered | (abandoned & Q(wait_seconds__gte=short))),
            ),
            calls_wait_total=Coalesce(Sum("wait_seconds", filter=answered), 0),
            calls_waits=Count("wait_seconds", filter=answered),
            calls_handle_total=Coalesce(
                Sum(handle, filter=answered & Q(talk_seconds__isnull=False)), 0
            ),
            calls_handles=Count("id", filter=answered & Q(talk_seconds__isnull=False)),
        )
        .order_by()
    )
    groups: list[dict[str, Any]] = [
        {
            "contact_point_id": r["contact_point_id"],
            "offered": r["calls_offered"],
            "answered": r["calls_answered"],
            "abandoned": r["calls_abandoned"],
            "short_abandoned": r["calls_short_abandoned"],
            "answered_in_threshold": r["calls_in_threshold"],
            "service_level_calls": r["calls_timed"],
            "wait_total": r["calls_wait_total"],
            "waits": r["calls_waits"],
            "handle_total": r["calls_handle_total"],
            "handles": r["calls_handles"],
        }
        for r in records
    ]
    for summary in CallSummary.objects.filter(day=day):
        groups.append(
            {
                "contact_point_id": summary.contact_point_id,
                "offered": summary.offered,
                "answered": summary.answered,
                "abandoned": summary.abandoned,
                "short_abandoned": summary.short_abandoned or 0,
                "answered_in_threshold": summary.answered_in_threshold or 0,
                "service_level_calls": (
                    summary.answered + summary.abandoned - (summary.short_abandoned or 0)
                    if summary.answered_in_threshold is not None
                    else 0
                ),
                "wait_total": summary.wait_total or 0,
                "waits": summary.answered if summary.wait_total is not None else 0,
                "handle_total": summary.handle_total or 0,
                "handles": summary.answered if summary.handle_total is not None else 0,
            }
        )
    _day_write(CallDay, day, groups, replace=replace)


def _case_day_count(day: date, *, replace: bool = True) -> None:
    start, end = day_span(day)
    groups = (
        Case.objects.filter(resolved_at__gte=start, resolved_at__lt=end)
        .values(
            "channel", "kind", "service_id", "department_id", "outcome_id", "resolved_first_contact"
        )
        .annotate(
            resolved=Count("id"),
            first_response_met=Count(
                "id", filter=Q(first_responded_at__lte=F("first_response_due"))
            ),
            resolution_met=Count("id", filter=Q(resolved_at__lte=F("resolution_due"))),
        )
        .order_by()
    )
    _day_write(CaseDay, day, groups, replace=replace)


_Rollup = TypeVar("_Rollup", ContactDay, CaseDay, CallDay)


def _day_write(
    model: type[_Rollup],
    day: date,
    groups: Iterable[Mapping[str, Any]],
    *,
    replace: bool,
) -> None:
    """One day's rows of a rollup, each group named as the rollup's columns are."""
    rows: list[_Rollup] = [model(day=day, **group) for group in groups]
    if replace:
        model.objects.filter(day=day).delete()
    model.objects.bulk_create(rows)


_COUNTERS: dict[str, Callable[[date], None]] = {
    RollupPending.Rollup.CALLS: _call_day_count,
    RollupPending.Rollup.CONTACTS: _contact_day_count,
    RollupPending.Rollup.CASES: _case_day_count,
}
_ORDER = list(_COUNTERS)


def _counting_order(pending: tuple[str, date]) -> tuple[int, date]:
    return _ORDER.index(pending[0]), pending[1]
