from django.contrib import admin

from frontdoor.directory.models import (
    ContactPoint,
    Department,
    Service,
    Skill,
    SLAPolicy,
    StaffMember,
)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "is_active"]
    search_fields = ["name"]


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "first_response_target", "resolution_target"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "family_group"]
    list_filter = ["family_group"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "department",
        "sla_policy",
        "front_office_resolves",
        "restricted",
        "required_skill",
        "is_active",
    ]
    list_filter = ["department", "restricted", "front_office_resolves", "is_active"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(ContactPoint)
class ContactPointAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "address", "service", "status", "last_used_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "address"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["__str__", "role", "department", "may_view_restricted", "is_active"]
    list_filter = ["role", "department"]
    filter_horizontal = ["skills"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
