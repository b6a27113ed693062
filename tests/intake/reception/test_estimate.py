"""The waiting-room estimate: mean recent service time × people waiting ÷ counters serving,
from the visits finished in the last two hours; nothing from fewer than three."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from frontdoor.intake.reception.selectors import wait_estimates
from frontdoor.intake.reception.services import (
    ticket_call_next,
    ticket_finish,
    ticket_issue,
)
from tests.intake.reception.staff import front_desk_staff

LONDON = ZoneInfo("Europe/London")
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=LONDON)


@pytest.fixture
def clock():
    with time_machine.travel(NOON - timedelta(hours=3), tick=False) as traveller:
        yield traveller


def visit(desk, service, person, *, counter, minutes, clock):
    """One visitor issued, called at once to the counter and served for `minutes`."""
    ticket = ticket_issue(desk=desk, service=service, actor=person)
    ticket_call_next(desk=desk, actor=person, counter=counter, service_ids=[service.pk])
    clock.shift(timedelta(minutes=minutes))
    return ticket_finish(ticket=ticket, actor=person)


def waiting(desk, service, person, count):
    for _ in range(count):
        ticket_issue(desk=desk, service=service, actor=person)


def estimate_for(desk, service):
    return next(w for w in wait_estimates(desk) if w.desk_service.service == service)


def test_mean_service_time_times_people_waiting_over_counters(desk, council_tax, ava, abe, clock):
    clock.move_to(NOON - timedelta(minutes=90))
    # Three visits in the last two hours at two counters: 4, 6 and 8 minutes, mean 6.
    visit(desk, council_tax, ava, counter="Desk 1", minutes=4, clock=clock)
    visit(desk, council_tax, abe, counter="Desk 2", minutes=6, clock=clock)
    visit(desk, council_tax, ava, counter="Desk 1", minutes=8, clock=clock)
    clock.move_to(NOON)
    waiting(desk, council_tax, ava, 3)
    wait = estimate_for(desk, council_tax)
    # 6 minutes × 3 waiting ÷ 2 counters = 9 minutes.
    assert (wait.waiting, wait.estimate_seconds, wait.estimate_minutes) == (3, 540, 9)


def test_only_visits_finished_in_the_last_two_hours_count(desk, council_tax, ava, clock):
    # A slow visit finished just over two hours ago is left out...
    clock.move_to(NOON - timedelta(hours=2, minutes=31))
    visit(desk, council_tax, ava, counter="Desk 1", minutes=30, clock=clock)
    # ...and these three, 2, 3 and 4 minutes (mean 3) at one counter, are counted.
    clock.move_to(NOON - timedelta(minutes=30))
    for minutes in (2, 3, 4):
        visit(desk, council_tax, ava, counter="Desk 1", minutes=minutes, clock=clock)
    clock.move_to(NOON)
    waiting(desk, council_tax, ava, 2)
    assert estimate_for(desk, council_tax).estimate_seconds == 3 * 60 * 2


def test_fewer_than_three_recent_visits_give_no_estimate(desk, council_tax, ava, clock):
    clock.move_to(NOON - timedelta(minutes=30))
    visit(desk, council_tax, ava, counter="Desk 1", minutes=5, clock=clock)
    visit(desk, council_tax, ava, counter="Desk 1", minutes=5, clock=clock)
    waiting(desk, council_tax, ava, 4)
    wait = estimate_for(desk, council_tax)
    assert (wait.waiting, wait.estimate_seconds, wait.estimate_minutes) == (4, None, None)


def test_each_service_is_estimated_from_its_own_visits(desk, council_tax, blue_badge, ava, clock):
    clock.move_to(NOON - timedelta(minutes=60))
    for _ in range(3):
        visit(desk, blue_badge, ava, counter="Desk 4", minutes=10, clock=clock)
    waiting(desk, council_tax, ava, 2)
    waiting(desk, blue_badge, ava, 1)
    assert estimate_for(desk, blue_badge).estimate_seconds == 600
    assert estimate_for(desk, council_tax).estimate_seconds is None  # no Council Tax visits


def test_no_one_waiting_is_an_estimate_of_nothing(desk, council_tax, clock):
    (staff,) = front_desk_staff(1)
    clock.move_to(NOON - timedelta(minutes=60))
    for _ in range(3):
        visit(desk, council_tax, staff, counter="Desk 1", minutes=7, clock=clock)
    wait = estimate_for(desk, council_tax)
    assert (wait.waiting, wait.estimate_seconds) == (0, 0)


def test_a_very_short_estimate_shows_as_one_minute(desk, council_tax, ava, clock):
    clock.move_to(NOON - timedelta(minutes=60))
    for _ in range(3):
        visit(desk, council_tax, ava, counter="Desk 1", minutes=0.25, clock=clock)
    waiting(desk, council_tax, ava, 1)
    wait = estimate_for(desk, council_tax)
    assert (wait.estimate_seconds, wait.estimate_minutes) == (15, 1)
