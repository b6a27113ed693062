"""The advisor's busiest console pages, timed through the real request stack.

On a database with a million contacts (seeded here if it has fewer), each page is requested
through django.test.Client as a signed-in member of staff: middleware, URL routing, the view,
its selectors, the templates and the database, as in production. Queries are drawn from the
seeded data. Prints p50 and p95 per page and overall; the last line is one JSON object.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frontdoor_bench python benchmarks/console.py
    DATABASE_URL=sqlite:////path/bench.sqlite3 python benchmarks/console.py --contacts 1000000

A page whose p95 misses the target is explained: its slowest query of a slow request, and the
database's plan for it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

TARGET_P95_MS = 150.0


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--contacts",
        type=int,
        default=1_000_000,
        help="Seed the database up to this many contacts first.",
    )
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per page.")
    parser.add_argument("--warmup", type=int, default=20, help="Untimed requests per page.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--explain",
        action="store_true",
        help="Explain the slowest query of every page, not only slow pages.",
    )
    return parser.parse_args()


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
    hosts = [h for h in os.environ.get("FRONTDOOR_ALLOWED_HOSTS", "").split(",") if h]
    os.environ["FRONTDOOR_ALLOWED_HOSTS"] = ",".join(
        dict.fromkeys([*hosts, "testserver", "127.0.0.1", "localhost"])
    )
    import django

    django.setup()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _seed_up_to(contacts: int, seed: int) -> None:
    from django.core.management import call_command

    from frontdoor.cases.models import Contact

    call_command("migrate", interactive=False, verbosity=0)
    have = Contact.objects.count()
    if have < contacts:
        print(f"Seeding {contacts - have} contacts (the database has {have})", flush=True)
        started = time.monotonic()
        call_command("seed_demo", contacts=contacts - have, seed=seed)
        print(f"Seeded in {time.monotonic() - started:.0f}s", flush=True)


def _sample_ids(model: Any, rng: random.Random, count: int, queryset: Any = None) -> list[int]:
    """Random rows without ORDER BY RANDOM() over a million rows: random points in the id
    range, each answered by the next row that qualifies."""
    from django.db.models import Max, Min

    queryset = model.objects.all() if queryset is None else queryset
    bounds = model.objects.aggregate(low=Min("pk"), high=Max("pk"))
    ids: list[int] = []
    for _ in range(count * 3):
        start = rng.randint(bounds["low"], bounds["high"])
        pk = queryset.filter(pk__gte=start).order_by("pk").values_list("pk", flat=True).first()
        if pk is not None:
            ids.append(pk)
        if len(ids) == count:
            break
    return ids


def _queries(rng: random.Random, count: int) -> dict[str, list[str]]:
    """Search terms and case references drawn from the seeded data."""
    from django.contrib.auth import get_user_model

    from frontdoor.cases.models import Case
    from frontdoor.cases.selectors import cases_visible_to
    from frontdoor.customers.models import Customer, CustomerAddress, CustomerEmail, CustomerPhone
    from frontdoor.customers.normalise import phone_for_display

    names = []
    people = Customer.objects.filter(kind=Customer.Kind.PERSON)
    for pk in _sample_ids(Customer, rng, count, people):
        person = Customer.objects.get(pk=pk)
        form = rng.random()
        if form < 0.5:  # the start of the surname, as advisors type it
            names.append(person.family_name[: rng.randint(3, max(3, len(person.family_name)))])
        elif form < 0.8:
            names.append(f"{person.given_name} {person.family_name}")
        else:
            names.append(f"{person.given_name[:1]} {person.family_name}")
    emails = [
        CustomerEmail.objects.get(pk=pk).address for pk in _sample_ids(CustomerEmail, rng, count)
    ]
    phones = [
        phone_for_display(CustomerPhone.objects.get(pk=pk).number)
        for pk in _sample_ids(CustomerPhone, rng, count)
    ]
    postcodes = []
    for pk in _sample_ids(CustomerAddress, rng, count):
        postcode = CustomerAddress.objects.get(pk=pk).postcode
        postcodes.append(postcode if rng.random() < 0.7 else postcode.replace(" ", "").lower())
    ava = get_user_model().objects.get(username="ava")
    references = list(
        Case.objects.filter(
            pk__in=_sample_ids(Case, rng, count, cases_visible_to(ava))
        ).values_list("reference", flat=True)
    )
    rng.shuffle(references)
    return {
        "name": names,
        "email": emails,
        "phone": phones,
        "postcode": postcodes,
        "case": references,
    }


def _explain(sql: str, params: Any) -> str:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join("  " + " | ".join(str(c) for c in row) for row in cursor.fetchall())


def _diagnose(name: str, client: Any, url: str) -> None:
    """Re-run one request of the page capturing its queries; show the slowest with its plan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    timed = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)
    print(f"\n{name}: {url} took {elapsed:.0f} ms in {len(timed)} queries; slowest:")
    for query in timed[:2]:
        print(f"  {float(query['time']) * 1000:.1f} ms: {query['sql'][:1500]}")
    if timed:
        # Captured SQL has its parameters inlined (SQLite, and psycopg's client-side binding).
        print("  plan:")
        try:
            print(_explain(timed[0]["sql"], None))
        except Exception as error:  # noqa: BLE001 - a plan we cannot get is reported, not fatal
            print(f"  (no plan: {error})")


