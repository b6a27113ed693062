"""Self-service over Open311: apps reporting problems and asking how they are getting on,
against the web server running as in production.

Starts `frontdoor run` as a subprocess (the web server with --web-workers processes, the
mail receiver and the background worker, which sends every confirmation email to the local
catcher) on a fresh database seeded with the demo council and a benchmark Open311 client.
Then --clients threads, each with its own keep-alive connection, for --seconds:

- POST requests.json: a report as FixMyStreet sends one (a missed bin or fly-tipping at a
  point in the borough, its attributes, attribute[fixmystreet_id], the reporter's name and
  email from a pool of regular reporters, a description and a photo link): each makes a case,
  a customer (or finds one), an Open311 contact, a work item or a forward to the department,
  a confirmation email in the outbox;
- GET requests/{id}.json: the status of a case reported earlier in the run, chosen at random.

Each client alternates the two, so half the calls create. After --warmup seconds that are not
counted, every call is timed from sending to the last byte of the answer. Afterwards every
reported case is checked to exist once (no lost and no doubled reports). The last line is one
JSON object.

    .venv/bin/python benchmarks/selfservice.py
    .venv/bin/python benchmarks/selfservice.py --seconds 10 --web-workers 2

DATABASE_URL defaults to a PostgreSQL database frontdoor_bench_selfservice on 127.0.0.1
(an SQLite URL works too). It is created afresh each run: its name must contain "bench".
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from common import REPO, django_setup, fresh_database, steal_seconds

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/frontdoor_bench_selfservice"
TARGET_CREATIONS_PER_SECOND = 200.0
TARGET_P99_MS = 250.0
STREETS = [
    "Acacia Avenue",
    "Mill Lane",
    "Church Street",
    "Station Road",
    "Park View",
    "Victoria Road",
    "Oak Close",
    "Manor Way",
]


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="Timed run length.")
    parser.add_argument("--warmup", type=float, default=5.0, help="Untimed seconds first.")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--web-workers",
        type=int,
        default=int(os.environ.get("FRONTDOOR_WEB_WORKERS", "2")),
        help="Web server processes (frontdoor run --workers); one per core by default.",
    )
    parser.add_argument("--reporters", type=int, default=2000, help="Distinct reporter emails.")
    parser.add_argument(
        "--confirm",
        action="store_true",
        help="Have the council email every reporter its confirmation (the client's 'confirm "
        "by email'; off by default, as for FixMyStreet, which confirms to its own users).",
    )
    parser.add_argument("--port", type=int, default=0, help="Web port (0: a free one).")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _seed(confirm: bool) -> str:
    """The demo council and the benchmark's own Open311 client; gives back its key."""
    from frontdoor.demo.council import council_build
    from frontdoor.intake.open311.services import open311_client_create

    council_build()
    _, key = open311_client_create(name="Benchmark app", confirm_by_email=confirm)
    return key


def _cpu_seconds(session: int) -> float:
    """CPU time used so far by every process of the server's session (the web workers, and
    the process running the mail receiver and the background worker)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session:  # fields after the name: state, ppid, pgrp, session
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _postgres_cpu_seconds() -> float:
    """CPU time of the PostgreSQL server's processes (0 where they cannot be read)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            fields = text.rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Tally:
    post_ms: list[float] = field(default_factory=list)
    get_ms: list[float] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    warmup_calls: int = 0

    def fail(self, what: str) -> None:
        self.failures[what] = self.failures.get(what, 0) + 1


