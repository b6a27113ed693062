"""`frontdoor import-stats`: telephony, inbox and e-form figures into the baseline. All or
nothing, the same file twice changes nothing, and every bad row is named with its line."""

from datetime import UTC, date, datetime

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from frontdoor.cases.models import Channel
from frontdoor.cases.services import contact_record
from frontdoor.directory.models import ContactPoint
from frontdoor.reporting.importing import ImportRefused, stats_import
from frontdoor.reporting.models import (
    CallDay,
    CallRecord,
    CallSummary,
    ContactDay,
    ImportSource,
    VolumeFigure,
)
from frontdoor.reporting.selectors import Filters, calls_by_number
from frontdoor.reporting.services import rollups_rebuild, rollups_update

HEAD = "Call ID,Number dialled,Start time,Outcome,Wait,Talk\n"
CALLS = HEAD + (
    "c1,0113 496 0100,02/03/2026 09:30,Answered,12,300\n"
    "c2,0113 496 0100,02/03/2026 09:31,Abandoned,45,\n"
    "c3,0113 496 0200,02/03/2026 10:00,Answered,5,100\n"
    "c4,0113 496 0200,03/03/2026 10:00,Answered,30,100\n"
)


def _write(folder, text: str, name: str = "calls.csv", encoding: str = "utf-8"):
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def _calls(tmp_path, text: str = CALLS, **options):
    return stats_import(kind="calls", path=_write(tmp_path, text), source_name="Mitel", **options)


def _numbers() -> dict[str, tuple]:
    rollups_update()
    rows = calls_by_number(first=date(2026, 3, 1), last=date(2026, 3, 31), filters=Filters())
    address = dict(ContactPoint.objects.values_list("pk", "address"))
    return {
        address[r["contact_point_id"]]: (r["offered"], r["answered"], r["abandoned"]) for r in rows
    }


def test_call_records_give_each_number_its_calls_offered_answered_and_abandoned(council, tmp_path):
    report = _calls(tmp_path)
    assert report.ok and (report.rows, report.added) == (4, 4)
    assert (report.first_day, report.last_day) == (date(2026, 3, 2), date(2026, 3, 3))
    assert _numbers() == {"+441134960100": (2, 1, 1), "+441134960200": (2, 2, 0)}
    tax = CallDay.objects.get(contact_point__address="+441134960100")
    assert (tax.wait_total, tax.waits, tax.answered_in_threshold) == (12, 1, 1)
    line = ContactPoint.objects.get(address="+441134960200")
    assert line.last_used_at is not None and line.last_used_at.date() == date(2026, 3, 3)


def test_the_same_file_imported_again_changes_nothing(council, tmp_path):
    _calls(tmp_path)
    rollups_update()
    before = sorted(CallDay.objects.values_list("day", "contact_point", "offered", "answered"))
    again = _calls(tmp_path)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 4)
    assert CallRecord.objects.count() == 4
    rollups_update()
    assert sorted(CallDay.objects.values_list("day", "contact_point", "offered", "answered")) == (
        before
    )


def test_a_corrected_call_is_changed_not_added(council, tmp_path):
    _calls(tmp_path)
    fixed = _calls(
        tmp_path,
        CALLS.replace(
            "c2,0113 496 0100,02/03/2026 09:31,Abandoned,45,",
            "c2,0113 496 0100,02/03/2026 09:31,Answered,45,60",
        ),
    )  # noqa: E501
    assert (fixed.added, fixed.changed, fixed.unchanged) == (0, 1, 3)
    assert _numbers()["+441134960100"] == (2, 2, 0)


def test_calls_without_an_id_are_known_by_their_values(council, tmp_path):
    text = "".join(line.split(",", 1)[1] + "\n" for line in CALLS.splitlines())
    first = _calls(tmp_path, text)
    second = _calls(tmp_path, text)
    assert (first.added, second.added, second.unchanged) == (4, 0, 4)


