from datetime import datetime

from django import forms, template
from django.utils import timezone

from frontdoor.core import formatting

register = template.Library()

_INPUT_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
}


@register.filter
def widget_type(bound_field: forms.BoundField) -> str:
    return bound_field.field.widget.__class__.__name__.lower()


@register.filter
def govuk_widget(bound_field: forms.BoundField) -> str:
    widget = bound_field.field.widget
    css = next((c for kind, c in _INPUT_CLASSES.items() if isinstance(widget, kind)), "govuk-input")
    attrs: dict[str, str | bool] = {"class": css}
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        attrs["class"] = f"{css} {css.split('__')[0]}--error"
        described_by.append(f"{bound_field.auto_id}-error")
        if isinstance(widget, forms.MultiWidget):
            attrs["errored"] = "1"
    if described_by and not isinstance(widget, forms.MultiWidget):
        attrs["aria-describedby"] = " ".join(described_by)
    extra = widget.attrs.get("class")
    if extra:
        attrs["class"] = f"{attrs['class']} {extra}"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def when(value: datetime | None) -> str:
    """A moment as people in the council read it: '3 Mar 2026, 4:55pm' in London time."""
    return formatting.when(value)


@register.filter
def day(value: datetime | None) -> str:
    """A date as GOV.UK writes it: '3 March 2026', in London time."""
    return formatting.day(value)


@register.simple_tag
def due_tag(due: datetime | None, done: datetime | None = None) -> str:
    """The label for a target date: overdue, due today, or nothing."""
    if due is None or done is not None:
        return ""
    now = timezone.now()
    if due < now:
        return "overdue"
    if timezone.localtime(due).date() == timezone.localtime(now).date():
        return "due-today"
    return ""
