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

from frontdoor.cases.models import Case, Contact
from frontdoor.reporting.models import CaseDay, ContactDay, RollupPending, RollupState


def contact_days_mark(*, moments: Iterable[datetime]) -> None:
    """Mark the days of these contacts' moments pending, in the caller's transaction (one
    small insert, written as SQL: it is on the path of every contact recorded)."""
    _days_mark(RollupPending.Rollup.CONTACTS, moments)


def case_days_mark(*, moments: Iterable[datetime | None]) -> None:
    """Mark pending the days cases were resolved on (a case resolved, or reopened: its old
    day), in the caller's transaction."""
    _days_mark(RollupPending.Rollup.CASES, [m for m in moments if m is not None])


def _days_mark(rollup: str, moments: Iterable[datetime]) -> None:
    days = sorted({timezone.localdate(moment) for moment in moments})
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
    counted = sorted({(rollup, day) for _, rollup, day in pending})
    for rollup, day in counted:
        _COUNTERS[rollup](day)
    RollupPending.objects.filter(pk__in=[pk for pk, _, _ in pending]).delete()
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
    ContactDay.objects.all().delete()
    CaseDay.objects.all().delete()
    moments = [m for m in (*contacts.values(), *cases.values()) if m is not None]
    days = 0
    if moments:
        first, last = timezone.localdate(min(moments)), timezone.localdate(max(moments))
        total = (last - first).days + 1
        for offset in range(total):
            day = first + timedelta(days=offset)
            _contact_day_count(day, replace=False)
            _case_day_count(day, replace=False)
            days += 1
            if progress is not None:
                progress(days, total)
    RollupPending.objects.filter(pk__in=pending).delete()
    RollupState.objects.update(updated_at=timezone.now())
    return days


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
    _day_write(ContactDay, day, groups, replace=replace)


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


_Rollup = TypeVar("_Rollup", ContactDay, CaseDay)


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
    RollupPending.Rollup.CONTACTS: _contact_day_count,
    RollupPending.Rollup.CASES: _case_day_count,
}