def test_every_bad_row_is_named_with_its_line_and_nothing_is_imported(council, tmp_path):
    text = HEAD + (
        "c1,0113 496 0100,02/03/2026 09:30,Answered,12,300\n"
        "c2,0113 496 0100,31/02/2026 09:31,Abandoned,45,\n"
        "c3,0113 496 0100,02/03/2026 10:00,Maybe,5,100\n"
        "c4,0113 496 0100,02/03/2026 10:05,Answered,-5,100\n"
        "c1,0113 496 0100,02/03/2026 09:30,Answered,12,300\n"
        "c6,0800 000 0000,02/03/2026 11:00,Answered,5,100\n"
        "c7,,02/03/2026 11:00,Answered,5,100\n"
    )
    report = _calls(tmp_path, text)
    assert not report.ok and report.problem_count == 6
    said = {p.line: p.message for p in report.problems}
    assert "“31/02/2026 09:31” is not a date and time" in said[3]
    assert "“Maybe” is not a call outcome: say Answered or Abandoned" in said[4]
    assert "negative" in said[5]
    assert said[6] == "repeats line 2 (call c1)"
    assert "is not a known phone number" in said[7] and "--add-contact-points" in said[7]
    assert "the number dialled is empty" in said[8]
    assert CallRecord.objects.count() == 0 and not ImportSource.objects.exists()


def test_a_dry_run_checks_and_counts_but_writes_nothing(council, tmp_path):
    report = _calls(tmp_path, dry_run=True)
    assert report.ok and report.added == 4
    assert not CallRecord.objects.exists() and not ImportSource.objects.exists()


def test_headings_are_matched_saved_and_a_missing_column_is_explained(council, tmp_path):
    odd = "Ref,DNIS,When,Result,Queue Time\nx1,01134960100,2026-03-02 09:00:00,ANS,4\n"
    with pytest.raises(ImportRefused) as refused:
        _calls(tmp_path, odd)
    assert "date and time the call started (--map started_at=…)" in str(refused.value)
    assert "Its columns are: Ref, DNIS, When, Result, Queue Time" in str(refused.value)
    report = _calls(tmp_path, odd, columns={"started_at": "When", "call_id": "Ref"})
    assert report.ok and report.added == 1
    assert ImportSource.objects.get(name="Mitel").columns["started_at"] == "When"
    # Next month's file: the saved mapping is used without saying it again.
    later = _calls(tmp_path, odd.replace("x1", "x2").replace("03-02", "04-02"))
    assert later.ok and later.added == 1


def test_unknown_numbers_are_added_as_contact_points_when_asked(council, tmp_path):
    text = HEAD + "c1,0113 496 0999,02/03/2026 09:30,Answered,12,300\n"
    assert not _calls(tmp_path, text).ok
    report = _calls(tmp_path, text, add_contact_points=True)
    assert report.ok and report.contact_points_added == ["0113 496 0999"]
    point = ContactPoint.objects.get(address="+441134960999")
    assert point.kind == ContactPoint.Kind.PHONE and CallRecord.objects.get().contact_point == point


SUMMARY = (
    "Date,Number,Offered,Answered,Abandoned,Answered within SLA,Total wait\n"
    "02/03/2026,0113 496 0300,100,90,10,70,1:30:00\n"
    "03/03/2026,0113 496 0300,80,78,2,75,3600\n"
)


def test_daily_summaries_count_as_calls_and_replace_what_they_said_before(council, tmp_path):
    path = _write(tmp_path, SUMMARY, "summary.csv")
    report = stats_import(kind="call-summaries", path=path, source_name="Avaya")
    assert report.ok and report.added == 2
    assert _numbers() == {"+441134960300": (180, 168, 12)}
    day = CallDay.objects.get(day=date(2026, 3, 2))
    assert (day.wait_total, day.waits, day.answered_in_threshold) == (5400, 90, 70)
    corrected = _write(tmp_path, SUMMARY.replace("100,90,10", "101,90,11"), "summary.csv")
    again = stats_import(kind="call-summaries", path=corrected, source_name="Avaya")
    assert (again.added, again.changed, again.unchanged) == (0, 1, 1)
    assert CallSummary.objects.count() == 2
    assert _numbers() == {"+441134960300": (181, 168, 13)}


def test_a_summary_that_does_not_add_up_is_refused(council, tmp_path):
    path = _write(tmp_path, SUMMARY.replace("100,90,10", "100,95,10"), "summary.csv")
    report = stats_import(kind="call-summaries", path=path, source_name="Avaya")
    assert report.problems[0].line == 2
    assert (
        "95 answered and 10 abandoned are more than the 100 offered" in report.problems[0].message
    )


