"""`frontdoor import-mail PATH --inbox ADDRESS`: bring in an old shared mailbox (a Maildir) or
a drop folder of .eml files. The messages go through the same pipeline as SMTP, a batch at a
time; running it again on the same folder adds nothing."""

import mailbox
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from frontdoor.directory.models import ContactPoint
from frontdoor.intake.email.models import InboundEmail
from frontdoor.intake.email.services import (
    IncomingEmail,
    emails_receive_all,
    in_batches,
    inbox_for_address,
)


def _is_maildir(path: Path) -> bool:
    return all((path / name).is_dir() for name in ("cur", "new", "tmp"))


def _messages(path: Path) -> tuple[int, Iterator[bytes]]:
    if _is_maildir(path):
        box = mailbox.Maildir(str(path), factory=None, create=False)
        keys = sorted(box.keys())
        return len(keys), (box.get_bytes(key) for key in keys)
    files = sorted(p for p in path.rglob("*.eml") if p.is_file())
    return len(files), (p.read_bytes() for p in files)


class Command(BaseCommand):
    help = "Import a Maildir or a folder of .eml files into one of the council's inboxes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--inbox", required=True, help="The inbox's email address.")

    def handle(self, *args: object, path: Path, inbox: str, **options: object) -> None:
        if not path.is_dir():
            raise CommandError(f"{path} is not a folder: give a Maildir or a folder of .eml files")
        contact_point = inbox_for_address(inbox)
        if contact_point is None:
            known = ", ".join(
                ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL)
                .exclude(status=ContactPoint.Status.RETIRED)
                .values_list("address", flat=True)
            )
            raise CommandError(f"{inbox} is not one of the council's inboxes: {known}")
        total, messages = _messages(path)
        before = InboundEmail.objects.filter(contact_point=contact_point).count()
        quarantined = 0
        incoming = (
            IncomingEmail(raw=raw, contact_point=contact_point, source=InboundEmail.Source.IMPORT)
            for raw in messages
        )
        batches = in_batches(incoming, size=lambda message: len(message.raw))
        with tqdm(total=total, unit=" messages", desc="Importing") as progress:
            for stored in emails_receive_all(batches=batches):
                quarantined += sum(e.status == InboundEmail.Status.QUARANTINED for e in stored)
                progress.update(len(stored))
        added = InboundEmail.objects.filter(contact_point=contact_point).count() - before
        self.stdout.write(
            self.style.SUCCESS(
                f"{total} messages read, {added} new ({total - added} already here); "
                f"{quarantined} quarantined for staff to look at."
            )
        )
