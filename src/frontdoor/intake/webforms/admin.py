from django.contrib import admin

from frontdoor.intake.webforms.models import CollectionSlot, FormField, FormSubmission, RequestForm


class _Fields(admin.StackedInline):
    model = FormField
    extra = 0
    fields = [
        ("code", "datatype", "required"),
        "label",
        "hint",
        ("page", "position"),
        "choices",
        ("max_length", "min_value", "max_value"),
        "sets_case_kind",
    ]


class _Slots(admin.TabularInline):
    model = CollectionSlot
    extra = 0
    fields = ["date", "capacity", "booked"]
    readonly_fields = ["booked"]


@admin.register(RequestForm)
class RequestFormAdmin(admin.ModelAdmin):
    """The council's online forms: what each asks, and its collection dates."""

    list_display = ["title", "slug", "service", "is_published", "offered_over_open311"]
    list_filter = ["is_published", "offered_over_open311"]
    list_select_related = ["service"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [_Fields, _Slots]
    fieldsets = [
        (None, {"fields": ["title", "slug", "service", "contact_point", "kind", "position"]}),
        (
            "What it asks",
            {"fields": ["introduction", "needs_location", "email_required", "what_happens_next"]},
        ),
        ("Where it goes", {"fields": ["straight_to_department", "is_published"]}),
        ("Open311", {"fields": ["offered_over_open311", "group", "keywords"]}),
    ]


@admin.register(FormSubmission)
class FormSubmissionAdmin(admin.ModelAdmin):
    """What residents sent. Read-only: a submission becomes a case, which staff work on."""

    list_display = ["submitted_at", "form", "case", "email"]
    list_filter = ["form"]
    list_select_related = ["form", "case"]
    search_fields = ["email", "case__reference"]
    readonly_fields = [f.name for f in FormSubmission._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
