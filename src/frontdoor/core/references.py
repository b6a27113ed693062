"""Human-friendly, unique case references: PREFIX-YEAR-NUMBER, e.g. FD-2026-004213."""

from django.db import transaction
from django.db.models import F

from frontdoor.core.models import ReferenceCounter


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


@transaction.atomic
def reference_numbers_allocate(*, year: int, count: int = 1) -> range:
    """Reserve `count` consecutive numbers for the year; the row lock serialises callers."""
    ReferenceCounter.objects.get_or_create(year=year)
    ReferenceCounter.objects.filter(year=year).update(last_number=F("last_number") + count)
    last = ReferenceCounter.objects.select_for_update().get(year=year).last_number
    return range(last - count + 1, last + 1)
