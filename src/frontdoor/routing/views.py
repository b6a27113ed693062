import hashlib
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from frontdoor.cases.selectors import case_actions_for, customer_cases, customer_contacts
from frontdoor.core.access import staff_required
from frontdoor.core.forms import errors_onto, whole_number
from frontdoor.directory.forms import SkillsForm
from frontdoor.directory.selectors import skills_all
from frontdoor.directory.services import staff_skills_set
from frontdoor.intake.email.selectors import case_emails, recent_mail_for_trial
from frontdoor.routing.forms import GiveForm, MoveForm, PresenceForm, RoutingRuleForm
from frontdoor.routing.matching import CompiledRule, MailFacts
from frontdoor.routing.models import RoutingRule
from frontdoor.routing.selectors import (
    BREACH_WARNING,
    advisor_state_of,
    board_advisor_get,
    board_advisors,
    board_item_get,
    board_items,
    board_queues,
    may_edit_rules,
    may_read_rules,
    may_see_board,
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
    work_item_give,
    work_item_move,
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
    if not form.is_valid():
        messages.error(request, "Choose your status")
        return redirect("console:workspace")
    try:
        state = presence_set(user=request.user, presence=form.cleaned_data["presence"])
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Your status is now {state.get_presence_display().lower()}")
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


# --- The team leader's board ---------------------------------------------------------------


def _board_only(request: HttpRequest) -> None:
    if not may_see_board(request.user):
        raise PermissionDenied("The board is for team leaders and managers.")


def _board_now(request: HttpRequest) -> dict[str, Any]:
    """The live part of the board and a digest of it: the page sends the digest back when it
    asks again, and an unchanged board is not sent again (ages on it change by the minute,
    so it is resent at most about once a minute when nothing else moves; links keep their
    ids, so htmx gives focus back to the one a keyboard user was on)."""
    at = timezone.now()
    queue_id = _queue_filter(request)
    inner = render_to_string(
        "routing/board_now_inner.html",
        {
            "at": at,
            "queues": board_queues(at=at),
            "advisors": board_advisors(at=at),
            "items": board_items(queue_id=queue_id),
            "queue_id": queue_id,
            "breach_minutes": int(BREACH_WARNING.total_seconds() // 60),
        },
        request=request,
    )
    return {"inner": inner, "digest": hashlib.sha256(inner.encode()).hexdigest()[:32]}


def _queue_filter(request: HttpRequest) -> int | None:
    raw = request.GET.get("queue") or request.POST.get("queue") or ""
    return whole_number(raw)


@staff_required
def board(request: HttpRequest) -> HttpResponse:
    _board_only(request)
    queue_id = _queue_filter(request)
    return render(request, "routing/board.html", {**_board_now(request), "queue_id": queue_id})


@staff_required
@require_POST
def board_now(request: HttpRequest) -> HttpResponse:
    _board_only(request)
    now = _board_now(request)
    if request.POST.get("showing") == now["digest"]:
        return HttpResponse(status=204)
    return render(request, "routing/board_now.html", {**now, "queue_id": _queue_filter(request)})


@staff_required
@require_http_methods(["GET", "POST"])
def board_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """Move an item to another queue, or give it to an advisor."""
    item = board_item_get(request.user, item_id=item_id)
    move, give = MoveForm.for_item(item), GiveForm.for_item(item)
    if request.method == "POST":
        to = request.POST.get("to")
        form = MoveForm(request.POST) if to == "queue" else GiveForm(request.POST)
        if to == "queue":
            move = form
        else:
            give = form
        if form.is_valid():
            try:
                if to == "queue":
                    moved = work_item_move(
                        item=item,
                        queue=form.cleaned_data["queue"],
                        seen=form.seen(),
                        actor=request.user,
                    )
                    done = f"Case {moved.case.reference} moved to “{moved.queue.name}”"
                else:
                    advisor = form.cleaned_data["advisor"]
                    work_item_give(item=item, advisor=advisor, seen=form.seen(), actor=request.user)
                    done = f"Case {item.case.reference} given to {advisor.get_full_name()}"
            except ValidationError as error:
                errors_onto(form, error)
            else:
                messages.success(request, done)
                return redirect("console:board")
    return render(
        request,
        "routing/board_item.html",
        {"item": item, "move": move, "give": give, "form": move if move.errors else give},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def board_skills(request: HttpRequest, user_id: int) -> HttpResponse:
    """Change what an advisor is skilled in, and how well, from the board."""
    member = board_advisor_get(request.user, user_id=user_id)
    levels = dict(member.staff_skills.values_list("skill_id", "level"))
    form = SkillsForm(request.POST or None, skills=list(skills_all()), levels=levels)
    if request.method == "POST" and form.is_valid():
        try:
            staff_skills_set(member=member, levels=form.levels(), actor=request.user)
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, f"Skills of {member} saved")
            return redirect("console:board")
    return render(request, "routing/board_skills.html", {"member": member, "form": form})
