"""Scheduled monthly reports: each recipient gets the month's overview as a spreadsheet on the
schedule's day, once a month however many workers run, and only to real addresses."""

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from frontdoor.cases.models import Channel
from frontdoor.cases.services import contact_record
from frontdoor.directory.models import ContactPoint, Service
from frontdoor.notify.models import OutboundEmail
from frontdoor.notify.services import outbound_email_deliver
from frontdoor.reporting import schedules
from frontdoor.reporting.models import ReportSchedule
from frontdoor.reporting.schedules import month_before, report_schedules_send
from frontdoor.reporting.services import rollups_update
from tests.concurrency import at_once

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APRIL_FIRST = date(2026, 4, 1)


def schedule_add(**fields):
    return ReportSchedule.objects.create(
        **{
            "name": "Council-wide figures",
            "recipients": "max@frontdoor.example\ntess@frontdoor.example",
        }
        | fields
    )


@pytest.fixture
def march(council):
    line = ContactPoint.objects.get(address="+441134960100")
    form = ContactPoint.objects.get(address="/forms/missed-bin")
    for when, channel, point in [
        (datetime(2026, 3, 2, 10, tzinfo=UTC), Channel.PHONE, line),
        (datetime(2026, 3, 3, 10, tzinfo=UTC), Channel.PHONE, line),
        (datetime(2026, 3, 3, 11, tzinfo=UTC), Channel.WEB_FORM, form),
    ]:
        contact_record(channel=channel, customer=None, contact_point=point, occurred_at=when)
    rollups_update()


def sent_to(catcher):
    for email in OutboundEmail.objects.order_by("to_address"):
        assert outbound_email_deliver(pk=email.pk).startswith("sent")
    return sorted(catcher.wait_for(OutboundEmail.objects.count()), key=lambda m: m.recipients)


def test_each_recipient_gets_the_months_report_with_the_spreadsheet(march, catcher):
    schedule_add()
    assert report_schedules_send(today=APRIL_FIRST) == 1
    mails = sent_to(catcher)
    assert [m.recipients for m in mails] == [["max@frontdoor.example"], ["tess@frontdoor.example"]]
    for mail in mails:
        message = mail.message
        assert message["Subject"] == (
            "Monthly contact report: March 2026 (Frontdoor Borough Council)"
        )
        assert message["From"] == "Frontdoor Borough Council <customer.services@frontdoor.example>"
        (attachment,) = message.iter_attachments()
        assert attachment.get_content_type() == XLSX
        assert attachment.get_filename() == "frontdoor-overview-2026-03.xlsx"
        book = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
        assert "KPIs" in book.sheetnames
        assert book["KPIs"]["A1"].value == "Monthly overview: March 2026"
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert "- Contacts: 3\n" in text
        # Two calls and one online form: 33.3% against a target of 40% (amber down to 35%).
        assert "- Digital take-up: 33.3% (target 40.0%: off target)" in text
        assert "http://127.0.0.1:8000/staff/reports/?month=2026-03" in text
        html = message.get_body(("html",)).get_content()
        assert "<strong>Off target</strong>" in html
        assert 'href="http://127.0.0.1:8000/staff/reports/?month=2026-03"' in html


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_it_on_its_day_over_smtp(council, catcher, worker):
    schedule = schedule_add(day_of_month=1)
    month = month_before(timezone.localdate())
    mails = catcher.wait_for(2)
    assert sorted(r for m in mails for r in m.recipients) == [
        "max@frontdoor.example",
        "tess@frontdoor.example",
    ]
    assert all(f"Monthly contact report: {month:%B %Y}" in m.message["Subject"] for m in mails)
    schedule.refresh_from_db()
    assert schedule.last_sent_month == month


def test_not_sent_before_its_day_and_once_a_month(council):
    schedule = schedule_add(day_of_month=5)
    assert report_schedules_send(today=date(2026, 4, 4)) == 0
    assert not OutboundEmail.objects.exists()

    assert report_schedules_send(today=date(2026, 4, 5)) == 1
    assert report_schedules_send(today=date(2026, 4, 5)) == 0
    assert report_schedules_send(today=date(2026, 4, 28)) == 0
    assert OutboundEmail.objects.count() == 2
    schedule.refresh_from_db()
    assert schedule.last_sent_month == date(2026, 3, 1)

    assert report_schedules_send(today=date(2026, 5, 4)) == 0
    assert report_schedules_send(today=date(2026, 5, 5)) == 1
    subjects = OutboundEmail.objects.values_list("subject", flat=True)
    assert sorted(s.split(":")[1].split("(")[0].strip() for s in subjects) == [
        "April 2026",
        "April 2026",
        "March 2026",
        "March 2026",
    ]