def test_call_records_and_summaries_never_both_count_a_numbers_day(council, tmp_path):
    _calls(tmp_path)
    path = _write(tmp_path, SUMMARY.replace("0113 496 0300", "0113 496 0100"), "summary.csv")
    report = stats_import(kind="call-summaries", path=path, source_name="Avaya")
    assert not report.ok
    assert "+441134960100 on 02/03/2026 has call records from “Mitel”" in (
        report.problems[0].message
    )
    assert not CallSummary.objects.exists()


def test_summaries_first_then_call_records_for_the_same_days_are_refused_too(council, tmp_path):
    summary = _write(tmp_path, SUMMARY.replace("0113 496 0300", "0113 496 0100"), "summary.csv")
    assert stats_import(kind="call-summaries", path=summary, source_name="Avaya").ok
    report = _calls(tmp_path)
    assert "has a daily summary from “Avaya”" in report.problems[0].message
    assert not CallRecord.objects.exists()


def test_the_same_days_from_a_second_source_are_refused(council, tmp_path):
    inbox = "Date,Inbox,Emails received\n02/03/2026,waste@frontdoor.example,40\n"
    assert stats_import(
        kind="inbox-volumes", path=_write(tmp_path, inbox, "a.csv"), source_name="Exchange"
    ).ok
    other = stats_import(
        kind="inbox-volumes",
        path=_write(tmp_path, inbox.replace("40", "41"), "b.csv"),
        source_name="Exchange 2",
    )
    assert "has figures from “Exchange”" in other.problems[0].message
    again = stats_import(
        kind="inbox-volumes", path=_write(tmp_path, inbox, "a.csv"), source_name="Mailbox report"
    )
    assert "This file was imported on" in again.problems[0].message
    assert "as “Exchange”" in again.problems[0].message
    assert VolumeFigure.objects.get().contacts == 40


def test_identical_calls_without_ids_are_each_taken_and_taken_once(council, tmp_path):
    text = (
        "Number dialled,Start time,Outcome,Wait\n"
        "0113 496 0100,02/03/2026 09:30,Abandoned,30\n"
        "0113 496 0100,02/03/2026 09:30,Abandoned,30\n"
    )
    assert _calls(tmp_path, text).added == 2
    again = _calls(tmp_path, text)
    assert (again.added, again.unchanged) == (0, 2)
    assert _numbers()["+441134960100"] == (2, 0, 2)


def test_a_row_with_more_values_than_headings_is_refused_not_cut(council, tmp_path):
    text = "Date,Inbox,Emails received\n02/03/2026,waste@frontdoor.example,1,204\n"
    report = stats_import(
        kind="inbox-volumes", path=_write(tmp_path, text, "i.csv"), source_name="Exchange"
    )
    assert report.problems[0].line == 2
    assert "has 4 values but the file has 3 headings" in report.problems[0].message
    assert not VolumeFigure.objects.exists()


def test_a_stored_phone_line_that_is_no_number_does_not_stop_an_import(council, tmp_path):
    ContactPoint.objects.create(kind=ContactPoint.Kind.PHONE, name="Police", address="101")
    assert _calls(tmp_path).ok


def test_a_call_logged_without_its_line_is_not_counted_again_from_telephony(council, tmp_path):
    contact_record(
        channel=Channel.PHONE,
        customer=None,
        contact_point=None,  # the advisor chose "Not known"
        occurred_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    )
    _calls(tmp_path)  # telephony: 2 calls to the tax line and 1 to the waste line that day
    rollups_update()
    on_the_2nd = ContactDay.objects.filter(day=date(2026, 3, 2), channel=Channel.PHONE)
    assert sum(on_the_2nd.values_list("contacts", flat=True)) == 3


def test_service_level_is_no_data_when_no_waits_are_known(council, tmp_path):
    from django.utils import timezone

    from frontdoor.reporting.kpis import KPI_BY_KEY
    from frontdoor.reporting.selectors import period_figures

    summary = "Date,Number,Offered,Answered,Abandoned\n02/03/2026,0113 496 0300,100,90,10\n"
    path = _write(tmp_path, summary, "s.csv")
    assert stats_import(kind="call-summaries", path=path, source_name="Avaya").ok
    rollups_update()
    figures = period_figures(
        first=date(2026, 3, 1), last=date(2026, 3, 31), filters=Filters(), now=timezone.now()
    )
    assert KPI_BY_KEY["service_level"].measure(figures).value is None
    assert KPI_BY_KEY["calls_answered"].measure(figures).value == 90


