"""`frontdoor import-stats`: figures from systems that give only totals or call lists, into
the contact baseline.

Four kinds of file, each CSV or XLSX with a heading row: a telephony system's call records
(one row a call) or daily summaries (one row a number's day), an inbox's volume report, and
an e-form's completions ("thank you" page counts). Headings are matched to our fields by
their usual names, by what the source's last import used (its mapping is saved once an
import succeeds), or as the person importing says (--map field=Heading).

An import is all or nothing: every row is read and checked first, and if any is wrong the
report says which lines and why, and nothing is written. A file imported again changes
nothing: a call is known by the source's call id (or, without one, by its values), and a
day's figures for a number, inbox or form by the day, replacing what the same source said
of it before.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import TruncDate
from django.utils import timezone

from frontdoor.cases.models import Channel
from frontdoor.core.bulk import TableWriter, large_sqlite_cache
from frontdoor.customers.normalise import email_normalise, phone_to_e164
from frontdoor.directory.models import ContactPoint
from frontdoor.directory.services import contact_point_create, contact_point_mark_used
from frontdoor.reporting.models import (
    CallRecord,
    CallSummary,
    ImportKind,
    ImportSource,
    PeerFigure,
    StatImport,
    VolumeFigure,
)
from frontdoor.reporting.services import imported_days_mark
from frontdoor.reporting.tables import TableError, table_open

# A report lists this many bad lines, then says how many more there were.
PROBLEMS_SHOWN = 200
WRITE_CHUNK = 20_000


class ImportRefused(Exception):
    """The file as a whole cannot be imported; str() says why and what to do."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool
    # Headings that mean this field in the exports councils have, compared without case,
    # spaces or punctuation.
    headings: tuple[str, ...]
    parse: Callable[[Any], Any]


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


