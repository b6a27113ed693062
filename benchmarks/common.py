"""What every benchmark needs: a fresh database it may destroy, Django set up for it, and a
reading of the host's steal time."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent


def fresh_database(url: str) -> None:
    """Delete the SQLite file, or drop and create the PostgreSQL database."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") if parts.scheme.startswith("postgres") else parts.path
    if "bench" not in Path(name).name:
        sys.exit(
            f"Refusing to delete {name!r}: the benchmark starts from an empty database, so its "
            'name must contain "bench" (e.g. frontdoor_bench_intake).'
        )
    if parts.scheme == "sqlite":
        path = Path(parts.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    elif parts.scheme.startswith("postgres"):
        import psycopg
        from psycopg import sql

        server = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(server, autocommit=True) as admin:
            database = sql.Identifier(name)
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(database))
    else:
        sys.exit(f"Unsupported DATABASE_URL scheme {parts.scheme!r}")


def database_ensure(url: str) -> None:
    """Create the PostgreSQL database when it does not exist yet (an SQLite file makes
    itself); what it holds is kept, for benchmarks that build on earlier runs' data."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if found is None:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "frontdoor.settings"
    # Under DEBUG every query is kept in memory for ever: a benchmark of that is no benchmark.
    os.environ["FRONTDOOR_DEBUG"] = "0"
    import django

    django.setup()


def steal_seconds() -> float | None:
    """CPU time the hypervisor gave to others while this machine wanted it (Linux /proc/stat,
    in clock ticks): a slowdown with steal is the host's, not the code's."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


@contextmanager
def worker_housekeeping() -> Iterator[None]:
    """The database housekeeping the worker does beside the web server in production
    (`frontdoor run`, `frontdoor worker`): on SQLite, the write-ahead log checkpointed every
    second. A benchmark without it would time commits that checkpoint for themselves."""
    from django.db import connections

    from frontdoor.core.database import wal_checkpoint

    stopping = threading.Event()

    def run() -> None:
        try:
            while not stopping.wait(1):
                wal_checkpoint()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="worker-housekeeping", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopping.set()
        thread.join()
