"""Work distribution: claiming queued work for advisors, on a fresh database.

Seeds N emailed cases (default 100,000) waiting in 20 queues, one service and one skill each,
opened over the last ten days (so their due dates differ) with mixed priorities, and 500
advisors in teams that hold one, two or three emails at once, each with two to six of the 20
skills at mixed levels; some queues ask for a skilled advisor, not a learner.

1. Single claimer: --single claims one after another, each for a random advisor through
   `work_claim` (what "next work" and the dispatcher's push do). Each claim is timed (the
   assignment decision: the advisor's row locked, their room counted, the item chosen and
   taken, the case given to them with its timeline event), and each item taken is checked
   against the items still waiting: one the advisor could have had that is due sooner (or
   due together and more urgent, or older) is an order violation. The item is then finished,
   freeing the advisor.
2. Concurrent claimers: --claimers threads, in --processes processes (default 2, one per
   core), claim (and finish) for random advisors for --seconds; assignments per second is
   what they took together.

Then every item is checked for having been taken twice. Both phases run with the worker's
database housekeeping beside them, as in production. The last line is one JSON object.

    .venv/bin/python benchmarks/routing.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frontdoor_bench_routing \\
        .venv/bin/python benchmarks/routing.py

The database is created afresh each run; its name must contain "bench".
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import statistics
import time
from datetime import timedelta
from typing import Any

from common import REPO, django_setup, fresh_database, steal_seconds, worker_housekeeping

DEFAULT_URL = f"sqlite:///{REPO / 'var' / 'bench-routing.sqlite3'}"
TARGET_P99_MS = 5.0
TARGET_PER_SECOND_POSTGRESQL = 1000.0
FAMILIES = ["Revenues", "Environment", "Health and Wellbeing", "Place", "Life events"]


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queues", type=int, default=20)
    parser.add_argument("--advisors", type=int, default=500)
    parser.add_argument("--single", type=int, default=5_000, help="Claims in single mode.")
    parser.add_argument("--claimers", type=int, default=50)
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="Processes the claimers run in, as threads of each (as a server's workers would "
        "be); 0: a process for each claimer.",
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="Concurrent phase length.")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def _seed(options: argparse.Namespace, rng: random.Random) -> list[dict[str, Any]]:
    """The bench department's services, skills, queues, teams and advisors, and the queued
    cases; returns each advisor's profile (as plain data, for the claimer processes)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from frontdoor.cases.models import Case, Channel
    from frontdoor.cases.services import CaseDraft, CaseOpening, cases_open
    from frontdoor.core.roles import Role
    from frontdoor.demo.council import council_build
    from frontdoor.directory.models import (
        Department,
        Service,
        Skill,
        SLAPolicy,
        StaffMember,
        StaffSkill,
        Team,
    )
    from frontdoor.routing.models import WorkChannel, WorkQueue
    from frontdoor.routing.services import advisor_profile, work_items_enqueue

    council_build()
    department = Department.objects.create(name="Bench department")
    policies = list(SLAPolicy.objects.all())
    services = []
    for n in range(options.queues):
        skill = Skill.objects.create(
            name=f"Bench skill {n + 1:02d}", family_group=FAMILIES[n % len(FAMILIES)]
        )
        service = Service.objects.create(
            name=f"Bench service {n + 1:02d}",
            code=f"bench-{n + 1:02d}",
            department=department,
            sla_policy=policies[n % len(policies)],
            required_skill=skill,
        )
        queue = WorkQueue.objects.create(
            name=f"Bench queue {n + 1:02d}",
            channel=WorkChannel.EMAIL,
            position=n,
            minimum_skill_level=2 if n % 4 == 0 else 1,
        )
        queue.services.set([service])
        services.append(
            Service.objects.select_related("sla_policy", "department").get(pk=service.pk)
        )
    skills = list(Skill.objects.filter(name__startswith="Bench skill").order_by("name"))
    teams = [Team.objects.create(name=f"Bench team {n}", email_capacity=n) for n in (1, 2, 3)]
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench{n:04d}", first_name="Bench", last_name=f"{n:04d}")
        for n in range(options.advisors)
    )
    members = StaffMember.objects.bulk_create(
        StaffMember(user=user, role=Role.ADVISOR, team=rng.choice(teams)) for user in users
    )
    StaffSkill.objects.bulk_create(
        StaffSkill(staff=member, skill=skill, level=rng.randint(1, 3))
        for member in members
        for skill in rng.sample(skills, rng.randint(2, 6))
    )
    now = timezone.now()
    chunk = 2_000
    for start in range(0, options.items, chunk):
        openings = [
            CaseOpening(
                draft=CaseDraft(
                    service=rng.choice(services),
                    summary=f"Bench enquiry {start + n}",
                    kind=Case.Kind.ENQUIRY,
                    priority=rng.choice([1, 2, 3, 3, 3, 4]),
                ),
                customer=None,
                channel=Channel.EMAIL,
                opened_at=now - timedelta(seconds=rng.randint(0, 10 * 24 * 3600)),
            )
            for n in range(min(chunk, options.items - start))
        ]
        work_items_enqueue(cases=cases_open(openings=openings), at=now)
    advisors = get_user_model().objects.filter(pk__in=[u.pk for u in users])
    return [
        {"user_id": p.user_id, "capacity": p.capacity, "skills": p.skills}
        for p in map(advisor_profile, advisors.select_related("staff_member__team"))
    ]