@dataclass
class ImportReport:
    kind: str
    source: str
    file_name: str
    dry_run: bool
    columns: dict[str, str]
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    first_day: date | None = None
    last_day: date | None = None
    note: str | None = None
    contact_points_added: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def problem(self, line: int, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_SHOWN:
            self.problems.append(Problem(line, message))


# -- reading values ------------------------------------------------------------------------


class BadValue(ValueError):
    """A cell that is not what its column needs; str() says what it should be."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def parse_count(value: Any) -> int:
    if isinstance(value, bool):
        raise BadValue(f"“{value}” is not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise BadValue(f"“{value:g}” is not a whole number")
        number = int(value)
    else:
        try:
            number = int(value)
        except ValueError:
            try:
                number = int(_text(value).replace(",", "").strip())
            except ValueError:
                raise BadValue(f"“{value}” is not a whole number") from None
    if number < 0:
        raise BadValue(f"{number} is negative: a count cannot be")
    return number


_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")


def parse_seconds(value: Any) -> int:
    """Seconds, as a number or as h:mm:ss or mm:ss (how telephony reports show times)."""
    if type(value) is str and value.isascii() and value.isdigit():  # the usual: plain seconds
        return int(value)
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        if seconds < 0:
            raise BadValue(f"{value} is negative: a time taken cannot be")
        return seconds
    if isinstance(value, str) and ":" in value:
        match = _DURATION.match(value.strip())
        if not match:
            raise BadValue(f"“{value}” is not a length of time (like 95, 1:35 or 0:01:35)")
        hours, minutes, seconds = (int(part or 0) for part in match.groups())
        return hours * 3600 + minutes * 60 + seconds
    try:
        return parse_count(value)
    except BadValue as error:
        if "negative" in str(error):
            raise BadValue(f"{value} is negative: a time taken cannot be") from None
        raise BadValue(
            f"“{value}” is not a length of time (seconds, like 95, or 1:35 or 0:01:35)"
        ) from None


LONDON = ZoneInfo("Europe/London")
_DAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")
_MOMENT_FORMATS = tuple(
    f"{day} {clock}" for day in _DAY_FORMATS for clock in ("%H:%M:%S", "%H:%M")
) + ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")


class _Formats:
    """Tries the format that worked last first: a file writes its dates one way."""

    def __init__(self, formats: tuple[str, ...]):
        self.formats = list(formats)

    def parse(self, text: str) -> datetime | None:
        for i, form in enumerate(self.formats):
            try:
                parsed = datetime.strptime(text, form)  # noqa: DTZ007 - made aware by the caller
            except ValueError:
                continue
            if i:
                self.formats.insert(0, self.formats.pop(i))
            return parsed
        return None


def _make_day_parser() -> Callable[[Any], date]:
    formats = _Formats(_DAY_FORMATS)

    def parse_day(value: Any) -> date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value).strip()
        parsed = formats.parse(text)
        if parsed is None:
            raise BadValue(f"“{value}” is not a date (like 31/03/2026 or 2026-03-31)")
        return _in_range(parsed).date()

    return parse_day


# The way UK telephony exports write a moment (31/03/2026 09:15:00), read without strptime,
# which takes ten times as long: a million calls are a million of these.
_UK_MOMENT = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")


def _make_moment_parser() -> Callable[[Any], datetime]:
    formats = _Formats(_MOMENT_FORMATS)

    def parse_moment(value: Any) -> datetime:
        if isinstance(value, datetime):
            moment = value
        else:
            text = _text(value).strip()
            uk = _UK_MOMENT.fullmatch(text)
            try:
                if uk is not None:
                    day, month, year, hour, minute, second = uk.groups()
                    moment = datetime(  # noqa: DTZ001 - made aware below
                        int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
                    )
                else:
                    moment = datetime.fromisoformat(text)
            except ValueError:
                parsed = formats.parse(text)
                if parsed is None:
                    raise BadValue(
                        f"“{value}” is not a date and time (like 31/03/2026 09:15 or "
                        "2026-03-31 09:15:00)"
                    ) from None
                moment = parsed
        moment = _in_range(moment)
        # Times without a zone are the council's own (Europe/London, summer time and all).
        return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)

    return parse_moment


def _in_range(moment: datetime) -> datetime:
    if not 2000 <= moment.year <= 2099:
        raise BadValue(f"{moment:%d/%m/%Y} is not a date these figures could be from")
    return moment


_ANSWERED = {"answered", "answer", "ans", "yes", "y", "true", "1", "handled", "connected"}
_ABANDONED = {"abandoned", "abandon", "abn", "aban", "no", "n", "false", "0", "lost", "dropped"}


def parse_outcome(value: Any) -> bool:
    """True for an answered call, False for an abandoned one."""
    text = _text(value).strip().lower()
    if text in _ANSWERED:
        return True
    if text in _ABANDONED:
        return False
    raise BadValue(f"“{value}” is not a call outcome: say Answered or Abandoned")


def _plain(value: Any) -> str:
    return _text(value).strip()


_MONTH_NAMES = {m: n for n, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
)}  # fmt: skip


def _month_last(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def parse_period(value: Any) -> tuple[date, date]:
    """A period councils publish figures for: a month (2026-03, 03/2026, March 2026), a
    financial year (2025/26, April to March), a quarter of one (2025/26 Q1 is April to
    June), or a calendar year (2025)."""
    if isinstance(value, datetime | date):
        day = value if isinstance(value, date) and not isinstance(value, datetime) else value.date()
        return day.replace(day=1), _month_last(day.year, day.month)
    text = _text(value).strip().lower().replace("–", "-")
    # A financial year first: 2011/12 is April 2011 to March 2012, not December 2011.
    if (fiscal := _financial_year(text)) is not None:
        return fiscal
    if match := re.fullmatch(r"(\d{4})[-/](\d{1,2})", text) or re.fullmatch(
        r"(\d{1,2})/(\d{4})()", text
    ):
        year, month = (
            (int(match[1]), int(match[2])) if len(match[1]) == 4 else (int(match[2]), int(match[1]))
        )
        if 1 <= month <= 12 and 2000 <= year <= 2099:
            return date(year, month, 1), _month_last(year, month)
    if match := re.fullmatch(r"([a-z]+)\s+(\d{4})", text):
        named = _MONTH_NAMES.get(match[1][:3])
        if named and 2000 <= int(match[2]) <= 2099:
            return date(int(match[2]), named, 1), _month_last(int(match[2]), named)
    if re.fullmatch(r"\d{4}", text) and 2000 <= int(text) <= 2099:
        return date(int(text), 1, 1), date(int(text), 12, 31)
    raise BadValue(
        f"“{value}” is not a period: write a month (2026-03), a financial year (2025/26), a "
        "quarter of one (2025/26 Q1) or a year (2025)"
    )


def _financial_year(text: str) -> tuple[date, date] | None:
    """2025/26, 2025-2026 or 2025/26 Q1 (April to June): None if it is not one."""
    if match := re.fullmatch(r"(\d{4})[-/](\d{2}|\d{4})(?:\s*q([1-4]))?", text):
        start = int(match[1])
        end = int(match[2]) if len(match[2]) == 4 else start // 100 * 100 + int(match[2])
        if end == start + 1 and 2000 <= start <= 2098:
            if match[3]:
                first_month = 4 + 3 * (int(match[3]) - 1)
                year = start + (first_month - 1) // 12
                month = (first_month - 1) % 12 + 1
                return date(year, month, 1), _month_last(year, month + 2)
            return date(start, 4, 1), date(end, 3, 31)
    return None


def parse_kpi(value: Any) -> str:
    """One of our KPIs, by its key or its name."""
    from frontdoor.reporting.kpis import KPIS

    wanted = _squash(_text(value))
    for kpi in KPIS:
        if wanted in (_squash(kpi.key), _squash(kpi.name)):
            return kpi.key
    raise BadValue(
        f"“{value}” is not one of our KPIs: use one of "
        + ", ".join(f"{kpi.key} ({kpi.name})" for kpi in KPIS)
    )


def parse_figure(value: Any) -> Decimal:
    """A published figure: 81.5, 81.5%, 1,204 or 42 s."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 0 < value < 1:
            # A spreadsheet cell formatted as a percentage holds 0.815 for 81.5%.
            raise BadValue(
                f"{value} looks like a spreadsheet's percentage ({value * 100:g}%?): write the "
                "figure as it is published, like 81.5"
            )
        return Decimal(str(value)).quantize(Decimal("0.01"))
    text = _text(value).strip().rstrip("%s").replace(",", "").strip()
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise BadValue(f"“{value}” is not a figure (like 81.5 or 81.5%)") from None


# -- what each kind of file holds ----------------------------------------------------------


_COUNCIL_HEADINGS = ("council", "authority", "local authority", "organisation")
_PERIOD_HEADINGS = ("period", "month", "year", "quarter", "financial year")


def _fields(kind: str) -> list[Field]:
    day = _make_day_parser()
    moment = _make_moment_parser()
    if kind == ImportKind.CALLS:
        return [
            Field(
                "call_id",
                "call id",
                False,
                ("call id", "callid", "call ref", "call reference", "id"),
                _plain,
            ),
            Field(
                "number",
                "number dialled",
                True,
                (
                    "number dialled",
                    "dialled number",
                    "called number",
                    "dnis",
                    "number called",
                    "line",
                    "number",
                ),
                _plain,
            ),
            Field(
                "started_at",
                "date and time the call started",
                True,
                (
                    "start time",
                    "call start",
                    "started",
                    "started at",
                    "date time",
                    "datetime",
                    "call time",
                    "call date time",
                    "segment start",
                ),
                moment,
            ),
            Field(
                "outcome",
                "outcome (answered or abandoned)",
                True,
                ("outcome", "disposition", "call outcome", "result", "answered", "status"),
                parse_outcome,
            ),
            Field(
                "wait_seconds",
                "time waiting to be answered",
                False,
                ("wait", "wait time", "queue time", "time to answer", "ring time", "wait seconds"),
                parse_seconds,
            ),
            Field(
                "talk_seconds",
                "talk time",
                False,
                ("talk", "talk time", "talk seconds", "duration", "call duration"),
                parse_seconds,
            ),
            Field(
                "hold_seconds",
                "hold time",
                False,
                ("hold", "hold time", "hold seconds"),
                parse_seconds,
            ),
            Field(
                "wrap_seconds",
                "after-call work",
                False,
                ("wrap", "wrap up", "wrap time", "acw", "after call work"),
                parse_seconds,
            ),
        ]
    if kind == ImportKind.CALL_SUMMARIES:
        return [
            Field("day", "date", True, ("date", "day"), day),
            Field(
                "number",
                "number dialled",
                True,
                ("number dialled", "dialled number", "called number", "dnis", "number", "line"),
                _plain,
            ),
            Field(
                "offered",
                "calls offered",
                True,
                ("offered", "calls offered", "calls", "presented", "calls presented"),
                parse_count,
            ),
            Field(
                "answered",
                "calls answered",
                True,
                ("answered", "calls answered", "handled", "calls handled"),
                parse_count,
            ),
            Field(
                "abandoned",
                "calls abandoned",
                True,
                ("abandoned", "calls abandoned", "lost", "lost calls"),
                parse_count,
            ),
            Field(
                "short_abandoned",
                "short abandons",
                False,
                ("short abandoned", "short abandons", "false abandons"),
                parse_count,
            ),
            Field(
                "answered_in_threshold",
                "answered within the threshold",
                False,
                (
                    "answered in threshold",
                    "answered within threshold",
                    "answered within sla",
                    "within sla",
                    "in service level",
                ),
                parse_count,
            ),
            Field(
                "wait_total",
                "total wait of answered calls",
                False,
                ("total wait", "wait total", "total answer time", "total queue time"),
                parse_seconds,
            ),
            Field(
                "handle_total",
                "total handling time",
                False,
                ("total handle time", "handle total", "total talk time", "talk total"),
                parse_seconds,
            ),
        ]
    if kind == ImportKind.PEERS:
        return [
            Field("council", "council", True, _COUNCIL_HEADINGS, _plain),
            Field("period", "period", True, _PERIOD_HEADINGS, parse_period),
            Field("kpi", "KPI", True, ("kpi", "measure", "indicator", "metric"), parse_kpi),
            Field("value", "value", True, ("value", "figure", "result", "actual"), parse_figure),
        ]
    what = "inbox" if kind == ImportKind.INBOX_VOLUMES else "form"
    names = (
        ("inbox", "mailbox", "email address", "address", "inbox address")
        if kind == ImportKind.INBOX_VOLUMES
        else ("form", "e form", "eform", "form name", "form address", "url", "page")
    )
    counts = (
        ("received", "emails received", "count", "volume", "items received", "messages")
        if kind == ImportKind.INBOX_VOLUMES
        else ("completions", "completed", "submissions", "count", "thank you page views", "views")
    )
    return [
        Field("day", "date", True, ("date", "day"), day),
        Field("point", what, True, names, _plain),
        Field(
            "contacts",
            "emails received" if what == "inbox" else "completions",
            True,
            counts,
            parse_count,
        ),
    ]


def _squash(heading: str) -> str:
    return re.sub(r"[^a-z0-9]", "", heading.lower())


def columns_resolve(
    *, kind: str, headings: list[str], saved: dict[str, str], given: dict[str, str]
) -> dict[str, int]:
    """Which column each field is in: as given, else as the source last imported, else by
    the usual headings. Refuses, saying what to do, when a required field has no column."""
    fields = _fields(kind)
    known = {f.name for f in fields}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ImportRefused(
            f"--map names {', '.join(unknown)}, which {ImportKind(kind).label.lower()} do not "
            f"have. The fields are: {', '.join(sorted(known))}."
        )
    by_squashed = {_squash(h): i for i, h in enumerate(headings)}
    chosen: dict[str, int] = {}
    for f in fields:
        wanted = given.get(f.name) or saved.get(f.name)
        if wanted is not None:
            if _squash(wanted) not in by_squashed:
                said = "--map" if f.name in given else "this source's saved mapping"
                raise ImportRefused(
                    f"{said} puts the {f.label} in the column “{wanted}”, but the file has no "
                    f"such column. Its columns are: {', '.join(headings)}. Say which it is "
                    f'with --map {f.name}="Heading".'
                )
            chosen[f.name] = by_squashed[_squash(wanted)]
            continue
        for heading in f.headings:
            if (
                _squash(heading) in by_squashed
                and by_squashed[_squash(heading)] not in chosen.values()
            ):
                chosen[f.name] = by_squashed[_squash(heading)]
                break
    missing = [f for f in fields if f.required and f.name not in chosen]
    if missing:
        wanted_list = "; ".join(f"{f.label} (--map {f.name}=…)" for f in missing)
        raise ImportRefused(
            f"The file has no column for: {wanted_list}. Its columns are: "
            f"{', '.join(headings)}. Say which column holds each with --map, like "
            f'--map {missing[0].name}="{headings[0] if headings else "Heading"}"; the '
            "mapping is saved for this source once the import succeeds."
        )
    return chosen


# -- contact points ------------------------------------------------------------------------

_POINT_KIND = {
    ImportKind.CALLS: ContactPoint.Kind.PHONE,
    ImportKind.CALL_SUMMARIES: ContactPoint.Kind.PHONE,
    ImportKind.INBOX_VOLUMES: ContactPoint.Kind.EMAIL,
    ImportKind.EFORM_COUNTS: ContactPoint.Kind.E_FORM,
}
_CHANNEL = {
    ImportKind.INBOX_VOLUMES: Channel.EMAIL,
    ImportKind.EFORM_COUNTS: Channel.E_FORM,
}


class _Points:
    """The contact points a file names, found by their address (a phone number in any
    usual form, an inbox's address, a form's address or name), each looked up once."""

    def __init__(self, kind: str, add_missing: bool):
        self.kind = _POINT_KIND.get(ImportKind(kind), ContactPoint.Kind.PHONE)
        self.add_missing = add_missing
        self.by_key: dict[str, int] = {}
        for point in ContactPoint.objects.filter(kind=self.kind):
            try:
                self.by_key[self._key(point.address)] = point.pk
            except ValidationError:
                # An address entered as no number is (an extension, "101"): the file cannot
                # name it in a form that reads as its address, so it is passed over.
                continue
            if self.kind == ContactPoint.Kind.E_FORM:
                self.by_key.setdefault(point.name.strip().lower(), point.pk)
        self.seen: dict[str, int | str | BadValue] = {}
        self.to_add: dict[str, str] = {}

    def _key(self, raw: str) -> str:
        if self.kind == ContactPoint.Kind.PHONE:
            return phone_to_e164(raw)
        if self.kind == ContactPoint.Kind.EMAIL:
            return email_normalise(raw).lower()
        return raw.strip().lower()

    def find(self, raw: str) -> int | str:
        """The contact point's id, or its address to add; BadValue if neither."""
        if raw in self.seen:
            found = self.seen[raw]
        else:
            found = self._find(raw)
            self.seen[raw] = found
        if isinstance(found, BadValue):
            raise found
        return found

    def _find(self, raw: str) -> int | str | BadValue:
        try:
            key = self._key(raw)
        except ValidationError as error:
            return BadValue(f"“{raw}”: {error.messages[0]}")
        if key in self.by_key:
            return self.by_key[key]
        if self.add_missing:
            self.to_add[key] = raw
            return key
        label = ContactPoint.Kind(self.kind).label.lower()
        return BadValue(
            f"“{raw}” is not a known {label}: add it in Configuration (Contact points), or "
            "import with --add-contact-points to add every one the file names"
        )

    def add(self) -> tuple[dict[str, int], list[str]]:
        made: dict[str, int] = {}
        for key, raw in sorted(self.to_add.items()):
            point = contact_point_create(kind=self.kind, name=raw, address=key)
            made[key] = point.pk
        return made, sorted(self.to_add.values())


# -- the import ----------------------------------------------------------------------------


@dataclass
class _Parsed:
    """The rows read and checked, ready to write."""

    calls: dict[str, tuple] = field(default_factory=dict)  # key -> values
    call_day: dict[str, date] = field(default_factory=dict)  # key -> its day in London
    # The source's calls already stored with these keys, once read.
    stored_calls: dict[str, tuple] | None = None
    # (day, contact point) -> values; for peers, (council, KPI, first day, last day).
    figures: dict[tuple, tuple] = field(default_factory=dict)


def stats_import(
    *,
    kind: str,
    path: Path,
    source_name: str,
    columns: dict[str, str] | None = None,
    dry_run: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
    add_contact_points: bool = False,
    user: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Read and check the whole file, then (unless a dry run, or any row is wrong) write it
    in one transaction. Raises ImportRefused for a file that cannot be imported at all."""
    kind = ImportKind(kind)
    source = ImportSource.objects.filter(name=source_name).first()
    if source is not None and source.kind != kind:
        raise ImportRefused(
            f"The source “{source_name}” sends {ImportKind(source.kind).label.lower()}, not "
            f"{kind.label.lower()}: name another source with --source."
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        with table_open(path, encoding=encoding, sheet=sheet) as table:
            chosen = columns_resolve(
                kind=kind,
                headings=table.headings,
                saved=source.columns if source else {},
                given=columns or {},
            )
            report = ImportReport(
                kind=kind,
                source=source_name,
                file_name=path.name,
                dry_run=dry_run,
                columns={name: table.headings[i] for name, i in chosen.items()},
                note=table.note,
            )
            points = _Points(kind, add_contact_points)
            parsed = _read(kind, table, chosen, points, report, progress)
    except TableError as error:
        raise ImportRefused(str(error)) from None
    if report.ok:
        _check_against_stored(kind, parsed, report, source, digest)
    if not report.ok:
        return report
    if dry_run:
        _count_changes(kind, parsed, source, report)
        report.contact_points_added = sorted(points.to_add.values())
        return report
    _write(
        kind,
        parsed,
        points,
        source_name,
        chosen,
        table_headings=report.columns,
        digest=digest,
        report=report,
        user=user,
    )
    return report


def _read(
    kind: str,
    table: Any,
    chosen: dict[str, int],
    points: _Points,
    report: ImportReport,
    progress: Callable[[int, int], None] | None,
) -> _Parsed:
    # Each field's name, parser, whether it is required, label and column, looked up once:
    # this loop runs once for every call of a million.
    fields = [
        (f.name, f.parse, f.required, f.label, chosen[f.name])
        for f in _fields(kind)
        if f.name in chosen
    ]
    width = len(table.headings)
    parsed = _Parsed()
    first_line: dict[Any, int] = {}
    days: set[date] = set()
    for count, (line, cells) in enumerate(table.rows, start=1):
        report.rows = count
        if progress is not None and count % 10_000 == 0:
            progress(table.bytes_read(), table.total_bytes)
        values: dict[str, Any] = {}
        wrong = []
        if len(cells) > width:
            report.problem(
                line,
                f"has {len(cells)} values but the file has {width} headings: "
                "is a number written with a comma (1,204) and not in quotes, or a value in a "
                "column with no heading?",
            )
            continue
        for name, parse, required, label, column in fields:
            cell = cells[column]
            if cell is None or cell == "":
                if required:
                    wrong.append(f"the {label} is empty")
                values[name] = None
                continue
            try:
                values[name] = parse(cell)
            except BadValue as error:
                wrong.append(f"{label}: {error}")
        point_raw = values.get("number") or values.get("point")
        if point_raw is not None:
            try:
                values["point_id"] = points.find(point_raw)
            except BadValue as error:
                wrong.append(str(error))
        if not wrong:
            wrong += _consistency(kind, values)
        if wrong:
            report.problem(line, "; ".join(wrong))
            continue
        key, row, day = _row(kind, values)
        if kind == ImportKind.CALLS and key.startswith("~"):
            # Without call ids two calls can read alike (the same number and minute, both
            # abandoned): each is taken, the second and later numbered by their order, so the
            # same file imported again still adds nothing.
            base, n = key, 1
            while key in first_line:
                n += 1
                key = f"{base}#{n}"
        if key in first_line:
            report.problem(line, f"repeats line {first_line[key]} ({_describe(kind, key)})")
            continue
        first_line[key] = line
        days.add(day)
        if kind == ImportKind.CALLS:
            parsed.calls[key] = row
            parsed.call_day[key] = day
        else:
            parsed.figures[key] = row
    if progress is not None:
        progress(table.total_bytes, table.total_bytes)
    if report.rows == 0:
        raise ImportRefused("The file has a heading row but no rows of figures under it.")
    if days:
        report.first_day, report.last_day = min(days), max(days)
    return parsed


def _consistency(kind: str, values: dict[str, Any]) -> list[str]:
    if kind == ImportKind.PEERS:
        from frontdoor.reporting.kpis import KPI_BY_KEY, Unit

        if KPI_BY_KEY[values["kpi"]].unit == Unit.PERCENT and not 0 <= values["value"] <= 100:
            return [f"{values['value']} is not a percentage: it must be from 0 to 100"]
        return []
    if kind != ImportKind.CALL_SUMMARIES:
        return []
    wrong = []
    offered, answered, abandoned = values["offered"], values["answered"], values["abandoned"]
    if answered + abandoned > offered:
        wrong.append(
            f"{answered} answered and {abandoned} abandoned are more than the {offered} offered"
        )
    threshold = values.get("answered_in_threshold")
    if threshold is not None and threshold > answered:
        wrong.append(f"{threshold} answered within the threshold is more than {answered} answered")
    short = values.get("short_abandoned")
    if short is not None and short > abandoned:
        wrong.append(f"{short} short abandons is more than {abandoned} abandoned")
    return wrong


def _row(kind: str, values: dict[str, Any]) -> tuple[Any, tuple, date]:
    if kind == ImportKind.PEERS:
        first, last = values["period"]
        council: str = values["council"]
        return (council.casefold(), values["kpi"], first, last), (council, values["value"]), first
    point = values["point_id"]
    if kind == ImportKind.CALLS:
        started: datetime = values["started_at"]
        durations = tuple(
            values.get(n) for n in ("wait_seconds", "talk_seconds", "hold_seconds", "wrap_seconds")
        )
        row = (point, started.timestamp(), values["outcome"], *durations)
        key = values.get("call_id")
        if not key:
            # No call id: the call is known by everything the file says of it.
            digest = hashlib.blake2b(repr((values["number"], *row[1:])).encode(), digest_size=16)
            key = f"~{digest.hexdigest()}"
        in_london = started if started.tzinfo is LONDON else started.astimezone(LONDON)
        return key, row, in_london.date()
    day: date = values["day"]
    if kind == ImportKind.CALL_SUMMARIES:
        names = SUMMARY_FIGURES
        return (day, point), tuple(values.get(n) for n in names), day
    return (day, point), (values["contacts"],), day


def _describe(kind: str, key: Any) -> str:
    if kind == ImportKind.CALLS:
        return "the same call" if key.startswith("~") else f"call {key}"
    return f"the same {'number' if kind == ImportKind.CALL_SUMMARIES else 'contact point'} and day"


def _check_against_stored(
    kind: str, parsed: _Parsed, report: ImportReport, source: ImportSource | None, digest: str
) -> None:
    """A contact point's day is counted by one source only, and by telephony's call records
    or its daily summary, not both: another would count the same contacts twice. Nor is a
    file imported again under another source's name."""
    others = StatImport.objects.filter(file_sha256=digest)
    if source is not None:
        others = others.exclude(source=source)
    earlier = others.select_related("source").first()
    if earlier is not None:
        report.problem(
            0,
            f"This file was imported on {timezone.localtime(earlier.imported_at):%d/%m/%Y} as "
            f"“{earlier.source.name}”: imported again under another source it would count "
            f"twice. Import it as --source “{earlier.source.name}” (that changes nothing).",
        )
        return
    if kind == ImportKind.PEERS or report.first_day is None:
        return
    first, last = report.first_day, report.last_day
    assert last is not None
    if kind == ImportKind.CALLS:
        mine = {(parsed.call_day[key], row[0]) for key, row in parsed.calls.items()}
    else:
        mine = set(parsed.figures)
    stored: dict[tuple[date, int], str] = {}
    if kind in (ImportKind.CALLS, ImportKind.CALL_SUMMARIES):
        summaries = CallSummary.objects.filter(day__gte=first, day__lte=last)
        start = datetime.combine(first, time.min, tzinfo=LONDON)
        end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=LONDON)
        records = (
            CallRecord.objects.filter(started_at__gte=start, started_at__lt=end)
            .annotate(day=TruncDate("started_at", tzinfo=LONDON))
            .values_list("day", "contact_point_id", "source__name")
            .distinct()
        )
        if source is not None:
            summaries, records = summaries.exclude(source=source), records.exclude(source=source)
        for day, point, name in summaries.values_list("day", "contact_point_id", "source__name"):
            stored[day, point] = f"a daily summary from “{name}”"
        for day, point, name in records:
            stored[day, point] = f"call records from “{name}”"
    else:
        figures = VolumeFigure.objects.filter(day__gte=first, day__lte=last)
        if source is not None:
            figures = figures.exclude(source=source)
        for day, point, name in figures.values_list("day", "contact_point_id", "source__name"):
            stored[day, point] = f"figures from “{name}”"
    clashes = sorted(mine & set(stored))
    if clashes:
        day, point = clashes[0]
        address = ContactPoint.objects.get(pk=point).address
        report.problem(
            0,
            f"{len(clashes)} of the days in this file are already counted for their contact "
            f"point (the first: {address} on {day:%d/%m/%Y} has {stored[day, point]}); both "
            "would count the same contacts. Import each contact point's days from one source, "
            "and for telephony as call records or as daily summaries, not both.",
        )


def _count_changes(
    kind: str, parsed: _Parsed, source: ImportSource | None, report: ImportReport
) -> None:
    """What the import would add, change and leave as it is."""
    if source is None:
        report.added = len(parsed.calls) + len(parsed.figures)
        return
    if kind == ImportKind.CALLS:
        stored = _stored_calls(source, parsed)
        for key, row in parsed.calls.items():
            if key not in stored:
                report.added += 1
            elif stored[key] != _comparable_call(row):
                report.changed += 1
            else:
                report.unchanged += 1
        return
    stored_figures = _stored_figures(kind, source, report)
    for day_point, row in parsed.figures.items():
        if day_point not in stored_figures:
            report.added += 1
        elif stored_figures[day_point] != row:
            report.changed += 1
        else:
            report.unchanged += 1


SUMMARY_FIGURES = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "answered_in_threshold",
    "wait_total",
    "handle_total",
)
_CALL_VALUES = (
    "contact_point_id",
    "started_at",
    "answered",
    "wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "wrap_seconds",
)


