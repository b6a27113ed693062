"""The contacts rollup: counted by day in the council's time zone, kept current from the
contacts as they are recorded, and the same as counting every day again."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils.timezone import localdate

from frontdoor.cases.models import Channel, Contact, Outcome
from frontdoor.cases.services import CaseDraft, case_reopen, case_resolve, contact_record
from frontdoor.directory.models import ContactPoint, Service
from frontdoor.reporting.models import CaseDay, ContactDay, RollupPending
from frontdoor.reporting.services import rollups_rebuild, rollups_update
from tests.factories import CustomerFactory, case_for


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _rollup() -> set[tuple]:
    return set(
        ContactDay.objects.values_list(
            "day",
            "channel",
            "direction",
            "contact_point_id",
            "service_id",
            "department_id",
            "on_case",
            "contacts",
            "duration_total",
            "durations",
            "wait_total",
            "waits",
        )
    )


@pytest.fixture
def phone_line(council):
    return ContactPoint.objects.filter(kind=ContactPoint.Kind.PHONE).first()


@pytest.fixture
def bins(council):
    return Service.objects.select_related("department", "sla_policy").get(code="missed-bin")


def test_each_days_contacts_are_counted_by_what_reports_filter_on(phone_line, bins):
    customer = CustomerFactory.create()
    when = _at(2026, 3, 10, 9, 0)
    for minutes, duration in [(0, 120), (5, 300), (10, None)]:
        contact_record(
            channel=Channel.PHONE,
            customer=customer,
            contact_point=phone_line,
            service=bins,
            occurred_at=when + timedelta(minutes=minutes),
            duration_seconds=duration,
            wait_seconds=30,
        )
    contact_record(
        channel=Channel.PHONE,
        customer=customer,
        contact_point=phone_line,
        new_case=CaseDraft(service=bins, summary="Bin missed"),
        occurred_at=when,
        duration_seconds=200,
    )
    assert rollups_update() == [("contacts", date(2026, 3, 10))]
    department = bins.department_id
    assert _rollup() == {
        (date(2026, 3, 10), "phone", "inbound", phone_line.pk, bins.pk, department, False)
        + (3, 420, 2, 90, 3),
        (date(2026, 3, 10), "phone", "inbound", phone_line.pk, bins.pk, department, True)
        + (1, 200, 1, 0, 0),
    }
    assert not RollupPending.objects.exists()
    assert rollups_update() == []


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (_at(2026, 7, 1, 23, 30), date(2026, 7, 2)),  # 00:30 on 2 July in British Summer Time
        (_at(2026, 1, 15, 23, 30), date(2026, 1, 15)),  # 23:30 on 15 January, GMT
        (_at(2026, 3, 28, 23, 59), date(2026, 3, 28)),  # the night the clocks go forward
        (_at(2026, 3, 29, 23, 30), date(2026, 3, 30)),
    ],
)
def test_a_contact_counts_on_its_day_in_the_councils_time_zone(phone_line, moment, day):
    contact_record(
        channel=Channel.PHONE, customer=None, contact_point=phone_line, occurred_at=moment
    )
    rollups_update()
    assert list(ContactDay.objects.values_list("day", "contacts")) == [(day, 1)]


def test_keeping_up_as_contacts_arrive_gives_what_counting_again_gives(phone_line, bins):
    customer = CustomerFactory.create()
    start = _at(2026, 10, 20, 7, 0)
    for n in range(40):
        contact_record(
            channel=[Channel.PHONE, Channel.EMAIL, Channel.WEB_FORM][n % 3],
            customer=customer if n % 2 else None,
            contact_point=phone_line if n % 3 == 0 else None,
            service=bins if n % 4 else None,
            occurred_at=start + timedelta(hours=5 * n),
            duration_seconds=60 * n if n % 5 else None,
        )
        if n % 7 == 0:
            rollups_update()
    rollups_update()
    kept = _rollup()
    assert sum(row[7] for row in kept) == Contact.objects.count() == 40
    first, last = localdate(start), localdate(start + timedelta(hours=5 * 39))
    assert rollups_rebuild() == (last - first).days + 1
    assert _rollup() == kept


def test_the_rebuild_command_counts_contacts_written_in_bulk(phone_line):
    Contact.objects.bulk_create(
        Contact(channel=Channel.PHONE, contact_point=phone_line, occurred_at=_at(2025, 5, d, 12))
        for d in (1, 1, 2)
    )
    assert not ContactDay.objects.exists()
    call_command("rollups_rebuild", verbosity=0)
    assert set(ContactDay.objects.values_list("day", "contacts")) == {
        (date(2025, 5, 1), 2),
        (date(2025, 5, 2), 1),
    }


@pytest.mark.django_db(transaction=True)
def test_contacts_recorded_while_the_worker_counts_are_all_counted(council):
    point = ContactPoint.objects.filter(kind=ContactPoint.Kind.PHONE).first()
    stop = threading.Event()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while not stop.is_set():
                rollups_update()
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    def writer(n: int) -> None:
        try:
            for i in range(25):
                contact_record(
                    channel=Channel.PHONE,
                    customer=None,
                    contact_point=point,
                    occurred_at=_at(2026, 11, 2 + (i % 3), 10, n, i),
                )
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    counting = threading.Thread(target=worker)
    counting.start()
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    counting.join()
    assert not errors, f"{connection.vendor}: {errors[0]!r}"
    rollups_update()
    assert sum(ContactDay.objects.values_list("contacts", flat=True)) == 75
    kept = _rollup()
    rollups_rebuild()
    assert _rollup() == kept


def _case_rollup() -> set[tuple]:
    return set(
        CaseDay.objects.values_list(
            "day",
            "channel",
            "kind",
            "service_id",
            "department_id",
            "outcome_id",
            "resolved_first_contact",
            "resolved",
            "first_response_met",
            "resolution_met",
        )
    )


def test_cases_count_on_the_day_they_were_resolved_and_leave_it_when_reopened(
    council, ava, bins, time_machine
):
    given = Outcome.objects.get(name="Information given")
    time_machine.move_to(_at(2026, 6, 1, 9, 0))
    early = case_for(customer=CustomerFactory.create())
    late = case_for(customer=CustomerFactory.create())
    time_machine.move_to(_at(2026, 6, 2, 10, 0))  # within both of their targets
    case_resolve(case=early, actor=ava, outcome=given, note="Told them the date")
    time_machine.move_to(_at(2026, 6, 30, 10, 0))  # past the resolution target
    case_resolve(case=late, actor=ava, outcome=given, note="Crew returned")
    rollups_update()
    rows = {(row[0], row[7], row[8], row[9]) for row in _case_rollup()}
    assert rows == {(date(2026, 6, 2), 1, 1, 1), (date(2026, 6, 30), 1, 1, 0)}

    case_reopen(case=early, actor=ava, reason="Not done after all")
    rollups_update()
    assert {row[0] for row in _case_rollup()} == {date(2026, 6, 30)}
    kept = _case_rollup()
    rollups_rebuild()
    assert _case_rollup() == kept
