from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def clock_time(value: datetime | None) -> str:
    """A time today as the council writes it: '4:55pm', London time."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local:%-I:%M%p}".lower()


@register.filter
def wait_text(seconds: int | None) -> str:
    """A wait as people say it: 'Less than a minute', '12 minutes', '1 hour 5 minutes'."""
    if seconds is None:
        return ""
    minutes = int(seconds) // 60
    if minutes < 1:
        return "Less than a minute"
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours > 1 else ""))
    if minutes:
        parts.append(f"{minutes} minute" + ("s" if minutes > 1 else ""))
    return " ".join(parts)