def _comparable_call(row: tuple) -> tuple:
    return (row[0], round(row[1]), *row[2:])


def _stored_calls(source: ImportSource, parsed: _Parsed) -> dict[str, tuple]:
    stored: dict[str, tuple] = {}
    if parsed.stored_calls is not None:
        return parsed.stored_calls
    parsed.stored_calls = stored
    if not CallRecord.objects.filter(source=source).exists():
        return stored
    keys = list(parsed.calls)
    for i in range(0, len(keys), 5000):
        for key, point, started, *rest in CallRecord.objects.filter(
            source=source, key__in=keys[i : i + 5000]
        ).values_list("key", *_CALL_VALUES):
            stored[key] = (point, round(started.timestamp()), *rest)
    return stored


def _stored_figures(kind: str, source: ImportSource, report: ImportReport) -> dict[tuple, tuple]:
    if kind == ImportKind.PEERS:
        return {
            (council.casefold(), kpi, first, last): (council, value)
            for council, kpi, first, last, value in PeerFigure.objects.filter(
                source=source
            ).values_list("council", "kpi", "first_day", "last_day", "value")
        }
    days = {"day__gte": report.first_day, "day__lte": report.last_day, "source": source}
    if kind == ImportKind.CALL_SUMMARIES:
        names = SUMMARY_FIGURES
        return {
            (day, point): tuple(rest)
            for day, point, *rest in CallSummary.objects.filter(**days).values_list(
                "day", "contact_point_id", *names
            )
        }
    return {
        (day, point): (contacts,)
        for day, point, contacts in VolumeFigure.objects.filter(**days).values_list(
            "day", "contact_point_id", "contacts"
        )
    }


