from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from frontdoor.cases.models import Case, Channel, Outcome
from frontdoor.cases.services import CaseDraft
from frontdoor.directory.models import ContactPoint
from frontdoor.directory.selectors import (
    back_office_officers,
    contact_points_for_logging,
    departments_active,
    services_active,
)

NEW_CASE, EXISTING_CASE, NO_CASE = "new", "existing", "none"


class ContactLogForm(forms.Form):
    channel = forms.ChoiceField(
        label="How did the customer get in touch?",
        choices=[(Channel.PHONE, "Phone call"), (Channel.FACE_TO_FACE, "Visit to reception")],
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    contact_point = forms.ModelChoiceField(
        label="Which number or desk? (optional)",
        queryset=ContactPoint.objects.none(),
        required=False,
        empty_label="Not known",
    )
    summary = forms.CharField(
        label="What did the customer ask or tell you?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what the customer asked or told you"},
    )
    duration_minutes = forms.IntegerField(
        label="How long did it take, in minutes? (optional)",
        required=False,
        min_value=0,
        max_value=600,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={"invalid": "Enter the length in whole minutes, like 5"},
    )
    case_choice = forms.ChoiceField(
        label="What needs to happen?",
        choices=[
            (NEW_CASE, "Open a new case"),
            (EXISTING_CASE, "Add this contact to one of the customer's open cases"),
            (NO_CASE, "Nothing: the customer only needed information"),
        ],
        initial=NEW_CASE,
        widget=forms.RadioSelect,
    )
    existing_case = forms.ModelChoiceField(
        label="Which open case?",
        queryset=Case.objects.none(),
        required=False,
        to_field_name="reference",
        empty_label="Choose a case",
    )
    service = forms.ModelChoiceField(
        label="Service",
        queryset=services_active(),
        required=False,
        empty_label="Choose a service",
    )
    kind = forms.ChoiceField(
        label="Type of case", choices=Case.Kind.choices, initial=Case.Kind.REQUEST
    )
    priority = forms.TypedChoiceField(
        label="Priority", choices=Case.Priority.choices, coerce=int, initial=Case.Priority.NORMAL
    )
    case_summary = forms.CharField(
        label="Case title",
        max_length=200,
        required=False,
        help_text="A short line staff will see in lists, like 'Missed bin at 4 High Street'",
    )
    location = forms.CharField(
        label="Location (optional)",
        max_length=300,
        required=False,
        help_text="Where the problem is, if it is somewhere",
    )

    def __init__(self, *args: Any, open_cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact_point = cast(forms.ModelChoiceField, self.fields["contact_point"])
        contact_point.queryset = contact_points_for_logging(
            kinds=[ContactPoint.Kind.PHONE, ContactPoint.Kind.RECEPTION]
        )
        cast(forms.ModelChoiceField, self.fields["existing_case"]).queryset = open_cases

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        choice = data.get("case_choice")
        if choice == NEW_CASE:
            if not data.get("service") and "service" not in self.errors:
                self.add_error("service", "Choose the service the case is about")
            if not data.get("case_summary", "").strip():
                self.add_error("case_summary", "Enter a case title")
        if choice == EXISTING_CASE and not data.get("existing_case"):
            self.add_error("existing_case", "Choose the case to add this contact to")
        return data

    def contact_fields(self) -> dict[str, Any]:
        """The arguments for cases.services.contact_record, from the cleaned form."""
        data = self.cleaned_data
        minutes = data["duration_minutes"]
        new_case = None
        if data["case_choice"] == NEW_CASE:
            new_case = CaseDraft(
                service=data["service"],
                summary=data["case_summary"],
                kind=data["kind"],
                priority=data["priority"],
                description=data["summary"],
                location=data["location"],
            )
        return {
            "channel": data["channel"],
            "contact_point": data["contact_point"],
            "case": data["existing_case"] if data["case_choice"] == EXISTING_CASE else None,
            "new_case": new_case,
            "duration_seconds": minutes * 60 if minutes is not None else None,
            "summary": data["summary"],
        }


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.get_username()}, {obj.staff_member.department}"


class ForwardForm(forms.Form):
    department = forms.ModelChoiceField(
        label="Department",
        queryset=departments_active(),
        empty_label="Choose a department",
        error_messages={"required": "Choose the department to forward the case to"},
    )
    officer = OfficerChoiceField(
        label="To a named officer (optional)",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Anyone in the department",
        help_text="Leave this for the department's inbox unless someone there is expecting it",
    )
    reason = forms.CharField(
        label="Why are you forwarding it?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The department will see this, so say what they need to do",
        error_messages={"required": "Say why the case is being forwarded"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        officer = cast(forms.ModelChoiceField, self.fields["officer"])
        officer.queryset = back_office_officers()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        officer, department = data.get("officer"), data.get("department")
        if officer and department and officer.staff_member.department_id != department.pk:
            self.add_error("officer", f"{officer.get_full_name()} is not in {department}")
        return data


class ResolveForm(forms.Form):
    outcome = forms.ModelChoiceField(
        label="Outcome",
        queryset=Outcome.objects.filter(is_active=True),
        empty_label="Choose the outcome",
        error_messages={"required": "Choose the outcome"},
    )
    note = forms.CharField(
        label="What was done?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The positive action taken for the customer. The email telling them the "
        "case is resolved gives these words (not for restricted cases)",
        error_messages={"required": "Say what was done to resolve the case"},
    )


class TextForm(forms.Form):
    text = forms.CharField(
        label="Note",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a note"},
    )


class AwaitCustomerForm(forms.Form):
    text = forms.CharField(
        label="What have you asked the customer for?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what you have asked the customer for"},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why are you reopening it?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the case is being reopened"},
    )


class EmptyForm(forms.Form):
    pass


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your reply",
        help_text="It goes to the customer's email address with the case reference in the "
        "subject, so their answer comes back to this case.",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "Enter your reply"},
    )
