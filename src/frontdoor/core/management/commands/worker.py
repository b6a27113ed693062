"""`frontdoor worker`: run background tasks and periodic jobs until stopped."""

import signal
import threading

from django.core.management.base import BaseCommand

from frontdoor.notify.services import relay_configured
from frontdoor.worker import BackgroundWorker


class Command(BaseCommand):
    help = "Send the outbox, poll IMAP mailboxes and run queued tasks until stopped."

    def handle(self, *args, **options):
        relay = relay_configured()
        self.stdout.write(
            f"Outgoing mail goes to {relay}"
            if relay
            else "FRONTDOOR_SMTP_RELAY is not set: outgoing mail waits in the outbox."
        )
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        worker = BackgroundWorker()
        worker.start()
        self.stdout.write("Worker running. Press Ctrl+C to stop.")
        while not stop.wait(1):
            pass
        self.stdout.write("Stopping after the current task…")
        worker.stop()
