from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from frontdoor.cases.selectors import case_actions_for, customer_cases, customer_contacts
from frontdoor.core.access import staff_required
from frontdoor.intake.email.selectors import case_emails, recent_mail_for_trial
from frontdoor.routing.forms import PresenceForm, RoutingRuleForm
from frontdoor.routing.matching import CompiledRule, MailFacts
from frontdoor.routing.models import RoutingRule
from frontdoor.routing.selectors import (
    advisor_state_of,
    may_edit_rules,
    may_read_rules,
    may_take_work,
    rule_get_for,
    rules_compiled,
    rules_visible_to,
    work_held_by,
    work_item_for,
    work_offered_to,
)
from frontdoor.routing.services import (
    advisor_seen,
    presence_set,
    rule_delete,
    rule_save,
    work_next,
    work_offer_accept,
    work_offer_decline,
)

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


# --- The advisor's workspace ---------------------------------------------------------------


def _front_office(request: HttpRequest) -> None:
    if not may_take_work(request.user):
        raise PermissionDenied("Work from the queues is for advisors and team leaders.")


@staff_required
def workspace(request: HttpRequest) -> HttpResponse:
    """The advisor's work: their status, what is offered to them (kept current by work_now),
    and what they hold, with the case and the customer's history side by side."""
    _front_office(request)
    state = advisor_state_of(request.user)
    held = work_held_by(request.user)
    current = held[0] if held else None
    case = current.case if current else None
    customer_id = case.customer_id if case else None
    return render(
        request,
        "routing/workspace.html",
        {
            "state": state,
            "presence_form": PresenceForm(initial={"presence": state.presence if state else None}),
            **_now(request),
            "current": current,
            "case": case,
            "emails": case_emails(case) if case else [],
            "actions": case_actions_for(request.user, case) if case else frozenset(),
            "history_cases": (
                customer_cases(request.user, customer_id=customer_id).exclude(pk=case.pk)[:20]
                if case and customer_id
                else []
            ),
            "history_contacts": (
                customer_contacts(request.user, customer_id=customer_id)[:20] if customer_id else []
            ),
        },
    )


def _now(request: HttpRequest) -> dict:
    offered, held = work_offered_to(request.user), work_held_by(request.user)
    # What the live part of the page shows, so that an unchanged answer is not sent again.
    showing = ",".join([f"o{item.pk}" for item in offered] + [f"h{item.pk}" for item in held])
    return {"offered": offered, "held": held, "showing": showing}


@staff_required
@require_POST
def work_now(request: HttpRequest) -> HttpResponse:
    """What the workspace shows of offers and held work, asked for every few seconds; asking
    also tells the dispatcher the advisor is still there. When nothing has changed the answer
    is empty (204), so the page keeps its focus and a screen reader is not told again."""
    _front_office(request)
    advisor_seen(user=request.user)
    now = _now(request)
    if request.POST.get("showing") == now["showing"]:
        return HttpResponse(status=204)
    return render(request, "routing/work_now.html", now)


@staff_required
@require_POST
def presence_change(request: HttpRequest) -> HttpResponse:
    _front_office(request)
    form = PresenceForm(request.POST)
    if form.is_valid():
        state = presence_set(user=request.user, presence=form.cleaned_data["presence"])
        messages.success(request, f"Your status is now {state.get_presence_display().lower()}")
    else:
        messages.error(request, "Choose your status")
    return redirect("console:workspace")


@staff_required
@require_POST
def work_answer(request: HttpRequest, item_id: int, answer: str) -> HttpResponse:
    _front_office(request)
    item = work_item_for(request.user, item_id=item_id)
    try:
        if answer == "accept":
            work_offer_accept(item=item, advisor=request.user)
            messages.success(request, f"Case {item.case.reference} is yours")
        elif answer == "decline":
            work_offer_decline(item=item, advisor=request.user)
            messages.success(request, f"Case {item.case.reference} passed on")
        else:
            raise Http404("No such answer")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("console:workspace")


@staff_required
@require_POST
def work_next_take(request: HttpRequest) -> HttpResponse:
    _front_office(request)
    try:
        item = work_next(user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("console:workspace")
    if item is None:
        messages.error(
            request,
            "There is no waiting email you have the skills for, or you already hold as many "
            "as you may at once. Finish one first.",
        )
    else:
        messages.success(request, f"Case {item.case.reference} is yours")
    return redirect("console:workspace")