@transaction.atomic
def _write(
    kind: str,
    parsed: _Parsed,
    points: _Points,
    source_name: str,
    chosen: dict[str, int],
    *,
    table_headings: dict[str, str],
    digest: str,
    report: ImportReport,
    user: Any,
) -> None:
    now = timezone.now()
    source, _ = ImportSource.objects.select_for_update().get_or_create(
        name=source_name, defaults={"kind": kind, "created_at": now, "updated_at": now}
    )
    _count_changes(kind, parsed, source, report)
    made, report.contact_points_added = points.add()
    statimport = StatImport.objects.create(
        source=source,
        file_name=report.file_name[:255],
        file_sha256=digest,
        rows=report.rows,
        added=report.added,
        changed=report.changed,
        unchanged=report.unchanged,
        first_day=report.first_day,
        last_day=report.last_day,
        imported_at=now,
        imported_by=user if getattr(user, "is_authenticated", False) else None,
    )

    def point_id(point: int | str) -> int:
        return made[point] if isinstance(point, str) else point

    if kind == ImportKind.PEERS:
        _peers_write(source, statimport, parsed, report)
        changed_days = set()
    elif kind == ImportKind.CALLS:
        changed_days = _calls_write(source, statimport, parsed, point_id)
    else:
        changed_days = _figures_write(kind, source, statimport, parsed, point_id, report)
    imported_days_mark(
        days=changed_days, calls=kind in (ImportKind.CALLS, ImportKind.CALL_SUMMARIES)
    )
    if kind != ImportKind.PEERS:
        _points_mark_used(kind, parsed, point_id)
    source.columns = table_headings
    source.updated_at = now
    source.save(update_fields=["columns", "updated_at"])


