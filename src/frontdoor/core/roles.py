"""Staff roles. Residents have accounts too, but no role: they never reach the console."""

from __future__ import annotations

from typing import Any

from django.db import models


class Role(models.TextChoices):
    ADVISOR = "advisor", "Advisor"
    TEAM_LEADER = "team_leader", "Team leader"
    BACK_OFFICE = "back_office", "Back-office officer"
    MANAGER = "manager", "Manager"
    ADMINISTRATOR = "administrator", "Administrator"


FRONT_OFFICE_ROLES = frozenset({Role.ADVISOR, Role.TEAM_LEADER})


def staff_role(user: Any) -> Role | None:
    """The signed-in user's role, or None for residents, signed-out and inactive staff."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    member = getattr(user, "staff_member", None)
    if member is None or not member.is_active:
        return None
    return Role(member.role)


def is_resident(user: Any) -> bool:
    """Signed in, active and not staff in any sense (no staff record, no admin access): a
    resident, who uses My Account and never the console. A former member of staff is still
    staff here, so their old account cannot become a resident's."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return getattr(user, "staff_member", None) is None and not user.is_staff
