from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from frontdoor.core.formatting import when
from frontdoor.core.memo import ConfigMemo
from frontdoor.directory.models import (
    ContactPoint,
    Department,
    Service,
    Skill,
    StaffAbsence,
    StaffMember,
    StaffSkill,
)

log = logging.getLogger(__name__)

# A busy inbox takes a message a second: its last-used time moves on at most once a minute
# from each process, which is all a "last used" date needs.
MARK_EVERY = timedelta(minutes=1)
_last_marked: dict[int, datetime] = {}


@transaction.atomic
def contact_point_create(
    *,
    kind: str,
    name: str,
    address: str,
    service: Service | None = None,
    department: Department | None = None,
    published: bool = True,
) -> ContactPoint:
    """A new way in (an app's Open311 connection, an integration's), refused, saying so, when
    one of its kind already has that address."""
    if ContactPoint.objects.filter(kind=kind, address=address).exists():
        raise ValidationError(
            {"address": f"There is already a contact point at {address}: choose another"}
        )
    return ContactPoint.objects.create(
        kind=kind,
        name=name,
        address=address,
        service=service,
        department=department,
        published=published,
    )


def contact_point_mark_used(*, contact_point_id: int, at: datetime) -> None:
    """Move last_used_at forward only: one conditional UPDATE, safe under concurrency."""
    marked = _last_marked.get(contact_point_id)
    if marked is not None and marked <= at < marked + MARK_EVERY:
        return
    ContactPoint.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=at), pk=contact_point_id
    ).update(last_used_at=at)
    # Remembered only once it is kept: a rolled-back mark must not stop the next one.
    transaction.on_commit(partial(_last_marked.__setitem__, contact_point_id, at))


def contact_point_marks_forget() -> None:
    """Forget which marks this process made (tests that reuse ids between cases need it)."""
    _last_marked.clear()


@transaction.atomic
def contact_point_status_set(
    *, contact_point: ContactPoint, status: str, actor: Any
) -> ContactPoint:
    """Mark a contact point for review, retire it or bring it back into use, recording who
    did and when. Retiring deletes nothing: its contacts, their cases and the rollups keep it,
    so the reports of the past are unchanged."""
    if status not in ContactPoint.Status.values:
        raise ValidationError({"status": "Choose active, under review or retired"})
    point = ContactPoint.objects.select_for_update().get(pk=contact_point.pk)
    if point.status == status:
        return point
    point.status = status
    point.status_changed_at = timezone.now()
    point.status_changed_by = actor
    point.save(update_fields=["status", "status_changed_at", "status_changed_by"])
    log.info("%s is now %s, set by %s", point, status, getattr(actor, "username", actor))
    return point


@transaction.atomic
def contact_points_review_mark(*, points: QuerySet[ContactPoint], actor: Any) -> int:
    """Mark for review those of these contact points that are active (reporting finds the
    ones nobody has used for a year); gives back how many. One UPDATE."""
    marked = points.filter(status=ContactPoint.Status.ACTIVE).update(
        status=ContactPoint.Status.UNDER_REVIEW,
        status_changed_at=timezone.now(),
        status_changed_by=actor,
    )
    log.info(
        "%d unused contact points marked for review by %s",
        marked,
        getattr(actor, "username", actor),
    )
    # An UPDATE sends no signal: what remembers the ways in (acknowledgements) forgets them.
    transaction.on_commit(_contact_point_memos_clear)
    return marked


def _contact_point_memos_clear() -> None:
    for memo in ConfigMemo.every:
        if "directory.ContactPoint" in memo.models:
            memo.clear()


# --- Absence ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AbsenceDraft:
    staff: StaffMember
    kind: str
    starts_at: datetime
    ends_at: datetime | None = None
    reason: str = ""
    cover: StaffMember | None = None
    cover_department: Department | None = None


@transaction.atomic
def absence_record(*, draft: AbsenceDraft, actor: Any) -> StaffAbsence:
    """Record that someone is, or will be, away. From its start they get no work from the
    queues, and whoever tries to forward or assign them work is told who covers.

    Refused, with a message for the field at fault: an end before the start, an absence that
    overlaps one already recorded, a person covering themselves, or a cover who is away too."""
    errors: dict[str, str] = {}
    if draft.ends_at is not None and draft.ends_at <= draft.starts_at:
        errors["ends_at"] = "The end must be after the start"
    if draft.kind not in StaffAbsence.Kind.values:
        errors["kind"] = "Choose planned or unplanned"
    if draft.cover is not None:
        if draft.cover.pk == draft.staff.pk:
            errors["cover"] = "Choose someone else to cover: nobody covers their own absence"
        elif _overlapping(draft.cover, draft.starts_at, draft.ends_at).exists():
            errors["cover"] = f"{draft.cover} is away then too: choose someone else to cover"
    # Locking the person's row makes two recorders of the same absence take turns.
    StaffMember.objects.select_for_update().filter(pk=draft.staff.pk).first()
    clash = _overlapping(draft.staff, draft.starts_at, draft.ends_at).first()
    if clash is not None and "ends_at" not in errors:
        until = f"to {when(clash.ends_at)}" if clash.ends_at else "until further notice"
        errors["starts_at"] = (
            f"{draft.staff} is already recorded as away from {when(clash.starts_at)} {until}. "
            "Change that absence instead."
        )
    if errors:
        raise ValidationError(errors)
    return StaffAbsence.objects.create(
        staff=draft.staff,
        kind=draft.kind,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        reason=draft.reason.strip(),
        cover=draft.cover,
        cover_department=draft.cover_department,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )


def _overlapping(member: StaffMember, starts_at: datetime, ends_at: datetime | None) -> Any:
    """Absences of this person that share any moment with [starts_at, ends_at)."""
    overlap = Q(ends_at__isnull=True) | Q(ends_at__gt=starts_at)
    if ends_at is not None:
        overlap &= Q(starts_at__lt=ends_at)
    return StaffAbsence.objects.filter(overlap, staff=member, withdrawn=False)


@transaction.atomic
def absence_end(*, absence: StaffAbsence, actor: Any, at: datetime | None = None) -> None:
    """They are back (an absence under way ends now), or it will not happen (one not yet
    begun is withdrawn)."""
    at = at or timezone.now()
    absence = StaffAbsence.objects.select_for_update().get(pk=absence.pk)
    if absence.withdrawn or (absence.ends_at is not None and absence.ends_at <= at):
        return
    if absence.starts_at >= at:
        absence.withdrawn = True
    else:
        absence.ends_at = at
    absence.ended_by, absence.ended_at = actor, at
    absence.save(update_fields=["withdrawn", "ends_at", "ended_by", "ended_at"])


# --- Skills -----------------------------------------------------------------------------


@transaction.atomic
def staff_skills_set(*, member: StaffMember, levels: dict[int, int | None], actor: Any) -> None:
    """Set a member of staff's skills: a level for each skill given, none to take it away.
    A skill not named is left as it is."""
    known = set(Skill.objects.filter(pk__in=levels).values_list("pk", flat=True))
    errors = {
        f"skill_{skill_id}": "Choose a level from the list"
        for skill_id, level in levels.items()
        if skill_id not in known or (level is not None and level not in StaffSkill.Level.values)
    }
    if errors:
        raise ValidationError(errors)
    for skill_id, level in levels.items():
        if level is None:
            StaffSkill.objects.filter(staff=member, skill_id=skill_id).delete()
        else:
            StaffSkill.objects.update_or_create(
                staff=member, skill_id=skill_id, defaults={"level": level}
            )
    log.info("Skills of %s set by %s: %s", member, getattr(actor, "username", actor), levels)