_users: dict[int, Any] = {}


def _profile(data: dict[str, Any]) -> Any:
    """An advisor's profile from plain data (what crosses to the claimer processes)."""
    from django.contrib.auth import get_user_model

    from frontdoor.routing.services import AdvisorProfile

    if not _users:
        _users.update(get_user_model().objects.filter(username__startswith="bench").in_bulk())
    return AdvisorProfile(
        user=_users[data["user_id"]],
        capacity=data["capacity"],
        skills={int(k): v for k, v in data["skills"].items()},
    )


def _finish(item: Any) -> None:
    from django.utils import timezone

    from frontdoor.routing.services import work_items_end

    work_items_end(case_id=item.case_id, at=timezone.now())


def _sooner_waiting(item: Any, profile: Any) -> bool:
    """Was an item this advisor could have had, due sooner (or as soon and more urgent, or as
    urgent and older), still waiting? Written apart from the engine's own query."""
    from django.db.models import Q

    from frontdoor.routing.models import WorkItem

    could = Q(skill__isnull=True)
    for skill_id, level in profile.skills.items():
        could |= Q(skill_id=skill_id, minimum_skill_level__lte=level)
    sooner = (
        Q(due_at__lt=item.due_at)
        | Q(due_at=item.due_at, priority__lt=item.priority)
        | Q(due_at=item.due_at, priority=item.priority, created_at__lt=item.created_at)
        | Q(
            due_at=item.due_at,
            priority=item.priority,
            created_at=item.created_at,
            pk__lt=item.pk,
        )
    )
    waiting = WorkItem.objects.filter(status="waiting", channel=item.channel)
    return waiting.filter(could).filter(sooner).exists()


def _single(profiles: list[dict[str, Any]], claims: int, rng: random.Random) -> dict[str, Any]:
    from frontdoor.routing.services import work_claim

    timings: list[float] = []
    violations = taken = 0
    for _ in range(claims):
        profile = _profile(rng.choice(profiles))
        started = time.perf_counter()
        item = work_claim(profile=profile, channel="email", offer=False)
        timings.append(time.perf_counter() - started)
        if item is None:
            continue
        taken += 1
        violations += _sooner_waiting(item, profile)
        _finish(item)
    return {"claims": claims, "taken": taken, "order_violations": violations, "timings": timings}


def _claimer_start(url: str) -> None:
    # Each claimer thread keeps its connection for the whole run; a pool (the web server's,
    # ten a process) would leave the eleventh waiting for one.
    os.environ.setdefault("FRONTDOOR_DB_POOL_SIZE", "0")
    django_setup(url)


def _claimers(args: tuple[list[dict[str, Any]], float, int, float, int]) -> dict[str, Any]:
    """Several claimers as threads of one process (as a threaded server's workers would be)."""
    import threading

    profiles, start_at, seed, seconds, threads = args
    results: list[dict[str, Any]] = []
    lock = threading.Lock()

    def run(number: int) -> None:
        outcome = _claimer((profiles, start_at, seed * 100 + number, seconds))
        with lock:
            results.append(outcome)

    started = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    return {
        "taken": sum(r["taken"] for r in results),
        "timings": [t for r in results for t in r["timings"]],
        "waited_too_long": sum(r["waited_too_long"] for r in results),
    }


