"""`frontdoor seed-demo`: the demo council, then two years of contacts and cases.

Running it again adds as many contacts again; the council itself is never duplicated.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from frontdoor.demo.contacts import demo_contacts_generate
from frontdoor.demo.council import council_build
from frontdoor.demo.telephony import demo_telephony_import


class Command(BaseCommand):
    help = "Build the demo council and add demo contacts, customers and cases (two years' worth)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--contacts",
            dest="contacts",
            type=int,
            default=20_000,
            help="How many contacts to add (default 20000).",
        )
        parser.add_argument(
            "--seed",
            dest="seed",
            type=int,
            default=1,
            help="Random seed: the same seed, count and day give the same data (default 1).",
        )

    def handle(self, *args, contacts: int, seed: int, verbosity: int = 1, **options) -> None:
        if contacts < 0:
            raise CommandError("--contacts must be 0 or more, like --contacts 20000")
        council_build()
        started = time.monotonic()
        with tqdm(
            total=contacts,
            unit=" contacts",
            unit_scale=True,
            disable=verbosity < 1,
            desc="Demo contacts",
        ) as bar:
            result = demo_contacts_generate(count=contacts, seed=seed, progress=bar.update)
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Added {result.contacts} contacts, {result.cases} cases, "
                    f"{result.customers} customers and {result.events} case events "
                    f"in {time.monotonic() - started:.1f}s"
                )
            )
        telephony = demo_telephony_import(seed=seed)
        if telephony is not None and verbosity >= 1:
            self.stdout.write(
                f"Imported the phone system's {telephony.rows} call records "
                f"({telephony.added} new) as frontdoor import-stats does"
            )
        # The demo's contacts were written in bulk, not through the services that mark their
        # days for the reporting rollups: count them all.
        call_command("rollups_rebuild", verbosity=verbosity)
