import threading

import pytest
from django.db import connection

from frontdoor.core.references import format_reference, reference_next, reference_numbers_allocate


def test_format_pads_to_six_digits():
    assert format_reference("FD", 2026, 4213) == "FD-2026-004213"


def test_blocks_are_consecutive_and_do_not_overlap(db):
    first = reference_numbers_allocate(year=2026, count=500)
    second = reference_numbers_allocate(year=2026, count=3)
    assert (first.start, first.stop, second.start, second.stop) == (1, 501, 501, 504)


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_never_get_the_same_reference(council):
    references: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def take(count: int) -> None:
        try:
            for _ in range(count):
                reference = reference_next(year=2026)
                with lock:
                    references.append(reference)
        except BaseException as error:  # reported below, with the database it happened on
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(20,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, f"{connection.vendor}: {errors[0]!r}"
    assert sorted(references) == [f"FD-2026-{n:06d}" for n in range(1, 121)]
