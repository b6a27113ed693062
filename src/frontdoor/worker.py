"""The background worker: runs queued tasks (django-tasks' database backend) and the
periodic jobs: offering work to advisors, polling IMAP mailboxes and sweeping the outbox for
mail a dead worker left.

`frontdoor worker` runs it in the foreground; `frontdoor run` starts it beside the web
server and the mail receiver. Several workers may run at once: each task and each outbound
email is claimed by one, and IMAP messages are stored once per mailbox whoever fetches them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker as TaskWorker
from django_tasks_db.models import DBTaskResult

log = logging.getLogger(__name__)


def _outbox_sweep() -> None:
    from frontdoor.notify.services import outbox_sweep

    outbox_sweep()


def _mailboxes_poll() -> None:
    from frontdoor.intake.email.imap import imap_mailboxes_poll

    imap_mailboxes_poll()


def _work_dispatch() -> None:
    from frontdoor.routing.services import work_dispatch

    work_dispatch()


def _rollups_update() -> None:
    from frontdoor.reporting.services import rollups_update

    rollups_update()


def _wal_checkpoint() -> None:
    from frontdoor.core.database import wal_checkpoint

    wal_checkpoint()


def _reports_send() -> None:
    from frontdoor.reporting.schedules import report_schedules_send

    report_schedules_send(today=timezone.localdate())


def _task_results_prune() -> None:
    """Finished tasks are kept a week for diagnosis, then deleted."""
    DBTaskResult.objects.finished().filter(
        finished_at__lt=timezone.now() - timedelta(days=7)
    ).delete()


@dataclass
class PeriodicJob:
    name: str
    every: float
    run: Callable[[], None]
    due: float = 0.0


def periodic_jobs() -> list[PeriodicJob]:
    return [
        PeriodicJob("poll IMAP mailboxes", settings.FRONTDOOR_IMAP_POLL_SECONDS, _mailboxes_poll),
        PeriodicJob("sweep the outbox", 60, _outbox_sweep),
        # Offers reach advisors within about a second of work arriving or an advisor freeing.
        PeriodicJob("offer work to advisors", 1, _work_dispatch),
        PeriodicJob("write the SQLite log back to the database", 1, _wal_checkpoint),
        # Dashboards show contacts within a few seconds of their arrival.
        PeriodicJob("bring the reporting rollups up to date", 5, _rollups_update),
        PeriodicJob("prune finished tasks", 3600, _task_results_prune),
        # A schedule goes within the first hour of its day.
        PeriodicJob("send scheduled reports", 3600, _reports_send),
    ]


def _task_worker(*, batch: bool) -> TaskWorker:
    return TaskWorker(
        queue_names=["default"],
        interval=1,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )


def tasks_run_pending() -> None:
    """Run every task that is due now, then return (tests and one-off commands)."""
    _task_worker(batch=True).run()


@dataclass
class BackgroundWorker:
    """The task worker and the periodic jobs, each in its own daemon thread."""

    stopping: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    tasks: TaskWorker = field(default_factory=lambda: _task_worker(batch=False))

    def start(self) -> None:
        self.threads = [
            threading.Thread(target=self._run_tasks, name="frontdoor-tasks", daemon=True),
            threading.Thread(target=self._run_jobs, name="frontdoor-jobs", daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def stop(self, timeout: float = 10) -> None:
        self.stopping.set()
        self.tasks.running = False
        for thread in self.threads:
            thread.join(timeout)

    def _run_tasks(self) -> None:
        try:
            self.tasks.run()
        except Exception:
            log.exception("The task worker stopped")
        finally:
            connections.close_all()

    def _run_jobs(self) -> None:
        jobs = periodic_jobs()
        while not self.stopping.is_set():
            for job in jobs:
                if time.monotonic() < job.due:
                    continue
                job.due = time.monotonic() + job.every
                close_old_connections()
                try:
                    job.run()
                except Exception:
                    log.exception("Periodic job %r failed; it runs again later", job.name)
                finally:
                    connections.close_all()
            self.stopping.wait(1)
