"""`frontdoor smtpd`: the inbound mail receiver on its own (frontdoor run starts it too)."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from frontdoor.intake.email.smtp import smtp_receiver_start


class Command(BaseCommand):
    help = "Receive email for the council's inboxes over SMTP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.FRONTDOOR_SMTP_HOST)
        parser.add_argument("--port", type=int, default=settings.FRONTDOOR_SMTP_PORT)

    def handle(self, *args: object, host: str, port: int, **options: object) -> None:
        controller = smtp_receiver_start(host=host, port=port)
        self.stdout.write(f"Receiving mail on smtp://{host}:{port}/ (Ctrl+C to stop)")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
