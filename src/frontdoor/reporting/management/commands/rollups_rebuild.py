"""`frontdoor rollups-rebuild`: count every day's contacts and resolved cases again into the
rollups reports read (after loading contacts or cases in bulk, or to check them: the result
is the same as keeping them up to date as they change)."""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from frontdoor.reporting.services import rollups_rebuild


class Command(BaseCommand):
    help = "Count every day's contacts and resolved cases again into the reporting rollups."

    def handle(self, *args, verbosity: int = 1, **options) -> None:
        started = time.monotonic()
        with tqdm(unit=" days", disable=verbosity < 1, desc="Rollups") as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            days = rollups_rebuild(progress=progress)
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Counted {days} days of contacts and resolved cases "
                    f"in {time.monotonic() - started:.1f}s"
                )
            )
