from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from frontdoor.core.access import staff_required
from frontdoor.reporting.dashboards import monthly_overview
from frontdoor.reporting.exports import dashboard_csv, dashboard_xlsx
from frontdoor.reporting.forms import OverviewForm
from frontdoor.reporting.kpis import KPIS
from frontdoor.reporting.selectors import may_see_dashboards, rollup_span

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _last_full_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


@staff_required
def overview(request: HttpRequest, fmt: str = "html") -> HttpResponse:
    if not may_see_dashboards(request.user):
        raise PermissionDenied("Dashboards are for team leaders, managers and administrators.")
    form = OverviewForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    chosen = form.cleaned_data.get("month") if form.is_bound and valid else None
    month = chosen or _last_full_month(timezone.localdate())
    dashboard = monthly_overview(month=month, filters=form.filters(), now=timezone.now())
    name = f"frontdoor-overview-{month:%Y-%m}"
    if fmt == "xlsx" and valid:
        response = HttpResponse(dashboard_xlsx(dashboard), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    if fmt == "csv" and valid:
        response = HttpResponse(dashboard_csv(dashboard), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    span = rollup_span()
    return render(
        request,
        "reporting/overview.html",
        {
            "form": form,
            "dashboard": dashboard,
            "month": month,
            "month_value": form.data.get("month", f"{month:%Y-%m}"),
            "query": request.GET.urlencode(),
            "span": span,
            "kpis": KPIS,
        },
    )
