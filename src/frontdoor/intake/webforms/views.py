"""The public pages of an online form: start, one page per group of questions, where, about
you, check your answers, confirmation. Answers wait in the session until they are sent."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from frontdoor.cases.selectors import cases_by_reference
from frontdoor.core.signin import client_address
from frontdoor.intake.webforms.forms import (
    AboutYouForm,
    WhereForm,
    answer_shown,
    answer_stored,
    answers_form_class,
)
from frontdoor.intake.webforms.models import FormField, RequestForm
from frontdoor.intake.webforms.selectors import form_published, forms_published
from frontdoor.intake.webforms.services import (
    Place,
    Requester,
    RequestMade,
    request_submit,
)

log = logging.getLogger(__name__)
WHERE, ABOUT_YOU, CHECK = "where", "about-you", "check"


@dataclass(frozen=True)
class Step:
    name: str
    fields: list[FormField]


def _steps(form: RequestForm) -> list[Step]:
    pages: dict[int, list[FormField]] = {}
    for field in form.fields.all():
        pages.setdefault(field.page, []).append(field)
    steps = [Step(f"questions-{n}", fields) for n, fields in sorted(pages.items())]
    if form.needs_location:
        steps.append(Step(WHERE, []))
    steps.append(Step(ABOUT_YOU, []))
    return steps


def _state(request: HttpRequest, form: RequestForm) -> dict[str, Any]:
    key = f"webform:{form.slug}"
    state = request.session.get(key)
    if state is None:
        state = {"token": secrets.token_urlsafe(18), "done": []}
        request.session[key] = state
    return state


def _save(request: HttpRequest, form: RequestForm, state: dict[str, Any]) -> None:
    request.session[f"webform:{form.slug}"] = state
    request.session.modified = True


def _step_url(form: RequestForm, step: str) -> str:
    return reverse("webform_step", args=[form.slug, step])


def form_list(request: HttpRequest) -> HttpResponse:
    return render(request, "webforms/list.html", {"forms": forms_published()})


def form_start(request: HttpRequest, slug: str) -> HttpResponse:
    form = form_published(slug=slug)
    first = _steps(form)[0].name
    return render(request, "webforms/start.html", {"request_form": form, "first": first})


def _initial(fields: list[FormField], answers: dict[str, Any]) -> dict[str, Any]:
    initial = {}
    for field in fields:
        value = answers.get(field.code)
        if value is not None and field.datatype == FormField.Datatype.DATE:
            value = date.fromisoformat(value)
        initial[field.code] = value
    return initial


def form_step(request: HttpRequest, slug: str, step: str) -> HttpResponse:
    form = form_published(slug=slug)
    steps = _steps(form)
    names = [s.name for s in steps]
    if step == CHECK:
        return _check(request, form, steps)
    if step not in names:
        return redirect(_step_url(form, names[0]))
    state = _state(request, form)
    position = names.index(step)
    missing = next((n for n in names[:position] if n not in state["done"]), None)
    if missing:
        return redirect(_step_url(form, missing))
    current = steps[position]
    page_form = _page_form(form, current, state, request.POST if request.method == "POST" else None)
    if request.method == "POST" and page_form.is_valid():
        if current.name == ABOUT_YOU and page_form.cleaned_data.get("website"):
            log.warning("Form %s: the honeypot was filled in; not accepted", form.slug)
            page_form.add_error(None, "We could not accept this form. Please phone us instead.")
        else:
            _remember(state, current, page_form.cleaned_data)
            if current.name not in state["done"]:
                state["done"].append(current.name)
            _save(request, form, state)
            after = (
                CHECK
                if "change" in request.GET or position + 1 == len(names)
                else names[position + 1]
            )
            return redirect(_step_url(form, after))
    back = (
        _step_url(form, names[position - 1]) if position else reverse("webform_start", args=[slug])
    )
    return render(
        request,
        "webforms/step.html",
        {
            "request_form": form,
            "form": page_form,
            "step": current,
            "back": back,
            "single": len(page_form.fields) == 1,
        },
    )


def _page_form(form: RequestForm, step: Step, state: dict[str, Any], data: Any) -> forms.Form:
    if step.name == WHERE:
        return WhereForm(data, initial=state.get("where", {}))
    if step.name == ABOUT_YOU:
        you = AboutYouForm(data, initial=state.get("you", {}), email_required=form.email_required)
        you.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        return you
    cls = answers_form_class(form, fields=step.fields)
    return cls(data, initial=_initial(step.fields, state.get("answers", {})))


def _remember(state: dict[str, Any], step: Step, cleaned: dict[str, Any]) -> None:
    if step.name == WHERE:
        state["where"] = cleaned
    elif step.name == ABOUT_YOU:
        state["you"] = {k: v for k, v in cleaned.items() if k != "website"}
    else:
        answers = state.setdefault("answers", {})
        for code, value in cleaned.items():
            answers[code] = answer_stored(value)


def _check(request: HttpRequest, form: RequestForm, steps: list[Step]) -> HttpResponse:
    state = _state(request, form)
    missing = next((s.name for s in steps if s.name not in state["done"]), None)
    if missing:
        done = request.session.get(f"webform-done:{form.slug}")
        if request.method == "POST" and done:  # sent already: a second click
            return redirect("webform_done", slug=form.slug)
        return redirect(_step_url(form, missing))
    problem = ""
    if request.method == "POST":
        try:
            submission = request_submit(request=_request_made(request, form, state))
        except ValidationError as error:
            if hasattr(error, "error_dict") and "slot" in error.error_dict:
                slot_step = next(
                    s.name
                    for s in steps
                    if any(f.datatype == FormField.Datatype.SLOT for f in s.fields)
                )
                state["done"] = [n for n in state["done"] if n != slot_step]
                _save(request, form, state)
                return redirect(_step_url(form, slot_step) + "?taken=1")
            problem = " ".join(error.messages)
        else:
            request.session.pop(f"webform:{form.slug}", None)
            request.session[f"webform-done:{form.slug}"] = submission.case.reference
            request.session[f"webform-done-email:{form.slug}"] = submission.email
            return redirect("webform_done", slug=form.slug)
    rows = _summary_rows(form, steps, state)
    return render(
        request,
        "webforms/check.html",
        {
            "request_form": form,
            "rows": rows,
            "problem": problem,
            "back": _step_url(form, steps[-1].name),
        },
    )


def _summary_rows(
    form: RequestForm, steps: list[Step], state: dict[str, Any]
) -> list[dict[str, str]]:
    rows = []
    answers = state.get("answers", {})
    for step in steps:
        change = _step_url(form, step.name) + "?change=1"
        for field in step.fields:
            rows.append(
                {
                    "key": field.label.rstrip("?"),
                    "value": answer_shown(field, answers.get(field.code)),
                    "change": change,
                    "id": field.code,
                }
            )
        if step.name == WHERE:
            where = state["where"]
            rows.append(
                {"key": "Where", "value": where["location"], "change": change, "id": "location"}
            )
            if where.get("postcode"):
                rows.append(
                    {
                        "key": "Postcode",
                        "value": where["postcode"],
                        "change": change,
                        "id": "postcode",
                    }
                )
        if step.name == ABOUT_YOU:
            you = state["you"]
            for key, label in (
                ("name", "Name"),
                ("email", "Email address"),
                ("phone", "Phone number"),
            ):
                rows.append(
                    {
                        "key": label,
                        "value": you.get(key) or "Not given",
                        "change": change,
                        "id": key,
                    }
                )
    return rows


def _request_made(request: HttpRequest, form: RequestForm, state: dict[str, Any]) -> RequestMade:
    you = state.get("you", {})
    where = state.get("where", {})
    return RequestMade(
        form=form,
        answers=state.get("answers", {}),
        requester=Requester(
            name=you.get("name", ""), email=you.get("email", ""), phone=you.get("phone", "")
        ),
        place=Place(description=where.get("location", ""), postcode=where.get("postcode", "")),
        source_key=f"webform:{state['token']}",
        client_ip=client_address(request),
    )


def form_done(request: HttpRequest, slug: str) -> HttpResponse:
    form = form_published(slug=slug)
    reference = request.session.get(f"webform-done:{form.slug}")
    if not reference:
        return redirect("webform_start", slug=slug)
    # The reference was put in this session when its form was sent: the case is theirs.
    case = cases_by_reference([reference]).get(reference)
    return render(
        request,
        "webforms/done.html",
        {
            "request_form": form,
            "reference": reference,
            "case": case,
            "email": request.session.get(f"webform-done-email:{form.slug}", ""),
        },
    )
