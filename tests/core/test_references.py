import pytest

from frontdoor.core.references import format_reference, reference_numbers_allocate
from tests.concurrency import at_once


def test_format_pads_to_six_digits():
    assert format_reference("FD", 2026, 4213) == "FD-2026-004213"


def test_blocks_are_consecutive_and_do_not_overlap(db):
    first = reference_numbers_allocate(year=2026, count=500)
    second = reference_numbers_allocate(year=2026, count=3)
    assert (first.start, first.stop, second.start, second.stop) == (1, 501, 501, 504)


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_never_get_the_same_reference(council):
    def take() -> list[int]:
        return [n for size in (1, 5, 14) for n in reference_numbers_allocate(year=2026, count=size)]

    numbers = [n for batch in at_once(take, threads=6) for n in batch]
    assert sorted(numbers) == list(range(1, 121))
