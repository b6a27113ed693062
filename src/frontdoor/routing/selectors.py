from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404

from frontdoor.core.memo import ConfigMemo
from frontdoor.core.roles import FRONT_OFFICE_ROLES, Role, staff_role
from frontdoor.directory.models import StaffAbsence, StaffMember, Team
from frontdoor.directory.selectors import absences_at
from frontdoor.routing.matching import CompiledRule, MailFacts
from frontdoor.routing.models import AdvisorState, RoutingRule, WorkChannel, WorkItem, WorkQueue

# Supervisors see the rules; managers and administrators change them.
RULE_READERS = frozenset({Role.TEAM_LEADER, Role.MANAGER, Role.ADMINISTRATOR})
RULE_EDITORS = frozenset({Role.MANAGER, Role.ADMINISTRATOR})


def rules_visible_to(user: Any) -> QuerySet[RoutingRule]:
    if staff_role(user) not in RULE_READERS:
        return RoutingRule.objects.none()
    return RoutingRule.objects.select_related("department", "service").prefetch_related("inboxes")


def rule_get_for(user: Any, *, rule_id: int) -> RoutingRule:
    try:
        return rules_visible_to(user).get(pk=rule_id)
    except RoutingRule.DoesNotExist:
        raise Http404("No such rule") from None


def may_read_rules(user: Any) -> bool:
    return staff_role(user) in RULE_READERS


def may_edit_rules(user: Any) -> bool:
    return staff_role(user) in RULE_EDITORS


# Compiled active rules, remembered a few seconds; an edit in this process clears them.
_rules_memo = ConfigMemo("routing rules", models=("routing.RoutingRule",))


def _compile_active() -> list[CompiledRule]:
    rules = RoutingRule.objects.filter(is_active=True).prefetch_related("inboxes")
    return [
        CompiledRule.of(rule, frozenset(inbox.pk for inbox in rule.inboxes.all()))
        for rule in rules.select_related("department", "service__sla_policy")
    ]


def rules_compiled() -> list[CompiledRule]:
    return _rules_memo.get("active", _compile_active)


def rule_for(facts: MailFacts) -> RoutingRule | None:
    """The first active rule, in order, that matches this email."""
    return next((c.rule for c in rules_compiled() if c.matches(facts)), None)


# --- Work distribution -------------------------------------------------------------------


def may_take_work(user: Any) -> bool:
    """Advisors and team leaders work the front office's queues."""
    return staff_role(user) in FRONT_OFFICE_ROLES


def advisor_state_of(user: Any) -> AdvisorState | None:
    return AdvisorState.objects.filter(user=user).first()


def work_offered_to(user: Any) -> list[WorkItem]:
    """What is offered to this advisor now, waiting for their answer, soonest due first."""
    return list(
        WorkItem.objects.filter(offered_to=user, status=WorkItem.Status.OFFERED)
        .select_related("case__customer", "case__service", "queue")
        .order_by("due_at", "priority", "created_at", "pk")
    )


def work_held_by(user: Any) -> list[WorkItem]:
    """What this advisor has accepted and not yet finished, soonest due first."""
    return list(
        WorkItem.objects.filter(assigned_to=user, status=WorkItem.Status.ASSIGNED)
        .select_related("case__customer", "case__service", "queue")
        .order_by("due_at", "priority", "created_at", "pk")
    )


def work_item_for(user: Any, *, item_id: int) -> WorkItem:
    """A work item this advisor holds or was ever offered (so that answering an offer that
    has since moved on says so); 404 for any other."""
    mine = Q(offered_to=user) | Q(assigned_to=user) | Q(offers__advisor=user)
    found = WorkItem.objects.filter(mine, pk=item_id).select_related("case", "queue").first()
    if found is None:
        raise Http404("That work is not yours")
    return found


# --- The team leader's board ----------------------------------------------------------

# Team leaders run the floor; managers look in and may step in.
BOARD_ROLES = frozenset({Role.TEAM_LEADER, Role.MANAGER})
# The board warns of work whose target falls within this time.
BREACH_WARNING = timedelta(hours=1)
BOARD_ITEMS_SHOWN = 50


def may_see_board(user: Any) -> bool:
    return staff_role(user) in BOARD_ROLES


@dataclass(frozen=True)
class QueueLine:
    queue: WorkQueue
    waiting: int
    offered: int
    held: int
    oldest_waiting_since: datetime | None
    due_within_the_hour: int
    overdue: int


