from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control

from frontdoor.core.access import staff_required
from frontdoor.reporting.dashboards import (
    Dashboard,
    live_today,
    monthly_overview,
    peer_comparison,
    service_report,
)
from frontdoor.reporting.exports import dashboard_csv, dashboard_xlsx
from frontdoor.reporting.forms import OverviewForm, PeerPeriodForm, ServiceReportForm
from frontdoor.reporting.public import public_performance, public_performance_csv
from frontdoor.reporting.selectors import may_see_dashboards, peer_periods, rollup_span

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _last_full_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


REPORT_PAGES = [
    ("console:report_overview", "Monthly overview"),
    ("console:report_service", "Service report"),
    ("console:report_today", "Today"),
    ("console:report_peers", "Benchmarking"),
]


def _may_see(request: HttpRequest) -> None:
    if not may_see_dashboards(request.user):
        raise PermissionDenied("Reports are for team leaders, managers and administrators.")


def _month_chosen(form: OverviewForm) -> date:
    chosen = form.cleaned_data.get("month") if form.is_bound and form.is_valid() else None
    return chosen or _last_full_month(timezone.localdate())


def _exported(dashboard: Dashboard, fmt: str, name: str) -> HttpResponse | None:
    if fmt == "xlsx":
        response = HttpResponse(dashboard_xlsx(dashboard), content_type=XLSX)
    elif fmt == "csv":
        response = HttpResponse(dashboard_csv(dashboard), content_type="text/csv; charset=utf-8")
    else:
        return None
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _page(request: HttpRequest, dashboard: Dashboard, **context: Any) -> HttpResponse:
    return render(
        request,
        "reporting/dashboard.html",
        {
            "dashboard": dashboard,
            "query": request.GET.urlencode(),
            "span": rollup_span(),
            "report_pages": REPORT_PAGES,
            "current_report": request.resolver_match.view_name if request.resolver_match else "",
            **context,
        },
    )


@staff_required
def overview(request: HttpRequest, fmt: str = "html") -> HttpResponse:
    _may_see(request)
    form = OverviewForm(request.GET or None, user=request.user)
    valid = not form.is_bound or form.is_valid()
    month = _month_chosen(form)
    dashboard = monthly_overview(month=month, filters=form.filters(), now=timezone.now())
    exported = _exported(dashboard, fmt, f"frontdoor-overview-{month:%Y-%m}") if valid else None
    return exported or _page(
        request,
        dashboard,
        form=form,
        month_value=form.data.get("month", f"{month:%Y-%m}"),
        export_name="console:report_overview_export",
    )


@staff_required
def service(request: HttpRequest, fmt: str = "html") -> HttpResponse:
    _may_see(request)
    form = ServiceReportForm(request.GET or None, user=request.user)
    month = _month_chosen(form)
    context = {
        "form": form,
        "month_value": form.data.get("month", f"{month:%Y-%m}"),
        "export_name": "console:report_service_export",
    }
    if not (form.is_bound and form.is_valid()):
        empty = Dashboard("Service report", f"{month:%B %Y}", "Choose a service")
        return _page(request, empty, **context)
    chosen = form.cleaned_data["service"]
    dashboard = service_report(
        service=chosen,
        month=month,
        channel=form.cleaned_data.get("channel") or None,
        now=timezone.now(),
    )
    name = f"frontdoor-{chosen.code}-{month:%Y-%m}"
    return _exported(dashboard, fmt, name) or _page(request, dashboard, **context)


@staff_required
def today(request: HttpRequest) -> HttpResponse:
    _may_see(request)
    return _page(request, live_today(now=timezone.now()), live=True)


@staff_required
def benchmarking(request: HttpRequest, fmt: str = "html") -> HttpResponse:
    _may_see(request)
    periods = peer_periods()
    form = PeerPeriodForm(request.GET or None, periods=periods)
    if not periods:
        empty = Dashboard("Benchmarking", "No peer figures yet", "")
        return _page(request, empty, no_peers=True)
    first, last = form.chosen()
    dashboard = peer_comparison(first=first, last=last, now=timezone.now())
    name = f"frontdoor-benchmarking-{first:%Y-%m}-{last:%Y-%m}"
    return _exported(dashboard, fmt, name) or _page(
        request, dashboard, form=form, export_name="console:report_peers_export"
    )


# Public and the same for everyone: browsers and the council's web cache may keep it for five
# minutes, so a link from a busy council home page does not count the figures on every visit.
@cache_control(public=True, max_age=300)
def performance(request: HttpRequest, fmt: str = "html") -> HttpResponse:
    """The public performance page (no sign-in), and the same figures as CSV."""
    figures = public_performance(today=timezone.localdate())
    if fmt == "csv":
        response = HttpResponse(
            public_performance_csv(figures), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="performance.csv"'
        return response
    return render(request, "reporting/performance.html", {"performance": figures})
