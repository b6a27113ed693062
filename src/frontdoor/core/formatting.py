"""How moments are written for people in the council: in London time, the way they read."""

from datetime import date, datetime

from django.utils import timezone


def when(value: datetime | None) -> str:
    """'3 Mar 2026, 4:55pm' in London time; empty for no moment."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%b %Y}, {local:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")


def day(value: datetime | None) -> str:
    """'3 March 2026', the day in London time, as GOV.UK writes dates; empty for no moment."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y}"


def weekday_date(value: date | datetime) -> str:
    """'Thursday 5 March 2026', for a day something will happen (a moment: in London time)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value:%A} {value.day} {value:%B %Y}"


def time_in_words(value: datetime) -> str:
    """'4:35pm' in London time, with the day ('4:35pm on 3 March 2026') when not today."""
    local = timezone.localtime(value)
    words = f"{local:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")
    if local.date() != timezone.localdate():
        words += f" on {day(value)}"
    return words