def board_queues(*, at: datetime) -> list[QueueLine]:
    """Each active queue: what waits, is offered and is held, the oldest waiting, and the
    work whose target falls in the next hour or has passed. One grouped query over the
    open items (finished ones are left out by work_item_choice, which leads with status)."""
    soon = at + BREACH_WARNING
    counts: dict[int, dict[str, Any]] = {
        row["queue"]: dict(row)
        for row in WorkItem.objects.filter(status__in=WorkItem.OPEN)
        .values("queue")
        .annotate(
            waiting=Count("pk", filter=Q(status=WorkItem.Status.WAITING)),
            offered=Count("pk", filter=Q(status=WorkItem.Status.OFFERED)),
            held=Count("pk", filter=Q(status=WorkItem.Status.ASSIGNED)),
            oldest=Min("created_at", filter=Q(status=WorkItem.Status.WAITING)),
            due_soon=Count("pk", filter=Q(due_at__gte=at, due_at__lt=soon)),
            overdue=Count("pk", filter=Q(due_at__lt=at)),
        )
        .order_by()
    }
    lines = []
    # A queue that takes no new work still shows while work waits in it (it is still given out).
    for queue in WorkQueue.objects.filter(Q(is_active=True) | Q(pk__in=counts)):
        row = counts.get(queue.pk, {})
        lines.append(
            QueueLine(
                queue=queue,
                waiting=row.get("waiting", 0),
                offered=row.get("offered", 0),
                held=row.get("held", 0),
                oldest_waiting_since=row.get("oldest"),
                due_within_the_hour=row.get("due_soon", 0),
                overdue=row.get("overdue", 0),
            )
        )
    return lines


@dataclass
class AdvisorLine:
    member: StaffMember
    state: AdvisorState | None
    absence: StaffAbsence | None
    load: dict[str, int] = field(default_factory=dict)  # channel: items held or offered
    items: list[WorkItem] = field(default_factory=list)

    @property
    def presence(self) -> str:
        return self.state.presence if self.state else AdvisorState.Presence.OFFLINE

    @property
    def email_capacity(self) -> int:
        """As the queues count it (routing.services.advisor_profile): no team, one at a time."""
        return (self.member.team or Team()).capacity(WorkChannel.EMAIL)


def board_advisors(*, at: datetime) -> list[AdvisorLine]:
    """Every front-office advisor and team leader: presence, absence, and what they hold."""
    members = list(
        StaffMember.objects.filter(
            is_active=True, user__is_active=True, role__in=FRONT_OFFICE_ROLES
        ).select_related("user", "team")
    )
    states = {s.user_id: s for s in AdvisorState.objects.filter(user__in=[m.user for m in members])}
    away = {a.staff_id: a for a in absences_at(at=at)}
    lines = {
        m.user_id: AdvisorLine(member=m, state=states.get(m.user_id), absence=away.get(m.pk))
        for m in members
    }
    held = WorkItem.objects.filter(
        status__in=[WorkItem.Status.OFFERED, WorkItem.Status.ASSIGNED]
    ).select_related("case")
    for item in held.order_by("due_at", "pk"):
        line = lines.get(item.assigned_to_id or item.offered_to_id or 0)
        if line is not None:
            line.load[item.channel] = line.load.get(item.channel, 0) + 1
            line.items.append(item)
    return sorted(lines.values(), key=lambda line: str(line.member))


def board_items(*, queue_id: int | None = None) -> list[WorkItem]:
    """The open work due soonest, with who has it: what the team leader may move."""
    items = WorkItem.objects.filter(status__in=WorkItem.OPEN)
    if queue_id is not None:
        items = items.filter(queue_id=queue_id)
    return list(
        items.select_related("case__service", "queue", "offered_to", "assigned_to").order_by(
            "due_at", "priority", "created_at", "pk"
        )[:BOARD_ITEMS_SHOWN]
    )


def board_item_get(user: Any, *, item_id: int) -> WorkItem:
    """A work item for the board's move page (a finished one says so there); 403 for those
    who may not use the board."""
    if not may_see_board(user):
        raise PermissionDenied("The board is for team leaders and managers.")
    found = (
        WorkItem.objects.filter(pk=item_id)
        .select_related("case__service", "case__customer", "queue", "offered_to", "assigned_to")
        .first()
    )
    if found is None:
        raise Http404("No such work item")
    return found


def board_advisor_get(user: Any, *, user_id: int) -> StaffMember:
    """A front-office member of staff whose skills the board may change."""
    if not may_see_board(user):
        raise PermissionDenied("The board is for team leaders and managers.")
    member = (
        StaffMember.objects.filter(user_id=user_id, role__in=FRONT_OFFICE_ROLES)
        .select_related("user", "team")
        .first()
    )
    if member is None:
        raise Http404("No such advisor")
    return member


def advisors_to_give_work_to() -> QuerySet[Any]:
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            staff_member__is_active=True,
            staff_member__role__in=FRONT_OFFICE_ROLES,
        )
        .select_related("staff_member")
        .order_by("first_name", "last_name")
    )
