"""The council's working calendar: opening hours, the bank holidays of its nation, closures.

Targets are counted the way councils publish them. For a target in working days the day of
receipt is day zero: mail that arrives after closing time, or on a day the council is shut,
counts as received when it next opens. The target falls at closing time of the Nth working day
after that. For a target in working hours, only the hours the council is open count.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from frontdoor.core.memo import ConfigMemo

NATION_SUBDIVISIONS = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}

DEFAULT_OPENING_HOURS: dict[int, tuple[time, time]] = {
    weekday: (time(8, 30), time(17, 0)) for weekday in range(5)
}


class UnknownNation(ValueError):
    pass


@functools.cache
def bank_holidays(nation: str) -> holidays.HolidayBase:
    try:
        subdivision = NATION_SUBDIVISIONS[nation]
    except KeyError:
        choices = ", ".join(NATION_SUBDIVISIONS)
        raise UnknownNation(f"FRONTDOOR_NATION must be one of {choices}; not {nation!r}") from None
    return holidays.country_holidays("GB", subdiv=subdivision)


@dataclass(frozen=True)
class WorkingCalendar:
    nation: str
    opening_hours: dict[int, tuple[time, time]] = field(
        default_factory=lambda: dict(DEFAULT_OPENING_HOURS)
    )
    closures: frozenset[date] = frozenset()
    tz: ZoneInfo = ZoneInfo("Europe/London")

    def is_bank_holiday(self, day: date) -> bool:
        return day in bank_holidays(self.nation)

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() in self.opening_hours
            and day not in self.closures
            and not self.is_bank_holiday(day)
        )

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        for _ in range(400):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("The calendar has no working day within a year: check opening hours.")

    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.tz)

    def opens_at(self, day: date) -> datetime:
        return self._at(day, self.opening_hours[day.weekday()][0])

    def closes_at(self, day: date) -> datetime:
        return self._at(day, self.opening_hours[day.weekday()][1])

    def receipt_day(self, received: datetime) -> date:
        """The working day on which something received at this moment counts as received."""
        local = received.astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day) and local < self.closes_at(day):
            return day
        return self.next_working_day(day)

    def add_working_days(self, received: datetime, days: int) -> datetime:
        day = self.receipt_day(received)
        for _ in range(days):
            day = self.next_working_day(day)
        return self.closes_at(day)

    def add_working_hours(self, received: datetime, hours: int | float) -> datetime:
        # Elapsed time is counted in UTC: Python subtracts two times in one zone by the clock,
        # which would make an hour across a clock change count as 0 or 2.
        remaining = timedelta(hours=hours)
        day = self.receipt_day(received)
        moment = max(received.astimezone(UTC), self.opens_at(day).astimezone(UTC))
        while True:
            left_today = self.closes_at(day).astimezone(UTC) - moment
            if remaining <= left_today:
                return (moment + remaining).astimezone(self.tz)
            remaining -= left_today
            day = self.next_working_day(day)
            moment = self.opens_at(day).astimezone(UTC)


_calendar_memo = ConfigMemo("calendar", models=("core.OpeningHours", "core.Closure"))


def council_calendar() -> WorkingCalendar:
    """The calendar as configured now: opening hours and closures from the database."""
    return _calendar_memo.get((settings.FRONTDOOR_NATION, settings.TIME_ZONE), _calendar_load)


def _calendar_load() -> WorkingCalendar:
    from frontdoor.core.models import Closure, OpeningHours

    hours = {row.weekday: (row.opens, row.closes) for row in OpeningHours.objects.all()}
    closures = frozenset(Closure.objects.values_list("date", flat=True))
    return WorkingCalendar(
        nation=settings.FRONTDOOR_NATION,
        opening_hours=hours or dict(DEFAULT_OPENING_HOURS),
        closures=closures,
        tz=ZoneInfo(settings.TIME_ZONE),
    )
