from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from frontdoor.core.access import staff_required
from frontdoor.intake.email.selectors import recent_mail_for_trial
from frontdoor.routing.forms import RoutingRuleForm
from frontdoor.routing.matching import CompiledRule, MailFacts
from frontdoor.routing.models import RoutingRule
from frontdoor.routing.selectors import (
    may_edit_rules,
    may_read_rules,
    rule_get_for,
    rules_compiled,
    rules_visible_to,
)
from frontdoor.routing.services import rule_delete, rule_save

TRIAL_SIZE = 500
TRIAL_SHOWN = 50


@staff_required
def rule_list(request: HttpRequest) -> HttpResponse:
    if not may_read_rules(request.user):
        raise PermissionDenied("Keyword routing rules are for team leaders and managers.")
    rules = rules_visible_to(request.user)
    return render(
        request,
        "routing/rule_list.html",
        {"rules": rules, "may_edit": may_edit_rules(request.user)},
    )


def _trial(request: HttpRequest, rule: RoutingRule, inbox_ids: frozenset[int]) -> dict:
    """Which recent mail the draft rule would catch, and which an earlier rule takes first."""
    draft = CompiledRule.of(rule, inbox_ids)
    earlier = [
        c
        for c in rules_compiled()
        if c.rule.pk != rule.pk and (c.rule.position, c.rule.pk) < (rule.position, rule.pk or 0)
    ]
    emails = list(recent_mail_for_trial(request.user, limit=TRIAL_SIZE))
    caught = []
    for email in emails:
        facts = MailFacts(
            inbox_id=email.contact_point_id,
            sender=email.from_address,
            subject=email.subject,
            body=email.text_body,
        )
        if draft.matches(facts):
            first = next((c.rule for c in earlier if c.matches(facts)), None)
            caught.append((email, first))
    return {
        "tried": len(emails),
        "caught": caught[:TRIAL_SHOWN],
        "caught_count": len(caught),
        "taken_first": sum(1 for _, first in caught if first is not None),
    }


@staff_required
def rule_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    if not may_edit_rules(request.user):
        raise PermissionDenied("Only managers and administrators change routing rules.")
    rule = rule_get_for(request.user, rule_id=rule_id) if rule_id else None
    if rule is None:
        last = RoutingRule.objects.order_by("-position").first()
        initial = {"position": (last.position + 10) if last else 10}
        form = RoutingRuleForm(request.POST or None, instance=rule, initial=initial)
    else:
        form = RoutingRuleForm(request.POST or None, instance=rule)
    trial = None
    if request.method == "POST" and form.is_valid():
        draft: RoutingRule = form.save(commit=False)
        inbox_ids = [inbox.pk for inbox in form.cleaned_data["inboxes"]]
        if request.POST.get("action") == "test":
            trial = _trial(request, draft, frozenset(inbox_ids))
        else:
            saved = rule_save(rule=draft, inbox_ids=inbox_ids, actor=request.user)
            messages.success(request, f"Rule “{saved.name}” saved")
            return redirect("console:routing_rules")
    return render(request, "routing/rule_edit.html", {"form": form, "rule": rule, "trial": trial})


@staff_required
@require_POST
def rule_remove(request: HttpRequest, rule_id: int) -> HttpResponse:
    if not may_edit_rules(request.user):
        raise PermissionDenied("Only managers and administrators change routing rules.")
    rule = rule_get_for(request.user, rule_id=rule_id)
    rule_delete(rule=rule)
    messages.success(request, f"Rule “{rule.name}” deleted")
    return redirect("console:routing_rules")