def _claimer(args: tuple[list[dict[str, Any]], float, int, float]) -> dict[str, Any]:
    """One concurrent claimer: claims (and finishes) for random advisors until the deadline."""
    from django.db import OperationalError, connections

    from frontdoor.routing.services import work_claim

    profiles, start_at, seed, seconds = args
    rng = random.Random(seed)
    while time.time() < start_at:  # every claimer starts together
        time.sleep(0.001)
    deadline = time.perf_counter() + seconds
    timings: list[float] = []
    taken = waited_too_long = 0
    while time.perf_counter() < deadline:
        profile = _profile(rng.choice(profiles))
        started = time.perf_counter()
        try:
            item = work_claim(profile=profile, channel="email", offer=False)
        except OperationalError:
            # SQLite: the write lock was not had within the busy timeout (20 s).
            waited_too_long += 1
            continue
        finally:
            timings.append(time.perf_counter() - started)
        if item is not None:
            taken += 1
            with contextlib.suppress(OperationalError):  # a finish that waited too long
                _finish(item)
    connections.close_all()
    return {"taken": taken, "timings": timings, "waited_too_long": waited_too_long}


def _concurrent(
    url: str,
    profiles: list[dict[str, Any]],
    options: argparse.Namespace,
) -> dict[str, Any]:
    from django.db import connections

    connections.close_all()
    claimers, seconds, seed = options.claimers, options.seconds, options.seed
    processes = options.processes or claimers
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(processes, initializer=_claimer_start, initargs=(url,)) as pool:
        start_at = time.time() + 5 + processes * 0.1  # time for every process to set up
        shares = [claimers // processes + (n < claimers % processes) for n in range(processes)]
        results = pool.map(
            _claimers,
            [
                (profiles, start_at, seed * 1000 + n, seconds, share)
                for n, share in enumerate(shares)
            ],
        )
    taken = sum(r["taken"] for r in results)
    timings = [t for r in results for t in r["timings"]]
    waited = sum(r["waited_too_long"] for r in results)
    return {"taken": taken, "claims": len(timings), "timings": timings, "waited_too_long": waited}


def _ms(timings: list[float], quantile: float) -> float:
    ordered = sorted(timings)
    return round(ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] * 1000, 2)


def _taken_twice() -> int:
    from django.db.models import Count

    from frontdoor.routing.models import WorkOffer

    return (
        WorkOffer.objects.filter(answer="accepted")
        .values("item")
        .annotate(times=Count("pk"))
        .filter(times__gt=1)
        .count()
    )


def main() -> None:
    options = _options()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    rng = random.Random(options.seed)
    started = time.perf_counter()
    fresh_database(url)
    django_setup(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    profiles = _seed(options, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a load (it is off here)
    seeded = time.perf_counter() - started
    print(
        f"routing on {connection.vendor}: {options.items:,} items, {options.queues} queues, "
        f"{options.advisors} advisors (seeded in {seeded:.0f}s)",
        flush=True,
    )
    steal_started = steal_seconds()
    with worker_housekeeping():
        single = _single(profiles, options.single, rng)
        print(
            f"single claimer: {single['taken']:,} taken of {single['claims']:,} claims, "
            f"p99 {_ms(single['timings'], 0.99)} ms",
            flush=True,
        )
        concurrent = _concurrent(url, profiles, options)
    steal_ended = steal_seconds()
    rate = concurrent["taken"] / options.seconds
    target_rate = TARGET_PER_SECOND_POSTGRESQL if connection.vendor == "postgresql" else None
    result = {
        "benchmark": "routing",
        "database": connection.vendor,
        "items": options.items,
        "queues": options.queues,
        "advisors": options.advisors,
        "seed_seconds": round(seeded, 1),
        "decision_ms": {
            "p50": _ms(single["timings"], 0.5),
            "p99": _ms(single["timings"], 0.99),
            "mean": round(statistics.mean(single["timings"]) * 1000, 2),
            "claims": single["claims"],
        },
        "single_claimer_taken": single["taken"],
        "order_violations": single["order_violations"],
        "claimers": options.claimers,
        "claimer_processes": options.processes or options.claimers,
        "concurrent_seconds": options.seconds,
        "concurrent_taken": concurrent["taken"],
        "assignments_per_second": round(rate, 1),
        "concurrent_decision_ms": {
            "p50": _ms(concurrent["timings"], 0.5),
            "p99": _ms(concurrent["timings"], 0.99),
            "claims": concurrent["claims"],
        },
        "claims_that_waited_past_the_busy_timeout": concurrent["waited_too_long"],
        "double_assignments": _taken_twice(),
        "target_p99_ms": TARGET_P99_MS,
        "target_assignments_per_second": target_rate,
        "meets_p99_target": _ms(single["timings"], 0.99) < TARGET_P99_MS,
        "meets_rate_target": None if target_rate is None else rate >= target_rate,
        "steal_seconds": round(steal_ended - steal_started, 1)
        if steal_started is not None and steal_ended is not None
        else None,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
