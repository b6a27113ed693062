"""The demo's telephony: what the council's phone system would report of the calls the demo
contacts logged, imported as a council imports its own (frontdoor import-stats calls), so
the dashboards show calls offered, answered and abandoned per number.

Each call advisors logged was answered after a wait; some calls were answered and not
logged; some callers hung up in the queue, a few of them within seconds. Each call's figures
come from a generator seeded by its contact, so seeding again reports the same calls."""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from django.utils import timezone

from frontdoor.cases.models import Channel, Contact
from frontdoor.directory.models import ContactPoint
from frontdoor.reporting.importing import ImportReport, stats_import

SOURCE = "Demo telephony"
UNLOGGED_SHARE = 0.12
ABANDONED_SHARE = 0.08


def demo_telephony_import(*, seed: int) -> ImportReport | None:
    """Write the phone system's call records for the demo's logged calls to a CSV and import
    it; None when there are no logged calls to a phone line."""
    calls = Contact.objects.filter(
        channel=Channel.PHONE,
        direction=Contact.Direction.INBOUND,
        contact_point__kind=ContactPoint.Kind.PHONE,
    ).values_list("pk", "occurred_at", "contact_point__address", "duration_seconds")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo-calls.csv"
        written = 0
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(
                ["Call ID", "DNIS", "Call start", "Outcome", "Queue time", "Talk", "Hold", "ACW"]
            )
            for pk, at, number, duration in calls.iterator(chunk_size=5000):
                rng = random.Random(pk * 7919 + seed)
                wait = int(rng.lognormvariate(3.4, 0.8))
                talk = duration or int(rng.lognormvariate(5.6, 0.5))
                writer.writerow(_call(f"{pk}", at, number, wait, talk, rng))
                written += 1
                if rng.random() < UNLOGGED_SHARE:
                    writer.writerow(
                        _call(
                            f"{pk}-u",
                            at,
                            number,
                            int(rng.lognormvariate(3.4, 0.8)),
                            int(rng.lognormvariate(5.4, 0.5)),
                            rng,
                        )
                    )
                if rng.random() < ABANDONED_SHARE:
                    gave_up = rng.choice([2, 3, 4, *range(20, 400, 15)])
                    moment = timezone.localtime(at) - timedelta(minutes=rng.randrange(1, 30))
                    writer.writerow(
                        [
                            f"{pk}-a",
                            number,
                            f"{moment:%d/%m/%Y %H:%M:%S}",
                            "Abandoned",
                            gave_up,
                            "",
                            "",
                            "",
                        ]
                    )
        if not written:
            return None
        return stats_import(kind="calls", path=path, source_name=SOURCE)


def _call(
    key: str, at: datetime, number: str, wait: int, talk: int, rng: random.Random
) -> list[object]:
    moment = timezone.localtime(at) - timedelta(seconds=wait)
    hold = rng.choice([0, 0, 0, rng.randrange(10, 120)])
    return [
        key,
        number,
        f"{moment:%d/%m/%Y %H:%M:%S}",
        "Answered",
        wait,
        talk,
        hold,
        rng.randrange(20, 150),
    ]
