"""Scheduled reports: the monthly overview, narrowed as each ReportSchedule says, emailed as
an XLSX workbook to its recipients on its day each month, one email per recipient.

The worker calls report_schedules_send every hour. A schedule's month is sent by whoever
first moves its last_sent_month to that month with a conditional UPDATE, and the emails are
queued in that same transaction: two workers never send a month twice, and a schedule that
fails part-way sends nothing and is tried again the next hour. The outbox sends after commit."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from frontdoor.core.models import Council
from frontdoor.notify.models import OutboundEmail
from frontdoor.notify.services import EmailDraft, council_from_address, emails_queue
from frontdoor.reporting.dashboards import Dashboard, monthly_overview
from frontdoor.reporting.exports import dashboard_xlsx
from frontdoor.reporting.kpis import Rag
from frontdoor.reporting.models import ReportSchedule
from frontdoor.reporting.selectors import Filters

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STANDING = {Rag.GREEN: "On target", Rag.AMBER: "Near target", Rag.RED: "Off target"}


def month_before(today: date) -> date:
    """The first day of the month before today's: the month a report sent today is on."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def schedule_filters(schedule: ReportSchedule) -> Filters:
    return Filters(
        channel=schedule.channel or None,
        service_id=schedule.service_id,
        department_id=schedule.department_id,
    )


def report_schedules_send(*, today: date) -> int:
    """Send each active schedule whose day has come this month and whose report on last month
    has not gone yet. Returns how many this caller sent. One that fails is logged and tried
    again next time; the others still go."""
    month = month_before(today)
    due = (
        ReportSchedule.objects.filter(is_active=True, day_of_month__lte=today.day)
        .filter(Q(last_sent_month__isnull=True) | Q(last_sent_month__lt=month))
        .order_by("pk")
    )
    sent = 0
    for schedule in due:
        try:
            sent += _schedule_send(schedule, month)
        except Exception:
            log.exception(
                "Could not send the report %r (schedule %s) on %s; the next run tries again",
                schedule.name,
                schedule.pk,
                f"{month:%B %Y}",
            )
    return sent


@transaction.atomic
def _schedule_send(schedule: ReportSchedule, month: date) -> bool:
    as_read = (
        Q(last_sent_month__isnull=True)
        if schedule.last_sent_month is None
        else Q(last_sent_month=schedule.last_sent_month)
    )
    claimed = ReportSchedule.objects.filter(as_read, pk=schedule.pk, is_active=True).update(
        last_sent_month=month
    )
    if not claimed:
        return False  # another worker sent it, or it was changed since it was read
    schedule.refresh_from_db()
    _report_queue(schedule=schedule, month=month, scheduled=True)
    return True


@transaction.atomic
def report_schedule_send_now(*, schedule: ReportSchedule, today: date) -> list[OutboundEmail]:
    """The admin's "Send now": last month's report to the schedule's recipients at once, as an
    extra copy. The schedule's own sending is left as it was (last_sent_month is unchanged),
    so a month not yet sent is still sent on its day."""
    return _report_queue(schedule=schedule, month=month_before(today), scheduled=False)


def _report_queue(*, schedule: ReportSchedule, month: date, scheduled: bool) -> list[OutboundEmail]:
    council = Council.current()
    filters = schedule_filters(schedule)
    dashboard = monthly_overview(month=month, filters=filters, now=timezone.now())
    filename = f"frontdoor-overview-{month:%Y-%m}.xlsx"
    subject, text, html = monthly_report_render(
        schedule=schedule,
        dashboard=dashboard,
        month=month,
        filters=filters,
        filename=filename,
        council_name=council.name,
    )
    attachment = (filename, XLSX, dashboard_xlsx(dashboard))
    return emails_queue(
        drafts=[
            EmailDraft(
                kind=OutboundEmail.Kind.REPORT,
                from_address=council_from_address(council),
                from_name=council.name,
                to_address=recipient,
                subject=subject,
                text_body=text,
                html_body=html,
                auto_submitted=True,
                # A second safety net under the claim: the outbox takes one per cause.
                cause_key=f"report:{schedule.pk}:{month:%Y-%m}:{recipient}" if scheduled else None,
                attachments=[attachment],
            )
            for recipient in schedule.recipient_list()
        ]
    )


def dashboard_url(*, month: date, filters: Filters) -> str:
    """The monthly overview in the staff console, for the same month and filters."""
    query: dict[str, Any] = {"month": f"{month:%Y-%m}"}
    if filters.channel:
        query["channel"] = filters.channel
    if filters.service_id:
        query["service"] = filters.service_id
    if filters.department_id:
        query["department"] = filters.department_id
    path = reverse("console:report_overview")
    return f"{settings.FRONTDOOR_PUBLIC_URL}{path}?{urlencode(query)}"


def monthly_report_render(
    *,
    schedule: ReportSchedule,
    dashboard: Dashboard,
    month: date,
    filters: Filters,
    filename: str,
    council_name: str,
) -> tuple[str, str, str]:
    """The monthly report email's subject, text and HTML, from the templates in
    reporting/templates/reporting/email/ (a council overrides them with its own of the same
    names in a template directory)."""
    context = {
        "council_name": council_name,
        "report_name": schedule.name,
        "period": dashboard.period,
        "filters": dashboard.filters,
        "narrowed": filters != Filters(),
        "filename": filename,
        "sheets": [table.title for table in dashboard.tables],
        "kpis": [
            {
                "name": tile.kpi.name,
                "figure": tile.shown,
                "target": tile.target_shown,
                "standing": STANDING[tile.rag] if tile.rag else "",
            }
            for tile in dashboard.tiles
        ],
        "dashboard_url": dashboard_url(month=month, filters=filters),
    }
    subject = render_to_string("reporting/email/monthly_report_subject.txt", context)
    text = render_to_string("reporting/email/monthly_report.txt", context)
    html = render_to_string("reporting/email/monthly_report.html", context)
    return " ".join(subject.split()), text.strip() + "\n", html.strip() + "\n"
