"""`frontdoor run`: migrate, build the demo council when the database is empty, and serve the
web site, the inbound mail receiver (SMTP) and the background worker together.

The web site is Django's WSGI application under Granian (a web server written in Rust):
--workers processes, each answering on --threads threads that keep their database connection
from one request to the next. Every view is synchronous, and under ASGI each request ran in a
thread of its own, made for it and gone after it, with a fresh connection from the pool.

With no FRONTDOOR_SMTP_RELAY set, outgoing mail goes to a local catcher that keeps each
message as a .eml file in var/outgoing-mail, so the demo shows what would be sent.
"""

import multiprocessing
import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from frontdoor.demo.council import DEMO_PASSWORD, demo_sign_ins
from frontdoor.directory.models import Department
from frontdoor.intake.email.smtp import smtp_receiver_start
from frontdoor.notify.catcher import catcher_start
from frontdoor.notify.services import relay_configured
from frontdoor.worker import BackgroundWorker


class Command(BaseCommand):
    help = "Migrate, load the demo council into an empty database, and serve Frontdoor."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("FRONTDOOR_HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("FRONTDOOR_PORT", "8000"))
        )
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("FRONTDOOR_WEB_WORKERS", "1"))
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("FRONTDOOR_WEB_THREADS", "4")),
            help="Threads answering requests in each web worker.",
        )
        parser.add_argument(
            "--no-demo",
            action="store_true",
            help="Do not load the demo council into an empty database.",
        )
        parser.add_argument(
            "--demo-contacts",
            type=int,
            default=int(os.environ.get("FRONTDOOR_DEMO_CONTACTS", "20000")),
        )

    def handle(self, *args, host, port, workers, threads, no_demo, demo_contacts, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        if not no_demo and not Department.objects.exists():
            self.stdout.write("Empty database: loading the demo council…")
            call_command("seed_demo", contacts=demo_contacts)
        url = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"\nFrontdoor is running at {url}"))
        self.stdout.write(f"Staff console: {url}staff/   Configuration: {url}admin/")
        self.stdout.write(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
        for sign_in in demo_sign_ins():
            self.stdout.write(f"  {sign_in.username:<5} {sign_in.description}")
        smtp = smtp_receiver_start()
        self.stdout.write(f"Mail for the council's inboxes: smtp://{smtp.hostname}:{smtp.port}/")
        catcher = None
        if not settings.FRONTDOOR_SMTP_RELAY:
            folder = settings.VAR_DIR / "outgoing-mail"
            catcher_port = int(os.environ.get("FRONTDOOR_CATCHER_PORT", "2526"))
            try:
                catcher, _ = catcher_start(port=catcher_port, folder=folder)
            except OSError as error:
                self.stdout.write(
                    "No relay is set and the mail catcher could not listen on port "
                    f"{catcher_port} "
                    f"({error.strerror or error}): outgoing mail waits in the outbox."
                )
            else:
                settings.FRONTDOOR_SMTP_RELAY = f"smtp://{catcher.hostname}:{catcher.port}"
                self.stdout.write(f"Outgoing mail (no relay set) is kept in {folder}")
        else:
            self.stdout.write(f"Outgoing mail goes to {relay_configured()}")
        worker = BackgroundWorker()
        worker.start()
        self.stdout.write("Press Ctrl+C to stop.\n")
        try:
            _web_serve(host=host, port=port, workers=workers, threads=threads)
        finally:
            worker.stop()
            smtp.stop()
            if catcher is not None:
                catcher.stop()


def _web_serve(*, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the web site until Ctrl+C (or SIGTERM)."""
    from granian import Granian
    from granian.constants import Interfaces

    # The workers are started afresh rather than forked: this process already runs the mail
    # receiver's and the background worker's threads, which a fork would copy half-way.
    multiprocessing.set_start_method("spawn", force=True)
    Granian(
        "frontdoor.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=max(1, workers),
        blocking_threads=max(1, threads),
        log_access=False,
        # Ctrl+C reaches the workers twice (from the terminal, then from Granian stopping
        # them), and now and then a worker misses its cue and waits for ever: after five
        # seconds Granian kills it, rather than the stop hanging.
        workers_kill_timeout=5,
    ).serve()
