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


def whole_number(raw: object) -> int | None:
    """An id or count from a query string: ASCII digits only (str.isdigit also passes '²',
    which int() refuses), else None."""
    text = str(raw or "")
    return int(text) if text.isascii() and text.isdigit() else None


def errors_onto(
    form: forms.Form, error: ValidationError, *, renamed: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: each message on the field it names (by the
    form's name for it, where the two differ), the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.message_dict.items():
        field = (renamed or {}).get(name, name)
        form.add_error(field if field in form.fields else None, problems)
