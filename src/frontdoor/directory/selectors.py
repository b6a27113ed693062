from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from frontdoor.core.formatting import when
from frontdoor.core.roles import FRONT_OFFICE_ROLES, Role, staff_role
from frontdoor.directory.models import (
    ContactPoint,
    Department,
    Service,
    Skill,
    StaffAbsence,
    StaffMember,
)

# How far ahead the list of who is away looks.
ABSENCE_HORIZON = timedelta(days=14)


def services_active() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True).select_related("department", "sla_policy")


def departments_active() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True)


def contact_points_for_logging(*, kinds: list[str]) -> QuerySet[ContactPoint]:
    """Contact points staff may log a contact against: not retired."""
    return ContactPoint.objects.filter(kind__in=kinds).exclude(status=ContactPoint.Status.RETIRED)


# --- Absence ----------------------------------------------------------------------------


def _away_at(at: datetime) -> Q:
    """The condition for an absence that covers this moment."""
    return Q(withdrawn=False, starts_at__lte=at) & (Q(ends_at__isnull=True) | Q(ends_at__gt=at))


def absence_of(member: StaffMember, *, at: datetime | None = None) -> StaffAbsence | None:
    """The absence this member of staff is on at the moment given (now by default)."""
    at = at or timezone.now()
    return (
        StaffAbsence.objects.filter(_away_at(at), staff=member)
        .select_related("cover__user", "cover_department")
        .order_by("starts_at")
        .first()
    )


def absences_at(*, at: datetime) -> QuerySet[StaffAbsence]:
    """Absences covering this moment (their people by .values("staff"), to leave them out)."""
    return StaffAbsence.objects.filter(_away_at(at))


def absences_current(*, at: datetime | None = None, ahead: timedelta = ABSENCE_HORIZON):
    """Who is away now or will be soon, soonest first: everyone in the console may see this,
    so nobody passes work to a colleague who is not there."""
    at = at or timezone.now()
    return (
        StaffAbsence.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .filter(starts_at__lt=at + ahead, withdrawn=False)
        .select_related("staff__user", "staff__department", "cover__user", "cover_department")
        .order_by("starts_at", "pk")
    )


def absence_refusal(member: StaffMember, absence: StaffAbsence) -> str:
    """What to tell someone who tried to give work to a person who is away: until when, and
    who or which team covers."""
    name = str(member)
    until = f"until {when(absence.ends_at)}" if absence.ends_at else "until further notice"
    told = f"{name} is away {until}."
    if absence.cover is not None:
        return f"{told} {absence.cover} is covering: send it to them instead."
    if absence.cover_department is not None:
        return f"{told} {absence.cover_department.name} is covering: send it to their inbox."
    if member.department is not None:
        return f"{told} Send it to the {member.department.name} inbox instead."
    return f"{told} Choose someone else."


# Team leaders look after the front office's people; managers and administrators everyone's.
_ABSENCE_RECORDERS_FOR_ALL = frozenset({Role.MANAGER, Role.ADMINISTRATOR})


def may_record_absence_of(user: Any, member: StaffMember) -> bool:
    role = staff_role(user)
    if role in _ABSENCE_RECORDERS_FOR_ALL:
        return True
    return role == Role.TEAM_LEADER and member.role in FRONT_OFFICE_ROLES


def absence_get_for(user: Any, *, absence_id: int) -> StaffAbsence:
    """An absence the user may end or withdraw: 404 if there is none, 403 if not theirs to."""
    absence = (
        StaffAbsence.objects.filter(pk=absence_id, withdrawn=False)
        .select_related("staff__user")
        .first()
    )
    if absence is None:
        raise Http404("No such absence")
    if not may_record_absence_of(user, absence.staff):
        raise PermissionDenied("Team leaders and managers record absences.")
    return absence


def may_record_absences(user: Any) -> bool:
    return staff_role(user) in _ABSENCE_RECORDERS_FOR_ALL | {Role.TEAM_LEADER}


def staff_whose_absence_may_be_recorded_by(user: Any) -> QuerySet[StaffMember]:
    role = staff_role(user)
    staff = StaffMember.objects.filter(is_active=True, user__is_active=True).select_related("user")
    if role in _ABSENCE_RECORDERS_FOR_ALL:
        return staff
    if role == Role.TEAM_LEADER:
        return staff.filter(role__in=FRONT_OFFICE_ROLES)
    return staff.none()


def staff_active() -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(is_active=True, user__is_active=True).select_related("user")


def back_office_officers() -> QuerySet[Any]:
    """People a case may be forwarded to by name: back-office officers at work here."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, staff_member__is_active=True, staff_member__role=Role.BACK_OFFICE
        )
        .select_related("staff_member__department")
        .order_by("staff_member__department__name", "first_name", "last_name")
    )


def skills_all() -> QuerySet[Skill]:
    return Skill.objects.order_by("family_group", "name")
