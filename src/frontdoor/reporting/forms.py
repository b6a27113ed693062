from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from frontdoor.cases.models import Channel
from frontdoor.directory.models import Department, Service
from frontdoor.reporting.selectors import Filters, services_reportable_by


class OverviewForm(forms.Form):
    """What the monthly overview shows: a month, narrowed to a channel, service or
    department. Every field may be left out."""

    month = forms.CharField(
        required=False,
        label="Month",
        help_text="For example, 2026-03",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    channel = forms.ChoiceField(
        required=False, choices=[("", "All channels"), *Channel.choices], label="Channel"
    )
    service = forms.ModelChoiceField(
        required=False,
        queryset=Service.objects.order_by("name"),
        empty_label="All services",
        label="Service",
    )
    department = forms.ModelChoiceField(
        required=False,
        queryset=Department.objects.order_by("name"),
        empty_label="All departments",
        label="Department",
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            # A restricted service's figures (its cases by outcome and age) are for those
            # who may see its cases: they can be small enough to point at people.
            field = self.fields["service"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = services_reportable_by(user)

    def clean_month(self) -> date | None:
        raw = self.cleaned_data["month"].strip()
        if not raw:
            return None
        year, dash, month = raw.partition("-")
        if not (dash and year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
            raise forms.ValidationError("Enter a month as year and month, like 2026-03")
        if not 2000 <= int(year) <= 2099:
            raise forms.ValidationError("Enter a month between 2000 and 2099, like 2026-03")
        return date(int(year), int(month), 1)

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        service, department = data.get("service"), data.get("department")
        return Filters(
            channel=data.get("channel") or None,
            service_id=service.pk if service else None,
            department_id=department.pk if department else None,
        )


class ServiceReportForm(OverviewForm):
    """One service's month, perhaps narrowed to a channel."""

    service = forms.ModelChoiceField(
        required=True,
        queryset=Service.objects.order_by("name"),
        empty_label="Choose a service",
        label="Service",
        error_messages={"required": "Choose the service to report on"},
    )

    field_order = ["month", "service", "channel"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["department"]


class PeerPeriodForm(forms.Form):
    """Which period's peer figures to compare with (those imported; the newest first)."""

    period = forms.ChoiceField(label="Period")

    def __init__(self, *args: Any, periods: list[tuple[date, date]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from frontdoor.reporting.dashboards import period_described

        self.periods = {
            f"{first:%Y-%m-%d}_{last:%Y-%m-%d}": (first, last) for first, last in periods
        }
        field = self.fields["period"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(key, period_described(*span)) for key, span in self.periods.items()]

    def chosen(self) -> tuple[date, date]:
        """The period chosen, or else the newest."""
        if self.is_bound and self.is_valid():
            return self.periods[self.cleaned_data["period"]]
        return next(iter(self.periods.values()))
