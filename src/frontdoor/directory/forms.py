from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone

from frontdoor.core.forms import GovukDateField
from frontdoor.directory.models import Department, StaffAbsence, StaffMember, StaffSkill
from frontdoor.directory.selectors import departments_active, staff_active
from frontdoor.directory.services import AbsenceDraft


def _day_starts(day: date) -> datetime:
    """Midnight at the start of a day in London, as an aware moment."""
    return timezone.make_aware(datetime.combine(day, time.min))


class AbsenceForm(forms.Form):
    staff = forms.ModelChoiceField(
        label="Who is away?",
        queryset=StaffMember.objects.none(),
        empty_label="Choose a member of staff",
        error_messages={"required": "Choose who is away"},
    )
    kind = forms.ChoiceField(
        label="What kind of absence?",
        choices=StaffAbsence.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose planned or unplanned"},
    )
    first_day = GovukDateField(
        label="First day away",
        help_text="For example, 7 12 2026",
        error_messages={"required": "Enter the first day away"},
    )
    last_day = GovukDateField(
        label="Last day away (optional)",
        required=False,
        help_text="Leave this empty if nobody knows yet when they will be back",
    )
    reason = forms.CharField(
        label="Reason (optional)",
        max_length=200,
        required=False,
        help_text="Only those who record absences see this",
    )
    cover = forms.ModelChoiceField(
        label="Who covers their work? (optional)",
        queryset=StaffMember.objects.none(),
        required=False,
        empty_label="Nobody named",
    )
    cover_department = forms.ModelChoiceField(
        label="Or which team's inbox takes it? (optional)",
        queryset=Department.objects.none(),
        required=False,
        empty_label="Their own department",
    )

    def __init__(self, *args: Any, recordable: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["staff"]).queryset = recordable
        cast(forms.ModelChoiceField, self.fields["cover"]).queryset = staff_active()
        cast(
            forms.ModelChoiceField, self.fields["cover_department"]
        ).queryset = departments_active()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", "The last day must be the same as or after the first day")
        if first and first < timezone.localdate() - timedelta(days=31):
            self.add_error("first_day", "The first day must be within the last month")
        return data

    def draft(self) -> AbsenceDraft:
        data = self.cleaned_data
        last = data.get("last_day")
        return AbsenceDraft(
            staff=data["staff"],
            kind=data["kind"],
            starts_at=_day_starts(data["first_day"]),
            ends_at=_day_starts(last + timedelta(days=1)) if last else None,
            reason=data.get("reason", ""),
            cover=data.get("cover"),
            cover_department=data.get("cover_department"),
        )

    # The service's field names are the form's, but for the moments made from the days.
    SERVICE_FIELDS = {"starts_at": "first_day", "ends_at": "last_day"}


LEVEL_CHOICES = [("", "None"), *((str(v), label) for v, label in StaffSkill.Level.choices)]


class SkillsForm(forms.Form):
    """A level, or none, for every skill, grouped by family group on the page."""

    def __init__(self, *args: Any, skills: list[Any], levels: dict[int, int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.skills = skills
        for skill in skills:
            self.fields[f"skill_{skill.pk}"] = forms.TypedChoiceField(
                label=skill.name,
                choices=LEVEL_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                initial=str(levels[skill.pk]) if skill.pk in levels else "",
                error_messages={"invalid_choice": "Choose a level from the list"},
            )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        grouped: dict[str, list[forms.BoundField]] = {}
        for skill in self.skills:
            grouped.setdefault(skill.family_group or "Other", []).append(self[f"skill_{skill.pk}"])
        return list(grouped.items())

    def levels(self) -> dict[int, int | None]:
        return {skill.pk: self.cleaned_data.get(f"skill_{skill.pk}") for skill in self.skills}