def main() -> None:
    options = _options()
    _setup()
    from urllib.parse import urlencode

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from frontdoor.cases.models import Case, Contact
    from frontdoor.customers.models import Customer

    _seed_up_to(options.contacts, options.seed)
    rng = random.Random(options.seed)
    total = options.requests + options.warmup
    queries = _queries(rng, total)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["ava", "bea"])}
    clients = {}
    for username, user in users.items():
        clients[username] = Client()
        clients[username].force_login(user)

    search = reverse("console:customer_search")

    def searching(kind: str) -> Callable[[int], tuple[str, str]]:
        return lambda i: (
            "ava",
            f"{search}?{urlencode({'q': queries[kind][i % len(queries[kind])]})}",
        )

    pages: dict[str, Callable[[int], tuple[str, str]]] = {
        "search_name": searching("name"),
        "search_email": searching("email"),
        "search_phone": searching("phone"),
        "search_postcode": searching("postcode"),
        "case_page": lambda i: (
            "ava",
            reverse("console:case_detail", args=[queries["case"][i % len(queries["case"])]]),
        ),
        "my_cases_ava": lambda i: ("ava", reverse("console:my_cases")),
        "my_cases_bea": lambda i: ("bea", reverse("console:my_cases")),
        "inbox_bea": lambda i: ("bea", reverse("console:department_inbox")),
    }
    timings: dict[str, list[float]] = {name: [] for name in pages}
    slowest: dict[str, tuple[float, str, str]] = {}
    # Interleave the pages, as a morning's traffic would, rather than one page at a time.
    order = [(name, i) for i in range(total) for name in pages]
    for name, i in order:
        username, url = pages[name](i)
        started = time.perf_counter()
        response = clients[username].get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            sys.exit(f"{name}: {url} answered {response.status_code}")
        if i >= options.warmup:
            timings[name].append(elapsed)
            if elapsed > slowest.get(name, (0.0, "", ""))[0]:
                slowest[name] = (elapsed, username, url)

    figures = {}
    for name, values in timings.items():
        figures[name] = {
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(_percentile(values, 0.95), 1),
            "max_ms": round(max(values), 1),
            "requests": len(values),
        }
        print(
            f"{name:<16} p50 {figures[name]['p50_ms']:>7.1f} ms   "
            f"p95 {figures[name]['p95_ms']:>7.1f} ms   max {figures[name]['max_ms']:>7.1f} ms"
        )
    every = [v for values in timings.values() for v in values]
    missed = [name for name, f in figures.items() if f["p95_ms"] > TARGET_P95_MS]
    for name in pages:
        if name in missed or options.explain:
            _, username, url = slowest[name]
            _diagnose(name, clients[username], url)
    result = {
        "benchmark": "console",
        "database": connection.vendor,
        "contacts": Contact.objects.count(),
        "cases": Case.objects.count(),
        "customers": Customer.objects.count(),
        "requests": len(every),
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(_percentile(every, 0.95), 1),
        "target_p95_ms": TARGET_P95_MS,
        "pages_missing_target": missed,
        "pages": figures,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
