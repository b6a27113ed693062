"""Reporting on a large council's contacts: what the rollups cost to keep current.

Seeds the database up to --contacts demo contacts (five years of a large council is about
10,000,000; seed-demo counts them all into the rollups as it finishes, which is timed as
the rebuild), then records --new contacts through the services as intake does (batches of
250, spread over the last few days) and times bringing the rollups up to date, as the
background worker does every few seconds. The last line is one JSON object.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frontdoor_bench_reporting \\
        python benchmarks/reporting.py --contacts 1000000
    python benchmarks/reporting.py --contacts 1000000        # SQLite, var/bench-reporting.sqlite3

Then it writes a CSV of --calls telephony call records (a month of a large council's calls
to the demo's phone lines) and times `import-stats calls` on it, as a council would run it:
read, check every row, write, and mark the days for the rollups.

Last it times the dashboards as a manager opens them: the monthly overview and a service
report (the whole page, rendered), for each of the last twelve months and the services in
turn, and gives the median and 95th percentile.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from datetime import timedelta

from common import REPO, database_ensure, django_setup

DEFAULT_URL = f"sqlite:///{REPO / 'var' / 'bench-reporting.sqlite3'}"
TARGET_UPDATE_SECONDS = 2.0
TARGET_IMPORT_SECONDS = 30.0
TARGET_PAGE_P95_MS = 300.0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _dashboard_times(runs: int) -> dict[str, dict[str, float]]:
    """Each page, `runs` times over the last twelve months (and the services): ms."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from frontdoor.directory.models import Service
    from frontdoor.reporting.dashboards import months_back

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="max"))
    this_month = timezone.localdate().replace(day=1)
    months = [f"{months_back(this_month, n):%Y-%m}" for n in range(1, 13)]
    services = list(Service.objects.values_list("pk", flat=True))
    pages = {
        "monthly_overview": lambda i: ("/staff/reports/", {"month": months[i % 12]}),
        "service_report": lambda i: (
            "/staff/reports/service/",
            {"month": months[i % 12], "service": services[i % len(services)]},
        ),
    }
    figures = {}
    for name, request in pages.items():
        client.get(*request(0))  # warm: templates compiled, connections open
        times = []
        for i in range(runs):
            started = time.perf_counter()
            response = client.get(*request(i))
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        figures[name] = {
            "p50_ms": round(_percentile(times, 0.5), 1),
            "p95_ms": round(_percentile(times, 0.95), 1),
            "runs": runs,
        }
    return figures


BENCH_SOURCE = "Benchmark telephony"
# Ofcom's numbers for drama, in ten areas: never anyone's.
BENCH_LINES = ("0114", "0191", "0116", "0117", "0118", "0121", "0131", "0141", "0151", "0161")


def _bench_line(area: str) -> str:
    from frontdoor.directory.models import ContactPoint
    from frontdoor.directory.services import contact_point_create

    address = f"+44{area[1:]}4960123"
    if not ContactPoint.objects.filter(kind=ContactPoint.Kind.PHONE, address=address).exists():
        contact_point_create(
            kind=ContactPoint.Kind.PHONE, name=f"Benchmark line {area}", address=address
        )
    return address