def _calls_write(
    source: ImportSource, statimport: StatImport, parsed: _Parsed, point_id: Callable
) -> set[date]:
    stored = _stored_calls(source, parsed)
    fresh, changed = [], []
    for key, row in parsed.calls.items():
        if key not in stored:
            fresh.append((key, row))
        elif stored[key] != _comparable_call(row):
            changed.append((key, row))
    days: set[date] = set()
    if changed:
        # A corrected call: the old day may differ from the new.
        old = CallRecord.objects.filter(source=source, key__in=[k for k, _ in changed])
        days |= {timezone.localdate(at) for at in old.values_list("started_at", flat=True)}
        old.delete()
        fresh += changed
    writer = TableWriter(
        CallRecord,
        (
            "source",
            "key",
            "statimport",
            "contact_point",
            "started_at",
            "answered",
            "wait_seconds",
            "talk_seconds",
            "hold_seconds",
            "wrap_seconds",
        ),
    )
    with large_sqlite_cache():
        for i in range(0, len(fresh), WRITE_CHUNK):
            rows = [
                (source.pk, key, statimport.pk, point_id(row[0]), *row[1:])
                for key, row in fresh[i : i + WRITE_CHUNK]
            ]
            writer.write(writer.prepare(rows))
    return days | {parsed.call_day[key] for key, _ in fresh}


