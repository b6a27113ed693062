from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from frontdoor.reporting.kpis import KPI_BY_KEY, kpi_choices
from frontdoor.reporting.models import ImportSource, KpiTarget, ReportSchedule, StatImport
from frontdoor.reporting.schedules import month_before, report_schedule_send_now


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    """Monthly reports emailed to named people; the worker sends each on its day
    (reporting.schedules). "Send now" sends last month's again as an extra copy."""

    list_display = ["name", "day_of_month", "is_active", "last_sent_month", "recipients_count"]
    list_filter = ["is_active"]
    search_fields = ["name", "recipients"]
    fields = [
        "name",
        "recipients",
        "day_of_month",
        "channel",
        "service",
        "department",
        "is_active",
        "last_sent_month",
        "created_by",
    ]
    readonly_fields = ["last_sent_month", "created_by"]
    actions = ["send_now"]

    @admin.display(description="recipients")
    def recipients_count(self, schedule: ReportSchedule) -> int:
        return len(schedule.recipient_list())

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(
        description="Send last month’s report now (the monthly sending goes on as before)",
        permissions=["change"],
    )
    def send_now(self, request, queryset):
        today = timezone.localdate()
        emails = sum(
            len(report_schedule_send_now(schedule=schedule, today=today)) for schedule in queryset
        )
        self.message_user(
            request,
            f"The {month_before(today):%B %Y} report is on its way: {emails} email(s) queued",
            messages.SUCCESS,
        )


class KpiTargetForm(forms.ModelForm):
    kpi = forms.ChoiceField(choices=kpi_choices(), label="KPI")

    class Meta:
        model = KpiTarget
        fields = ["kpi", "target", "amber_margin", "published"]


@admin.register(KpiTarget)
class KpiTargetAdmin(admin.ModelAdmin):
    """The council's targets: dashboards show each KPI red, amber or green against its own;
    published ones are on the public performance page."""

    form = KpiTargetForm
    list_display = ["kpi_name", "target", "amber_margin", "published"]
    list_filter = ["published"]

    @admin.display(description="KPI")
    def kpi_name(self, target: KpiTarget) -> str:
        kpi = KPI_BY_KEY.get(target.kpi)
        return kpi.name if kpi else target.kpi


@admin.register(ImportSource)
class ImportSourceAdmin(admin.ModelAdmin):
    """The systems figures are imported from, and the column mapping each one's files use:
    saved by `frontdoor import-stats` once an import succeeds; it may be corrected here."""

    list_display = ["name", "kind", "updated_at"]
    fields = ["name", "kind", "columns", "created_at", "updated_at"]
    readonly_fields = ["kind", "created_at", "updated_at"]


@admin.register(StatImport)
class StatImportAdmin(admin.ModelAdmin):
    """What each import added and changed: a history, never edited."""

    list_display = [
        "file_name",
        "source",
        "imported_at",
        "rows",
        "added",
        "changed",
        "unchanged",
        "first_day",
        "last_day",
    ]
    list_filter = ["source"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
