from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.calendar import UnknownNation, WorkingCalendar

LONDON = ZoneInfo("Europe/London")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


# Each nation's own bank-holiday Monday in 2026, the Friday before it at 16:55, and when five
# working days and four working hours from then fall.
CASES = {
    # Summer bank holiday, Mon 31 Aug (Northern Ireland shares it)
    "england-and-wales": (at(2026, 8, 28, 16, 55), at(2026, 9, 7, 17, 0), at(2026, 9, 1, 12, 25)),
    # Summer bank holiday, Mon 3 Aug
    "scotland": (at(2026, 7, 31, 16, 55), at(2026, 8, 10, 17, 0), at(2026, 8, 4, 12, 25)),
    # Battle of the Boyne, observed Mon 13 Jul
    "northern-ireland": (at(2026, 7, 10, 16, 55), at(2026, 7, 20, 17, 0), at(2026, 7, 14, 12, 25)),
}
# Nations that work on the other's holiday Monday, so five days end on the next Friday.
WORKING_ON_THAT_MONDAY = {
    "england-and-wales": ["scotland"],
    "scotland": ["england-and-wales", "northern-ireland"],
    "northern-ireland": ["england-and-wales", "scotland"],
}


@pytest.mark.parametrize("nation", CASES)
def test_five_working_days_from_friday_before_bank_holiday_monday_skip_the_monday(nation):
    friday, expected, _ = CASES[nation]

    due = WorkingCalendar(nation=nation).add_working_days(friday, 5)

    # Friday is day zero; Monday is a holiday, so Tue, Wed, Thu, Fri and the next Monday.
    assert due == expected


@pytest.mark.parametrize("nation", CASES)
def test_nations_without_that_holiday_work_on_the_monday(nation):
    friday, _, _ = CASES[nation]
    for other in WORKING_ON_THAT_MONDAY[nation]:
        due = WorkingCalendar(nation=other).add_working_days(friday, 5)
        assert due == at(friday.year, friday.month, friday.day, 17, 0) + timedelta(days=7), other


@pytest.mark.parametrize("nation", CASES)
def test_working_hours_carry_over_the_weekend_and_the_bank_holiday(nation):
    friday, _, expected = CASES[nation]

    due = WorkingCalendar(nation=nation).add_working_hours(friday, 4)

    # 5 minutes on Friday, then 3h55 from 08:30 on Tuesday.
    assert due == expected


def test_next_day_one_working_day_target_from_friday_afternoon_is_tuesday_close():
    calendar = WorkingCalendar(nation="england-and-wales")
    assert calendar.add_working_days(CASES["england-and-wales"][0], 1) == at(2026, 9, 1, 17, 0)


def test_after_closing_counts_from_the_next_working_day():
    calendar = WorkingCalendar(nation="england-and-wales")
    friday_evening = at(2026, 8, 28, 17, 30)
    # Received after close on Friday: counts as received Tuesday (day 0); 1 day -> Wednesday.
    assert calendar.add_working_days(friday_evening, 1) == at(2026, 9, 2, 17, 0)


def test_weekend_receipt_before_opening_counts_as_next_working_day_zero():
    calendar = WorkingCalendar(nation="scotland")
    sunday = at(2026, 11, 22, 9, 0)
    assert calendar.receipt_day(sunday).isoformat() == "2026-11-23"
    assert calendar.add_working_days(sunday, 0) == at(2026, 11, 23, 17, 0)


def test_christmas_and_new_year_in_scotland_skips_both_new_year_days():
    calendar = WorkingCalendar(nation="scotland")
    # Wed 30 Dec 2026 10:00 + 2 working days: Thu 31 Dec, (Fri 1 Jan and Sat, Sun, Mon 4 Jan:
    # 1 Jan is a holiday; 2 Jan is a Saturday so Scotland observes it on Mon 4 Jan) -> Tue 5 Jan.
    assert calendar.add_working_days(at(2026, 12, 30, 10, 0), 2) == at(2027, 1, 5, 17, 0)
    england = WorkingCalendar(nation="england-and-wales")
    assert england.add_working_days(at(2026, 12, 30, 10, 0), 2) == at(2027, 1, 4, 17, 0)


def test_council_closures_and_custom_opening_hours_are_respected():
    from datetime import date

    calendar = WorkingCalendar(
        nation="england-and-wales",
        opening_hours={d: (time(9, 0), time(16, 0)) for d in range(5)},
        closures=frozenset({date(2026, 12, 24)}),
    )
    assert not calendar.is_working_day(date(2026, 12, 24))
    assert calendar.add_working_days(at(2026, 12, 23, 12, 0), 1) == at(2026, 12, 29, 16, 0)


def test_working_hours_over_the_autumn_clock_change_give_an_aware_gmt_time():
    calendar = WorkingCalendar(nation="england-and-wales")
    # Friday 23 Oct 2026 16:55 BST; clocks go back on Sunday 25 Oct.
    due = calendar.add_working_hours(at(2026, 10, 23, 16, 55), 1)
    assert due == at(2026, 10, 26, 9, 25)
    assert due.utcoffset().total_seconds() == 0


def test_an_unknown_nation_is_refused_with_the_choices():
    with pytest.raises(UnknownNation, match="england-and-wales, scotland, northern-ireland"):
        WorkingCalendar(nation="wessex").is_working_day(at(2026, 1, 5).date())


def test_a_round_the_clock_line_counts_real_hours_across_the_clock_change():
    always_open = {d: (time(0, 0), time(23, 59, 59)) for d in range(7)}
    calendar = WorkingCalendar(nation="england-and-wales", opening_hours=always_open)
    # Clocks go forward at 01:00 GMT on Sun 29 Mar 2026: 00:30 GMT + 2 real hours = 03:30 BST.
    assert calendar.add_working_hours(at(2026, 3, 29, 0, 30), 2) == at(2026, 3, 29, 3, 30)
    # Clocks go back at 02:00 BST on Sun 25 Oct 2026: 00:30 BST + 2 real hours = 01:30 GMT.
    due = calendar.add_working_hours(at(2026, 10, 25, 0, 30), 2)
    assert due.astimezone(ZoneInfo("UTC")) == datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("UTC"))


def test_receipt_at_exactly_closing_time_counts_from_the_next_working_day():
    calendar = WorkingCalendar(nation="england-and-wales")
    assert calendar.receipt_day(at(2026, 11, 23, 17, 0)).isoformat() == "2026-11-24"
    assert calendar.receipt_day(at(2026, 11, 23, 16, 59, 59)).isoformat() == "2026-11-23"