def test_imported_calls_add_to_the_baseline_only_beyond_the_calls_logged(council, tmp_path):
    line = ContactPoint.objects.get(address="+441134960100")
    contact_record(
        channel=Channel.PHONE,
        customer=None,
        contact_point=line,
        occurred_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    )
    _calls(tmp_path)
    rollups_update()
    on_the_2nd = ContactDay.objects.filter(day=date(2026, 3, 2), contact_point=line)
    # Telephony says 2 calls; 1 was logged here: the baseline has 2, 1 known only from telephony.
    assert sorted(on_the_2nd.values_list("imported", "contacts")) == [(False, 1), (True, 1)]
    kept = sorted(ContactDay.objects.values_list("day", "contact_point", "imported", "contacts"))
    rollups_rebuild()
    assert (
        sorted(ContactDay.objects.values_list("day", "contact_point", "imported", "contacts"))
        == kept
    )  # noqa: E501


def test_inbox_volumes_and_eform_counts_join_the_baseline(council, tmp_path):
    inboxes = _write(
        tmp_path,
        "Date;Mailbox;Emails received\n02/03/2026;Planning@Frontdoor.example;40\n",
        "inboxes.csv",
    )
    report = stats_import(
        kind="inbox-volumes", path=inboxes, source_name="Exchange", add_contact_points=True
    )
    assert report.ok and report.contact_points_added == ["Planning@Frontdoor.example"]
    forms = _write(tmp_path, "Date,Form,Completions\n2026-03-02,Pothole e-form,12\n", "forms.csv")
    assert stats_import(kind="eform-counts", path=forms, source_name="Firmstep").ok
    rollups_update()
    imported = dict(ContactDay.objects.filter(imported=True).values_list("channel", "contacts"))
    assert imported == {Channel.EMAIL: 40, Channel.E_FORM: 12}
    assert VolumeFigure.objects.count() == 2


def test_a_windows_encoded_file_is_read_and_says_so(council, tmp_path):
    text = "Date,Form,Completions\n2026-03-02,Pothole e-form,12\n"
    path = _write(tmp_path, text.replace("Completions", "Completions (£0 café)"), "f.csv", "cp1252")
    report = stats_import(
        kind="eform-counts",
        path=path,
        source_name="Firmstep",
        columns={"contacts": "Completions (£0 café)"},
    )
    assert report.ok and report.note and "cp1252" in report.note.lower()


