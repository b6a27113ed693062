"""Running the same work in several threads at once, as racing receivers or clicks would."""

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def at_once(work: Callable[[], T], *, threads: int) -> list[T]:
    """Start `threads` copies of work together (behind a barrier) and return their results.

    Each thread closes its own database connection; any failure in a thread fails the test,
    naming the database it happened on."""
    barrier = threading.Barrier(threads)
    results: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            result = work()
            with lock:
                results.append(result)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    assert not errors, f"{connection.vendor}: {errors[0]!r}"
    return results
