from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from frontdoor.cases.models import Case, Channel
from frontdoor.cases.services import case_forward, case_note_add
from frontdoor.routing.models import RoutingRule


@transaction.atomic
def rule_save(*, rule: RoutingRule, inbox_ids: list[int], actor: Any) -> RoutingRule:
    """Save a rule the form has validated, with the inboxes it is limited to."""
    rule.updated_by = actor
    rule.save()
    rule.inboxes.set(inbox_ids)
    return rule


@transaction.atomic
def rule_delete(*, rule: RoutingRule) -> None:
    rule.delete()


@transaction.atomic
def routing_apply(*, case: Case, rule: RoutingRule) -> Case:
    """Send a new case where the rule that caught it says, and note the rule on its timeline.
    (Mail intake opens the case with the rule recorded: CaseDraft.routed_by.)"""
    if case.routed_by_id != rule.pk:
        case.routed_by = rule
        case.save(update_fields=["routed_by", "updated_at"])
    department = rule.department
    note = f"Keyword routing rule “{rule.name}” matched"
    if department is not None and not (
        case.status == Case.Status.FORWARDED and case.department_id == department.pk
    ):
        try:
            return case_forward(
                case=case,
                actor=None,
                department=department,
                reason=f"Sent straight to {department.name} by the keyword routing rule "
                f"“{rule.name}”",
                channel=Channel.EMAIL,
            )
        except ValidationError as error:
            # e.g. a restricted case stays with its own department; say so on the case.
            note += f", but the case could not go to {department.name}: " + "; ".join(
                error.messages
            )
    case_note_add(case=case, actor=None, text=note, channel=Channel.EMAIL)
    return case