def test_a_spreadsheet_with_merged_headings_is_refused_saying_what_to_do(council, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Date", "Calls", None, None, "Number"])
    sheet.merge_cells("B1:D1")
    sheet.append(["02/03/2026", 10, 9, 1, "0113 496 0300"])
    path = tmp_path / "summary.xlsx"
    book.save(path)
    with pytest.raises(ImportRefused) as refused:
        stats_import(kind="call-summaries", path=path, source_name="Avaya")
    assert "B1:D1" in str(refused.value) and "unmerge" in str(refused.value).lower()


def test_a_spreadsheet_imports_with_its_own_dates_and_numbers(council, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Date", "Number", "Offered", "Answered", "Abandoned"])
    sheet.append([datetime(2026, 3, 2), "01134960300", 10, 9, 1])  # noqa: DTZ001
    path = tmp_path / "summary.xlsx"
    book.save(path)
    report = stats_import(kind="call-summaries", path=path, source_name="Avaya")
    assert report.ok and report.added == 1
    assert _numbers() == {"+441134960300": (10, 9, 1)}


def test_the_command_reports_what_it_did_and_fails_on_bad_rows(council, tmp_path, capsys):
    path = _write(tmp_path, CALLS)
    call_command("import_stats", "calls", str(path), "--source", "Mitel", verbosity=0)
    out = capsys.readouterr().out
    assert "Imported 4 rows from 02/03/2026 to 03/03/2026: added 4, changed 0, 0 unchanged" in out
    bad = _write(tmp_path, HEAD + "c9,0113 496 0100,yesterday,Answered,1,1\n", "bad.csv")
    with pytest.raises(CommandError, match="1 of 1 rows are wrong: nothing was imported"):
        call_command("import_stats", "calls", str(bad), "--source", "Mitel", verbosity=0)
    assert "line 2: date and time the call started" in capsys.readouterr().out


def test_the_demos_telephony_reports_each_logged_call_and_more_and_is_the_same_again(council):
    from frontdoor.demo.telephony import demo_telephony_import

    line = ContactPoint.objects.get(address="+441134960100")
    for minute in range(30):
        contact_record(
            channel=Channel.PHONE,
            customer=None,
            contact_point=line,
            occurred_at=datetime(2026, 3, 2, 9, minute, tzinfo=UTC),
            duration_seconds=200,
        )
    first = demo_telephony_import(seed=1)
    assert first is not None and first.ok and first.added >= 30
    again = demo_telephony_import(seed=1)
    assert again is not None and (again.added, again.changed) == (0, 0)
    # Each logged call answered, some answered and not logged (-u), some given up (-a).
    keys = list(CallRecord.objects.values_list("key", flat=True))
    unlogged = sum(key.endswith("-u") for key in keys)
    gave_up = sum(key.endswith("-a") for key in keys)
    assert _numbers()["+441134960100"] == (30 + unlogged + gave_up, 30 + unlogged, gave_up)


PEERS = (
    "Council,Period,KPI,Value\n"
    "Northshire,2026-03,Resolved at first point of contact,78.5%\n"
    "Westvale,2026-03,first_contact_resolution,84\n"
    "Westvale,2025/26,Digital take-up,41.2\n"
)


def test_peer_councils_figures_are_imported_by_period_and_kpi(council, tmp_path):
    from frontdoor.reporting.models import PeerFigure

    path = _write(tmp_path, PEERS, "peers.csv")
    report = stats_import(kind="peers", path=path, source_name="LG Inform")
    assert report.ok and report.added == 3
    spans = set(PeerFigure.objects.values_list("council", "kpi", "first_day", "last_day", "value"))
    assert ("Westvale", "digital_take_up", date(2025, 4, 1), date(2026, 3, 31), 41.2) in {
        (*row[:4], float(row[4])) for row in spans
    }
    again = stats_import(kind="peers", path=path, source_name="LG Inform")
    assert (again.added, again.unchanged) == (0, 3)
    bad = _write(tmp_path, PEERS + "Eastham,sometime,Happiness,lots\n", "bad.csv")
    refused = stats_import(kind="peers", path=bad, source_name="LG Inform")
    message = refused.problems[0].message
    assert refused.problems[0].line == 5 and "is not a period" in message
    assert "“Happiness” is not one of our KPIs" in message and "is not a figure" in message
    over = _write(tmp_path, "Council,Period,KPI,Value\nEastham,2026-03,Digital take-up,140\n")
    said = stats_import(kind="peers", path=over, source_name="LG Inform").problems[0].message
    assert "140.00 is not a percentage: it must be from 0 to 100" in said


@pytest.mark.parametrize(
    ("written", "span"),
    [
        ("2026-03", (date(2026, 3, 1), date(2026, 3, 31))),
        ("03/2026", (date(2026, 3, 1), date(2026, 3, 31))),
        ("February 2024", (date(2024, 2, 1), date(2024, 2, 29))),
        ("2025/26", (date(2025, 4, 1), date(2026, 3, 31))),
        ("2025-2026", (date(2025, 4, 1), date(2026, 3, 31))),
        ("2025/26 Q4", (date(2026, 1, 1), date(2026, 3, 31))),
        ("2025/26 Q1", (date(2025, 4, 1), date(2025, 6, 30))),
        ("2025", (date(2025, 1, 1), date(2025, 12, 31))),
        ("2011/12", (date(2011, 4, 1), date(2012, 3, 31))),
        ("2012-12", (date(2012, 12, 1), date(2012, 12, 31))),
    ],
)
def test_periods_are_read_as_councils_write_them(written, span):
    from frontdoor.reporting.importing import parse_period

    assert parse_period(written) == span