def _calls_csv(path, count: int, numbers: list[str], seed: int) -> None:
    """A month of calls: ids, numbers dialled, UK-style start times, outcomes and times."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write("Call ID,Number dialled,Start time,Outcome,Wait,Talk,Hold,Wrap\n")
        for n in range(count):
            day, second = 1 + n * 28 // count, rng.randrange(8 * 3600, 18 * 3600)
            answered = rng.random() < 0.9
            times = (
                f"{rng.randrange(30, 900)},{rng.randrange(0, 60)},{rng.randrange(0, 120)}"
                if answered
                else ",,"
            )
            out.write(
                f"B{n:08d},{rng.choice(numbers)},{day:02d}/02/2026 "
                f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d},"
                f"{'Answered' if answered else 'Abandoned'},{rng.randrange(0, 300)},{times}\n"
            )


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000_000, help="Seed up to this many.")
    parser.add_argument("--new", type=int, default=10_000, help="Contacts added, then counted.")
    parser.add_argument("--calls", type=int, default=1_000_000, help="Call records imported.")
    parser.add_argument("--page-runs", type=int, default=40, help="Times each page is opened.")
    parser.add_argument(
        "--rebuild", action="store_true", help="Time rebuilding the rollups even when not seeding."
    )
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def main() -> None:
    options = _options()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    database_ensure(url)
    django_setup(url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from frontdoor.cases.models import Channel, Contact
    from frontdoor.cases.services import ContactDraft, contacts_record
    from frontdoor.directory.models import ContactPoint, Service
    from frontdoor.reporting.models import ContactDay, RollupPending
    from frontdoor.reporting.services import rollups_update

    call_command("migrate", interactive=False, verbosity=0)
    have = Contact.objects.count()
    rebuild_seconds = None
    if have < options.contacts or options.rebuild:
        if have < options.contacts:
            print(f"Seeding {options.contacts - have:,} contacts (have {have:,})…", flush=True)
            call_command("seed_demo", contacts=options.contacts - have, seed=options.seed)
        started = time.perf_counter()
        call_command("rollups_rebuild", verbosity=0)
        rebuild_seconds = round(time.perf_counter() - started, 2)
    rollups_update()  # whatever was pending before the timed part
    store = Contact.objects.count()

    rng = random.Random(options.seed)
    points = list(ContactPoint.objects.all())
    services = list(Service.objects.all())
    channels = [Channel.PHONE, Channel.EMAIL, Channel.WEB_FORM, Channel.FACE_TO_FACE]
    now = timezone.now()
    drafts = [
        ContactDraft(
            channel=rng.choice(channels),
            customer=None,
            contact_point=rng.choice(points),
            service=rng.choice(services),
            occurred_at=now - timedelta(minutes=rng.randrange(3 * 24 * 60)),
            duration_seconds=rng.randrange(30, 900),
            wait_seconds=rng.randrange(0, 300),
        )
        for _ in range(options.new)
    ]
    started = time.perf_counter()
    for i in range(0, len(drafts), 250):
        contacts_record(drafts=drafts[i : i + 250])
    record_seconds = time.perf_counter() - started
    pending = RollupPending.objects.count()

    started = time.perf_counter()
    days = rollups_update()
    update_seconds = time.perf_counter() - started

    from frontdoor.reporting.importing import stats_import
    from frontdoor.reporting.models import CallRecord, ImportSource, StatImport
    from frontdoor.reporting.services import imported_days_mark

    # A run before this one left its calls: they go first (untimed), and their days are
    # counted again, so each run imports anew.
    earlier = ImportSource.objects.filter(name=BENCH_SOURCE)
    left = StatImport.objects.filter(source__in=earlier)
    spans = list(left.values_list("first_day", "last_day"))
    CallRecord.objects.filter(source__in=earlier).delete()
    left.delete()
    earlier.delete()
    imported_days_mark(
        days=[
            first + timedelta(days=n)
            for first, last in spans
            if first and last
            for n in range((last - first).days + 1)
        ],
        calls=True,
    )
    rollups_update()
    # The rollup's own rows against the contacts: the rows it adds from imported figures
    # (calls beyond those logged) are not contacts stored here.
    counted = sum(ContactDay.objects.filter(imported=False).values_list("contacts", flat=True))
    # Lines of their own: the demo's lines already have their calls from the demo's phone
    # system, and a number's day is counted from one source only.
    numbers = [_bench_line(n) for n in BENCH_LINES]
    calls_file = REPO / "var" / "bench-calls.csv"
    _calls_csv(calls_file, options.calls, numbers, options.seed)
    started = time.perf_counter()
    report = stats_import(kind="calls", path=calls_file, source_name=BENCH_SOURCE)
    import_seconds = time.perf_counter() - started
    assert report.ok, report.problems[:5]
    started = time.perf_counter()
    rollups_update()
    calls_rollup_seconds = time.perf_counter() - started

    pages = _dashboard_times(options.page_runs)
    figures = {
        "benchmark": "reporting",
        "database": connection.vendor,
        "contacts": store + options.new,
        "rollup_rebuild_seconds": rebuild_seconds,
        "new_contacts": options.new,
        "new_contacts_recorded_per_second": round(options.new / record_seconds, 1),
        "pending_rows": pending,
        "rollup_update_seconds": round(update_seconds, 3),
        "days_counted": len(days),
        "rollup_rows": ContactDay.objects.count(),
        "rollup_total_matches_contacts": counted == Contact.objects.count(),
        "target_rollup_update_seconds": TARGET_UPDATE_SECONDS,
        "meets_rollup_update_target": update_seconds < TARGET_UPDATE_SECONDS,
        "call_records_imported": report.added,
        "call_import_seconds": round(import_seconds, 2),
        "call_import_file_mb": round(calls_file.stat().st_size / 1e6, 1),
        "calls_rollup_update_seconds": round(calls_rollup_seconds, 2),
        "target_call_import_seconds": TARGET_IMPORT_SECONDS,
        "meets_call_import_target": import_seconds < TARGET_IMPORT_SECONDS,
        "pages": pages,
        "target_page_p95_ms": TARGET_PAGE_P95_MS,
        "meets_page_target": all(p["p95_ms"] < TARGET_PAGE_P95_MS for p in pages.values()),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
