"""`frontdoor import-stats KIND FILE`: figures from another system into the contact baseline
(see reporting.importing). Prints what was added and changed, or which lines are wrong and
why; with --dry-run it checks the file and writes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from frontdoor.reporting.importing import ImportRefused, stats_import
from frontdoor.reporting.models import ImportKind

EXAMPLE = "--map started_at='Call Start' --map number=DNIS"


class Command(BaseCommand):
    help = (
        "Import telephony call records or daily summaries, inbox volumes or e-form counts "
        "(CSV or XLSX) into the contact baseline. All or nothing: a file with a wrong row "
        "imports nothing. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind",
            choices=[k.value for k in ImportKind],
            help="; ".join(f"{k.value}: {k.label}" for k in ImportKind),
        )
        parser.add_argument("file", type=Path, help="A CSV or XLSX file with a heading row.")
        parser.add_argument(
            "--source",
            help="The system the file comes from, like 'Mitel' (default: the kind). Its column "
            "mapping is saved for next time.",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=HEADING",
            help=f"Which column holds a field, like {EXAMPLE}.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file; write nothing.")
        parser.add_argument("--encoding", help="A CSV's encoding, like cp1252 (default: detected).")
        parser.add_argument("--sheet", help="An XLSX file's sheet (default: the first).")
        parser.add_argument(
            "--add-contact-points",
            action="store_true",
            help="Add the numbers, inboxes or forms the file names that are not yet known.",
        )

    def handle(self, *args, kind: str, file: Path, verbosity: int = 1, **options) -> None:
        if not file.is_file():
            raise CommandError(f"There is no file at {file}: give the path of a CSV or XLSX file.")
        columns = {}
        for pair in options["map"]:
            name, equals, heading = pair.partition("=")
            if not equals or not name.strip() or not heading.strip():
                raise CommandError(f"--map {pair}: write it as FIELD=HEADING, like {EXAMPLE}")
            columns[name.strip()] = heading.strip()
        with tqdm(
            total=file.stat().st_size,
            unit="B",
            unit_scale=True,
            disable=verbosity < 1,
            desc="Reading",
        ) as bar:
            try:
                report = stats_import(
                    kind=kind,
                    path=file,
                    source_name=options["source"] or kind,
                    columns=columns,
                    dry_run=options["dry_run"],
                    encoding=options["encoding"],
                    sheet=options["sheet"],
                    add_contact_points=options["add_contact_points"],
                    progress=lambda done, total: bar.update(done - bar.n),
                )
            except ImportRefused as refused:
                raise CommandError(str(refused)) from None
        out = self.stdout
        if report.note:
            out.write(report.note)
        out.write(
            "Columns: "
            + ", ".join(f"{name} = “{heading}”" for name, heading in report.columns.items())
        )
        if not report.ok:
            for problem in report.problems:
                where = f"line {problem.line}" if problem.line else "the file"
                out.write(f"  {where}: {problem.message}")
            more = report.problem_count - len(report.problems)
            if more > 0:
                out.write(f"  … and {more} more")
            raise CommandError(
                f"{report.problem_count} of {report.rows} rows are wrong: nothing was imported. "
                "Correct them and import the file again."
            )
        span = (
            f" from {report.first_day:%d/%m/%Y} to {report.last_day:%d/%m/%Y}"
            if report.first_day and report.last_day
            else ""
        )
        verb = "Would add" if report.dry_run else "Added"
        out.write(
            self.style.SUCCESS(
                f"{'Checked' if report.dry_run else 'Imported'} {report.rows} rows{span}: "
                f"{verb.lower()} {report.added}, changed {report.changed}, "
                f"{report.unchanged} unchanged."
            )
            if not report.dry_run
            else self.style.SUCCESS(
                f"Checked {report.rows} rows{span}: all good. {verb} {report.added}, change "
                f"{report.changed}, {report.unchanged} unchanged. Nothing was written (dry run)."
            )
        )
        if report.contact_points_added:
            added = ", ".join(report.contact_points_added)
            out.write(f"{'Would add' if report.dry_run else 'Added'} contact points: {added}")
