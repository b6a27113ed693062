"""Human-friendly, unique case references: PREFIX-YEAR-NUMBER, e.g. FD-2026-004213."""

from django.db import connection, transaction

from frontdoor.core.models import ReferenceCounter


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


_TAKE = (
    "UPDATE core_referencecounter SET last_number = last_number + %s "
    "WHERE year = %s RETURNING last_number"
)


@transaction.atomic
def reference_numbers_allocate(*, year: int, count: int = 1) -> range:
    """Reserve `count` consecutive numbers for the year; the row lock serialises callers.

    One statement takes them (every case opened runs it, on both databases); the year's row
    is made the first time."""
    with connection.cursor() as cursor:
        cursor.execute(_TAKE, [count, year])
        taken = cursor.fetchone()
        if taken is None:
            ReferenceCounter.objects.get_or_create(year=year)
            cursor.execute(_TAKE, [count, year])
            taken = cursor.fetchone()
    last = int(taken[0])
    return range(last - count + 1, last + 1)