def test_a_day_missed_is_made_up_later_in_the_month(council):
    # The worker was down on the 1st: the report goes when it is back.
    schedule_add(day_of_month=1)
    assert report_schedules_send(today=date(2026, 4, 9)) == 1
    assert OutboundEmail.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_the_month_once(council, caplog):
    schedule = schedule_add()
    results = at_once(lambda: report_schedules_send(today=APRIL_FIRST), threads=2)
    assert sorted(results) == [0, 1]
    # The second lost the claim; it did not fall back on the outbox's one-email-per-cause.
    assert "Could not send" not in caplog.text
    assert OutboundEmail.objects.count() == 2
    schedule.refresh_from_db()
    assert schedule.last_sent_month == date(2026, 3, 1)


def test_an_inactive_schedule_sends_nothing(council):
    schedule_add(is_active=False)
    assert report_schedules_send(today=APRIL_FIRST) == 0
    assert not OutboundEmail.objects.exists()


def test_a_schedule_that_fails_sends_nothing_and_is_tried_again(council, monkeypatch, caplog):
    schedule = schedule_add()
    schedule_add(name="Another", recipients="ada@frontdoor.example")
    render = schedules.monthly_report_render

    def broken(**context):
        if context["schedule"].pk == schedule.pk:
            raise RuntimeError("the template is broken")
        return render(**context)

    monkeypatch.setattr(schedules, "monthly_report_render", broken)
    assert report_schedules_send(today=APRIL_FIRST) == 1  # the other still goes
    assert list(OutboundEmail.objects.values_list("to_address", flat=True)) == [
        "ada@frontdoor.example"
    ]
    assert "Could not send the report 'Council-wide figures'" in caplog.text
    schedule.refresh_from_db()
    assert schedule.last_sent_month is None

    monkeypatch.undo()
    assert report_schedules_send(today=APRIL_FIRST) == 1
    assert OutboundEmail.objects.count() == 3


def test_a_narrowed_schedule_says_so_and_links_to_the_same_view(council):
    service = Service.objects.get(code="missed-bin")
    schedule_add(name="Missed bins", service=service, channel=Channel.EMAIL)
    report_schedules_send(today=APRIL_FIRST)
    email = OutboundEmail.objects.first()
    assert email.subject == (
        "Monthly contact report: March 2026, Email, Missed bin collection "
        "(Frontdoor Borough Council)"
    )
    assert f"?month=2026-03&channel=email&service={service.pk}" in email.text_body


def test_recipients_are_checked_and_written_one_per_line(council):
    schedule = ReportSchedule(
        name="Figures",
        recipients="Max@Frontdoor.EXAMPLE, tess@frontdoor.example;\n\nmax@frontdoor.example",
    )
    schedule.full_clean()
    assert schedule.recipients == "Max@frontdoor.example\ntess@frontdoor.example"

    schedule.recipients = "max@frontdoor.example\nTess Teamleader"
    with pytest.raises(ValidationError) as refused:
        schedule.full_clean()
    assert refused.value.message_dict["recipients"] == [
        "“Tess Teamleader” is not an email address: write one address per line"
    ]
    schedule.recipients = " \n "
    with pytest.raises(ValidationError, match="Write at least one email address"):
        schedule.full_clean()


def test_the_admin_refuses_a_bad_recipient_saying_what_to_do(client, ada):
    client.force_login(ada)
    page = client.post(
        reverse("admin:reporting_reportschedule_add"),
        {
            "name": "Figures",
            "recipients": "max@frontdoor.example\nmax at frontdoor",
            "day_of_month": "1",
            "is_active": "on",
        },
    )
    assert page.status_code == 200
    assert "is not an email address: write one address per line" in page.text
    assert not ReportSchedule.objects.exists()

    client.post(
        reverse("admin:reporting_reportschedule_add"),
        {"name": "Figures", "recipients": "max@frontdoor.example", "day_of_month": "3"},
    )
    schedule = ReportSchedule.objects.get()
    assert (schedule.created_by, schedule.day_of_month) == (ada, 3)


def test_send_now_in_the_admin_sends_last_month_and_leaves_the_schedule_as_it_was(client, ada):
    schedule = schedule_add(day_of_month=10)
    client.force_login(ada)
    with time_machine.travel(datetime(2026, 4, 2, 9, tzinfo=UTC)):
        page = client.post(
            reverse("admin:reporting_reportschedule_changelist"),
            {"action": "send_now", "_selected_action": [schedule.pk]},
            follow=True,
        )
    assert "The March 2026 report is on its way: 2 email(s) queued" in page.text
    assert OutboundEmail.objects.filter(subject__contains="March 2026").count() == 2
    schedule.refresh_from_db()
    assert schedule.last_sent_month is None
    # The month's own sending still happens on its day.
    assert report_schedules_send(today=date(2026, 4, 10)) == 1
    assert OutboundEmail.objects.count() == 4
