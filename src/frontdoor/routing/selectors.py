from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from frontdoor.core.memo import ConfigMemo
from frontdoor.core.roles import FRONT_OFFICE_ROLES, Role, staff_role
from frontdoor.routing.matching import CompiledRule, MailFacts
from frontdoor.routing.models import AdvisorState, RoutingRule, WorkItem

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