class Reporter(threading.Thread):
    """One app connection: report, then ask after an earlier report, until the deadline."""

    def __init__(
        self,
        number: int,
        *,
        port: int,
        key: str,
        timed_from: float,
        until: float,
        known: list[str],
        known_lock: threading.Lock,
        reporters: int,
        seed: int,
    ) -> None:
        super().__init__(name=f"reporter-{number}", daemon=True)
        self.number = number
        self.port = port
        self.key = key
        self.timed_from = timed_from
        self.until = until
        self.known = known
        self.known_lock = known_lock
        self.reporters = reporters
        self.rng = random.Random(seed * 1000 + number)
        self.tally = Tally()
        self.sent = 0

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            while time.perf_counter() < self.until:
                self._post(connection)
                self._get(connection)
        finally:
            connection.close()

    def _call(
        self, connection: http.client.HTTPConnection, method: str, path: str, body: str | None
    ) -> tuple[int, bytes, float]:
        headers = {"Connection": "keep-alive"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            connection.close()  # reconnects on the next request
            self.tally.fail(type(error).__name__)
            return 0, b"", started
        return response.status, content, started

    def _record(self, kind: str, started: float) -> None:
        ended = time.perf_counter()
        if started < self.timed_from:
            self.tally.warmup_calls += 1
            return
        if ended <= self.until:
            getattr(self.tally, f"{kind}_ms").append((ended - started) * 1000)

    def _post(self, connection: http.client.HTTPConnection) -> None:
        self.sent += 1
        rng = self.rng
        who = rng.randrange(self.reporters)
        params: dict[str, str | list[str]] = {
            "api_key": self.key,
            "jurisdiction_id": "frontdoor.example",
            "lat": f"{53.79 + rng.random() * 0.04:.6f}",
            "long": f"{-1.57 + rng.random() * 0.06:.6f}",
            "email": f"reporter{who}@example.net",
            "first_name": "Regular",
            "last_name": f"Reporter{who}",
            "attribute[fixmystreet_id]": f"bench-{self.number}-{self.sent}",
            "attribute[easting]": str(rng.randrange(420000, 440000)),
            "attribute[northing]": str(rng.randrange(430000, 440000)),
            "media_url": f"https://fixmystreet.example/photo/{self.number}-{self.sent}.jpeg",
        }
        street = rng.choice(STREETS)
        if rng.random() < 0.5:
            params |= {
                "service_code": "missed-bin",
                "attribute[bin]": rng.choice(["general", "recycling", "garden", "food"]),
                "attribute[out_by_7am]": "yes",
                "description": f"title: Bin not emptied\n\ndetail: The bin at {street} was "
                "out by 7am and was not emptied.\n\nSubmitted via FixMyStreet",
            }
        else:
            params |= {
                "service_code": "fly-tipping",
                "attribute[waste_type][]": rng.sample(["bags", "household", "tyres"], 2),
                "attribute[amount]": rng.choice(["single", "car_boot", "van"]),
                "description": f"title: Rubbish dumped\n\ndetail: Bags and a mattress left "
                f"at the end of {street}, blocking the pavement.\n\nSubmitted via FixMyStreet",
            }
        status, content, started = self._call(
            connection, "POST", "/open311/v2/requests.json", urlencode(params, doseq=True)
        )
        if status != 201:
            self.tally.fail(f"POST {status}")
            return
        self._record("post", started)
        reference = json.loads(content)[0]["service_request_id"]
        self.tally.created.append(reference)
        with self.known_lock:
            self.known.append(reference)

    def _get(self, connection: http.client.HTTPConnection) -> None:
        with self.known_lock:
            if not self.known:
                return
            reference = self.rng.choice(self.known)
        status, content, started = self._call(
            connection, "GET", f"/open311/v2/requests/{reference}.json", None
        )
        if status != 200 or json.loads(content)[0]["service_request_id"] != reference:
            self.tally.fail(f"GET {status}")
            return
        self._record("get", started)


def _server_start(url: str, port: int, workers: int, var: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": url,
        "FRONTDOOR_VAR_DIR": str(var),
        "FRONTDOOR_DEBUG": "0",
        "FRONTDOOR_SMTP_PORT": str(_free_port()),
        "FRONTDOOR_CATCHER_PORT": str(_free_port()),
        "FRONTDOOR_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "frontdoor.cli", "run", "--no-demo"]
    command += ["--port", str(port), "--workers", str(workers)]
    log = (var / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own command line, no shell
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"frontdoor run stopped (exit {server.returncode}); see {var / 'server.log'}")
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            probe.request("GET", "/open311/v2/services.json")
            if probe.getresponse().status == 200:
                probe.close()
                return server
        except OSError:
            pass
        time.sleep(0.25)
    _server_stop(server)
    sys.exit("frontdoor run did not answer within two minutes")


def _server_stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _ms(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def _latency(values: list[float]) -> dict[str, float | int | None]:
    return {
        "p50": _ms(values, 0.5),
        "p99": _ms(values, 0.99),
        "mean": round(statistics.mean(values), 1) if values else None,
        "calls": len(values),
    }


def main() -> None:
    options = _options()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    var = REPO / "var" / "bench-selfservice"
    (var / "outgoing-mail").mkdir(parents=True, exist_ok=True)
    for old in (var / "outgoing-mail").glob("*.eml"):
        old.unlink()
    started = time.perf_counter()
    fresh_database(url)
    django_setup(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    key = _seed(options.confirm)
    vendor = connection.vendor
    connection.close()
    port = options.port or _free_port()
    server = _server_start(url, port, options.web_workers, var)
    print(
        f"selfservice on {vendor}: frontdoor run with {options.web_workers} web workers on "
        f"port {port} (ready {time.perf_counter() - started:.0f}s after the start); "
        f"{options.clients} clients for {options.warmup:g}s + {options.seconds:g}s",
        flush=True,
    )
    known: list[str] = []
    lock = threading.Lock()
    steal_started = steal_seconds()
    timed_from = time.perf_counter() + options.warmup
    until = timed_from + options.seconds
    reporters = [
        Reporter(
            n,
            port=port,
            key=key,
            timed_from=timed_from,
            until=until,
            known=known,
            known_lock=lock,
            reporters=options.reporters,
            seed=options.seed,
        )
        for n in range(options.clients)
    ]
    load_before = os.getloadavg()[0]
    cpu: dict[str, float] = {}
    try:
        for reporter in reporters:
            reporter.start()
        time.sleep(max(0.0, timed_from - time.perf_counter()))
        cpu_started = (_cpu_seconds(server.pid), _postgres_cpu_seconds(), time.process_time())
        time.sleep(max(0.0, until - time.perf_counter()))
        cpu_ended = (_cpu_seconds(server.pid), _postgres_cpu_seconds(), time.process_time())
        load_during = os.getloadavg()[0]
        for reporter in reporters:
            reporter.join()
    finally:
        _server_stop(server)
    steal_ended = steal_seconds()
    for name, start, end in zip(
        ("server", "postgresql", "clients"), cpu_started, cpu_ended, strict=True
    ):
        cpu[name] = end - start
    posts = [ms for r in reporters for ms in r.tally.post_ms]
    gets = [ms for r in reporters for ms in r.tally.get_ms]
    created = [ref for r in reporters for ref in r.tally.created]
    failures: dict[str, int] = {}
    for reporter in reporters:
        for what, count in reporter.tally.failures.items():
            failures[what] = failures.get(what, 0) + count

    from frontdoor.cases.models import Case
    from frontdoor.intake.open311.models import Open311Request

    stored = set(
        Case.objects.filter(open311_request__isnull=False).values_list("reference", flat=True)
    )
    creations = len(posts) / options.seconds
    both = posts + gets
    calls = max(1, len(both))
    result = {
        "benchmark": "selfservice",
        "database": vendor,
        "web_workers": options.web_workers,
        "clients": options.clients,
        "seconds": options.seconds,
        "requests_per_second": round(len(both) / options.seconds, 1),
        "creations_per_second": round(creations, 1),
        "status_gets_per_second": round(len(gets) / options.seconds, 1),
        "latency_ms": {"post_request": _latency(posts), "get_request": _latency(gets)},
        "p99_ms_overall": _ms(both, 0.99),
        "failures": failures,
        "confirmation_emails": options.confirm,
        # CPU used in the timed window per call answered: what the host's cores must supply
        # for each, whoever else is using them.
        "cpu_ms_per_call": {k: round(v * 1000 / calls, 2) for k, v in cpu.items()},
        "cpu_cores_busy": {k: round(v / options.seconds, 2) for k, v in cpu.items()},
        "load_average_before": round(load_before, 2),
        "load_average_end": round(load_during, 2),
        "reports_answered": len(created),
        "reports_stored": Open311Request.objects.count(),
        "reports_missing": len(set(created) - stored),
        "reports_doubled": len(created) - len(set(created)),
        "target_creations_per_second": TARGET_CREATIONS_PER_SECOND,
        "target_p99_ms": TARGET_P99_MS,
        "meets_rate_target": creations >= TARGET_CREATIONS_PER_SECOND,
        "meets_p99_target": (_ms(both, 0.99) or 0) < TARGET_P99_MS,
        "steal_seconds": (
            round(steal_ended - steal_started, 1)
            if steal_started is not None and steal_ended is not None
            else None
        ),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
