"""GOV.UK Design System form rendering for Django forms: labels, hints, error messages,
the error summary, and a date input of three boxes."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


class GovukDateWidget(forms.MultiWidget):
    template_name = "govuk/date_widget.html"

    def __init__(self) -> None:
        super().__init__(
            [forms.TextInput(attrs={"inputmode": "numeric"}) for _ in range(3)],
        )

    def decompress(self, value: date | None) -> list[int | None]:
        if value:
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """Day, month and year boxes; messages follow the GOV.UK date input pattern."""

    widget = GovukDateWidget

    def __init__(self, *, past_only: bool = False, **kwargs: Any) -> None:
        self.past_only = past_only
        # Parts are optional here so compress() can say which part is missing, as GOV.UK asks.
        fields = tuple(forms.CharField(required=False) for _ in range(3))
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[str]) -> date | None:
        if not data_list or not any(data_list):
            return None
        day, month, year = (part.strip() if part else "" for part in data_list)
        label = (self.label or "Date").removesuffix(" (optional)").lower()
        missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise ValidationError(f"The {label} must include a {' and '.join(missing)}")
        try:
            value = date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"The {label} must be a real date, like 27 3 1980") from None
        if len(year) != 4:
            raise ValidationError(f"The year of the {label} must include 4 numbers")
        if self.past_only and value > timezone.localdate():
            raise ValidationError(f"The {label} must be in the past")
        return value
