from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from frontdoor.directory.models import (
    ContactPoint,
    Department,
    Service,
    Skill,
    SLAPolicy,
    StaffAbsence,
    StaffMember,
    StaffSkill,
    Team,
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
    """A contact point's status is changed on the staff console's Contact points page, which
    records who changed it and when (directory.services.contact_point_status_set)."""

    list_display = ["name", "kind", "address", "service", "status", "last_used_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "address"]
    readonly_fields = ["status", "status_changed_at", "status_changed_by", "last_used_at"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email_capacity",
        "phone_capacity",
        "chat_capacity",
        "face_to_face_capacity",
    ]


class StaffSkillInline(admin.TabularInline):
    model = StaffSkill
    extra = 1
    verbose_name_plural = "Skills"


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["__str__", "role", "department", "team", "may_view_restricted", "is_active"]
    list_filter = ["role", "department", "team"]
    inlines = [StaffSkillInline]
    search_fields = ["user__username", "user__first_name", "user__last_name"]


class StaffMemberInline(admin.StackedInline):
    model = StaffMember
    can_delete = False
    verbose_name_plural = "Role in the council (skills are on the staff member's own page)"


# Staff are created as users with their role alongside, on one page.
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffMemberInline]
    list_display = ["username", "first_name", "last_name", "email", "staff_role", "is_active"]
    list_select_related = ["staff_member"]

    @admin.display(description="Role")
    def staff_role(self, user):
        member = getattr(user, "staff_member", None)
        return member.get_role_display() if member else "Resident"


@admin.register(StaffAbsence)
class StaffAbsenceAdmin(admin.ModelAdmin):
    """Absences are recorded on the console's "Who is away" page (its checks are the
    service's); here they can be looked up."""

    list_display = ["staff", "kind", "starts_at", "ends_at", "cover", "cover_department"]
    list_filter = ["kind"]
    search_fields = ["staff__user__first_name", "staff__user__last_name"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