def _peers_write(
    source: ImportSource, statimport: StatImport, parsed: _Parsed, report: ImportReport
) -> None:
    stored = _stored_figures(ImportKind.PEERS, source, report)
    for key, row in parsed.figures.items():
        if stored.get(key) == row:
            continue
        _, kpi, first, last = key
        council, value = row
        PeerFigure.objects.filter(
            source=source, council__iexact=council, kpi=kpi, first_day=first, last_day=last
        ).delete()
        PeerFigure.objects.create(
            source=source,
            statimport=statimport,
            council=council,
            kpi=kpi,
            first_day=first,
            last_day=last,
            value=value,
        )


def _figures_write(
    kind: str,
    source: ImportSource,
    statimport: StatImport,
    parsed: _Parsed,
    point_id: Callable,
    report: ImportReport,
) -> set[date]:
    """The days' figures that are new or changed, written in bulk: a year of 1,600 inboxes'
    volumes is 584,000 rows, too many for a statement each. A changed day's old row goes
    first."""
    model: Any = CallSummary if kind == ImportKind.CALL_SUMMARIES else VolumeFigure
    stored = _stored_figures(kind, source, report)
    fresh, changed = [], set()
    for (day, point), row in parsed.figures.items():
        key = (day, point_id(point))
        if stored.get(key) == row:
            continue
        if key in stored:
            changed.add(key)
        if kind == ImportKind.CALL_SUMMARIES:
            values = dict(zip(SUMMARY_FIGURES, row, strict=True))
        else:
            values = {"channel": _CHANNEL[ImportKind(kind)], "contacts": row[0]}
        fresh.append(
            model(source=source, statimport=statimport, day=day, contact_point_id=key[1], **values)
        )
    if changed:
        old = model.objects.filter(
            source=source, day__gte=report.first_day, day__lte=report.last_day
        ).values_list("pk", "day", "contact_point_id")
        pks = [pk for pk, day, point in old if (day, point) in changed]
        for i in range(0, len(pks), WRITE_CHUNK):
            model.objects.filter(pk__in=pks[i : i + WRITE_CHUNK]).delete()
    model.objects.bulk_create(fresh, batch_size=2000)
    return {figure.day for figure in fresh}


def _points_mark_used(kind: str, parsed: _Parsed, point_id: Callable) -> None:
    """A contact point's last contact moves on to the latest the file shows it used."""
    latest: dict[int, datetime] = {}
    if kind == ImportKind.CALLS:
        last_call: dict[int | str, float] = {}
        for row in parsed.calls.values():
            if row[1] > last_call.get(row[0], 0.0):
                last_call[row[0]] = row[1]
        for point, stamp in last_call.items():
            latest[point_id(point)] = datetime.fromtimestamp(stamp, tz=LONDON)
    else:
        for (day, point), row in parsed.figures.items():
            if row[0]:
                noon = datetime.combine(day, time(12), tzinfo=LONDON)
                pid = point_id(point)
                if pid not in latest or noon > latest[pid]:
                    latest[pid] = noon
    for pid, moment in latest.items():
        contact_point_mark_used(contact_point_id=pid, at=moment)
