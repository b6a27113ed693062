"""Django forms built from a council's form definition, one page at a time.

The same builder checks answers arriving over Open311 (`for_api=True`: plain strings, ISO
dates), so a form and its Open311 service can never disagree on what is valid."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from frontdoor.core.formatting import weekday_date
from frontdoor.core.forms import GovukDateField
from frontdoor.customers.normalise import phone_to_e164, postcode_normalise
from frontdoor.intake.webforms.models import CollectionSlot, FormField, RequestForm

T = FormField.Datatype


def slots_open(form: RequestForm) -> list[CollectionSlot]:
    """Dates from tomorrow on that still have room, soonest first."""
    tomorrow = timezone.localdate().toordinal() + 1
    return [
        slot
        for slot in form.slots.filter(date__gte=date.fromordinal(tomorrow)).order_by("date")
        if slot.booked < slot.capacity
    ]


def slot_label(slot: CollectionSlot) -> str:
    return weekday_date(slot.date)


def _required_message(field: FormField) -> str:
    question = field.label.rstrip("?").strip()
    lowered = question[0].lower() + question[1:] if question else "an answer"
    if field.datatype in (T.CHOICE, T.SLOT):
        return f"Select {lowered}" if not question.lower().startswith("select") else question
    if field.datatype == T.CHOICES:
        return "Select at least one option"
    return f"Enter {lowered}" if not question.lower().startswith("enter") else question


def _django_field(field: FormField, *, for_api: bool) -> forms.Field:
    messages = {"required": _required_message(field)}
    common: dict[str, Any] = {
        "label": field.label if field.required else f"{field.label} (optional)",
        "help_text": field.hint,
        "required": field.required,
        "error_messages": messages,
    }
    if field.datatype in (T.TEXT, T.TEXTAREA):
        limit = field.max_length or (5000 if field.datatype == T.TEXTAREA else 200)
        messages["max_length"] = f"{field.label.rstrip('?')} must be {limit} characters or fewer"
        widget = forms.Textarea(attrs={"rows": 5}) if field.datatype == T.TEXTAREA else None
        return forms.CharField(max_length=limit, widget=widget, **common)
    if field.datatype == T.NUMBER:
        low, high = field.min_value, field.max_value
        messages["invalid"] = f"{field.label.rstrip('?')} must be a whole number, like 3"
        if low is not None:
            messages["min_value"] = f"{field.label.rstrip('?')} must be {low} or more"
        if high is not None:
            messages["max_value"] = f"{field.label.rstrip('?')} must be {high} or fewer"
        return forms.IntegerField(
            min_value=low,
            max_value=high,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
            **common,
        )
    if field.datatype == T.DATE:
        if for_api:
            messages["invalid"] = f"{field.code} must be a date like 2026-03-27"
            return forms.DateField(input_formats=["%Y-%m-%d"], **common)
        return GovukDateField(**common)
    if field.datatype == T.CHOICE:
        choices = [(c.key, c.name) for c in field.choice_list()]
        messages["invalid_choice"] = f"Select one of the options for {field.label.rstrip('?')}"
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if field.datatype == T.CHOICES:
        choices = [(c.key, c.name) for c in field.choice_list()]
        messages["invalid_choice"] = f"Select from the options for {field.label.rstrip('?')}"
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if field.datatype == T.SLOT:
        open_slots = slots_open(field.form)
        messages["invalid_choice"] = "That date is no longer available. Choose another date"
        if not open_slots:
            messages["required"] = "There are no collection dates left. Please phone us"
        return forms.ChoiceField(
            choices=[(s.date.isoformat(), slot_label(s)) for s in open_slots],
            widget=forms.RadioSelect,
            **common,
        )
    raise ValueError(f"No form field for datatype {field.datatype}")


def answers_form_class(
    form: RequestForm, *, fields: list[FormField], for_api: bool = False
) -> type[forms.Form]:
    """A Django form asking these of the form's questions. Kept on the form object, which
    the remembered configuration gives again and again (an app's every report)."""
    made: dict[tuple[Any, ...], type[forms.Form]] = form.__dict__.setdefault("_answer_forms", {})
    key = (for_api, *(f.pk for f in fields))
    if key not in made:
        declared = {f.code: _django_field(f, for_api=for_api) for f in fields}
        made[key] = type(f"{form.slug.title().replace('-', '')}Answers", (forms.Form,), declared)
    return made[key]


def answer_stored(value: Any) -> Any:
    """An answer as the submission keeps it (JSON): dates as ISO strings."""
    if isinstance(value, date):
        return value.isoformat()
    return value


def answer_shown(field: FormField, value: Any) -> str:
    """An answer as a person reads it: the choice's words, dates written out."""
    if value in (None, "", []):
        return "Not given"
    if field.datatype in (T.CHOICE, T.CHOICES):
        names = {c.key: c.name for c in field.choice_list()}
        keys = value if isinstance(value, list) else [value]
        return ", ".join(names.get(str(k), str(k)) for k in keys)
    if field.datatype in (T.DATE, T.SLOT):
        day = date.fromisoformat(str(value))
        return weekday_date(day) if field.datatype == T.SLOT else f"{day.day} {day:%B %Y}"
    return str(value)


class WhereForm(forms.Form):
    location = forms.CharField(
        label="Where is it?",
        help_text="An address, or a description of the place: 'the alley behind 12 Leeds "
        "Road', 'the bus stop opposite the library'.",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter where it is",
            "max_length": "Where it is must be 300 characters or fewer",
        },
    )
    postcode = forms.CharField(
        label="Postcode (optional)",
        help_text="The nearest postcode, if you know it.",
        required=False,
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}
        ),
    )

    def clean_postcode(self) -> str:
        raw = self.cleaned_data["postcode"].strip()
        if not raw:
            return ""
        try:
            return postcode_normalise(raw)
        except forms.ValidationError:
            raise forms.ValidationError("Enter a real postcode, like LS1 1UR") from None


class AboutYouForm(forms.Form):
    name = forms.CharField(
        label="Full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": "Enter your full name"},
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We will send your reference and updates here.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    phone = forms.CharField(
        label="Phone number (optional)",
        help_text="In case we need to ask you something.",
        required=False,
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "type": "tel", "class": "govuk-input--width-20"}
        ),
    )
    # A honeypot: hidden from people (and from screen readers), filled in by robots.
    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args: Any, email_required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not email_required:
            field = self.fields["email"]
            field.required = False
            field.label = "Email address (optional)"
            field.help_text = "Give one and we will send your reference and updates."
            self.fields["name"].required = False
            self.fields["name"].label = "Full name (optional)"

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        return phone_to_e164(raw) if raw else ""
