"""How moments are written for people in the council: in London time, the way they read."""

from datetime import datetime

from django.utils import timezone


def when(value: datetime | None) -> str:
    """'3 Mar 2026, 4:55pm' in London time; empty for no moment."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%b %Y}, {local:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")
