"""Reading the CSV or XLSX files a council exports from its other systems (telephony, inboxes,
e-forms) for `frontdoor import-stats`: a heading row, then rows of cells, each with the line
the person importing sees it on. What the headings mean and whether the values are right is
for reporting.importing; this module reads the file faithfully, or refuses it with a
TableError that says what to do.

A CSV's bytes are read into memory once and decoded as its rows are parsed, so a file of a
million rows streams in about a second. An XLSX file is read through openpyxl's read-only
mode, which is much slower per cell.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import charset_normalizer
import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_ZIP_MAGIC = b"PK\x03\x04"
# Old .xls workbooks, and .xlsx workbooks saved with a password, are OLE compound files.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DELIMITERS = ",;\t|"
_SNIFF_BYTES = 64 * 1024
_DETECTION_SAMPLE_BYTES = 64 * 1024
_NON_ASCII = re.compile(rb"[\x80-\xff]")
# A merged range in a sheet's XML, with or without a namespace prefix (.NET writers use x:).
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


class TableError(Exception):
    """The file as a whole cannot be read: str(error) is a message for the person importing,
    saying what is wrong and what to do."""


@dataclass
class Table:
    """A file's heading row and, streamed, its rows.

    rows gives (line, cells) for each row that is not wholly blank: line is the line in a text
    editor (CSV; a value with line breaks in it counts them, and a row is numbered by the line
    it starts on) or the row number in Excel (XLSX). cells has one value per heading: a
    shorter row is padded with None, and values past the last heading are dropped. CSV cells
    are strings stripped of surrounding spaces; XLSX cells keep Excel's types (datetime, int,
    float, bool, str). An empty cell is None. Iterating rows can raise TableError for a CSV
    whose quoting is broken part way through.
    """

    headings: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str | None
    note: str | None
    total_bytes: int
    bytes_read: Callable[[], int]


@contextmanager
def table_open(
    path: Path, *, encoding: str | None = None, sheet: str | None = None
) -> Iterator[Table]:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise TableError(
            f"{path.name} is an old-style Excel workbook (.xls), which cannot be read. Open it "
            "in Excel, save it as an Excel Workbook (.xlsx) or as CSV, and import that."
        )
    if suffix not in _CSV_SUFFIXES | _XLSX_SUFFIXES:
        raise TableError(
            f"{path.name} is not a CSV or Excel (.xlsx) file. Save it from the system or "
            "spreadsheet it came from as .xlsx or CSV, and import that."
        )
    if suffix in _CSV_SUFFIXES:
        if sheet is not None:
            raise TableError(f"{path.name} is a CSV file, which has no sheets: leave out --sheet.")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise _unreadable(path, error) from error
        yield _csv_table(data, encoding)
        return
    if encoding is not None:
        raise TableError(
            f"{path.name} is an Excel workbook, which records its own encoding: leave out "
            "--encoding."
        )
    with _xlsx_table(path, sheet) as table:
        yield table


def _unreadable(path: Path, error: OSError) -> TableError:
    return TableError(
        f"{path} cannot be read: {error.strerror or error}. Check the file's name and that you "
        "may open it."
    )


# CSV


def _csv_table(data: bytes, requested_encoding: str | None) -> Table:
    if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        raise TableError(
            "This is an Excel workbook, not a CSV file. Open it in Excel and save it as CSV, or "
            "as an Excel Workbook (.xlsx), and import that."
        )
    codec, encoding, note = _encoding_choose(data, requested_encoding)
    sample = data[:_SNIFF_BYTES].decode(codec, errors="replace")
    delimiter = _delimiter_sniff(sample, whole_file=len(data) <= _SNIFF_BYTES)
    raw = io.BytesIO(data)
    # Decoding as the rows are read keeps memory to the file's bytes; StringIO of the decoded
    # text would hold four bytes a character.
    text = io.TextIOWrapper(raw, encoding=codec, newline="")
    reader = csv.reader(text, dialect="excel", delimiter=delimiter, strict=True)
    headings, rows = _headings_and_rows(_csv_records(reader), place="line", merged=None)

    def bytes_read() -> int:
        # Once the rows are read, the reader lets the text go, and that closes the bytes.
        return len(data) if raw.closed else raw.tell()

    return Table(
        headings=headings,
        rows=rows,
        encoding=encoding,
        note=note,
        total_bytes=len(data),
        bytes_read=bytes_read,
    )


def _csv_records(reader: Any) -> Iterator[tuple[int, list[Any]]]:
    end = 0
    try:
        for record in reader:
            start, end = end + 1, reader.line_num
            cells = [cell.strip() or None for cell in record]
            if any(cells):
                yield start, cells
    except csv.Error as error:
        raise TableError(
            f"Line {end + 1} cannot be read as CSV ({error}). Usually a value's opening quote "
            '(") is never closed, or there is text straight after a closing quote: correct it '
            "in a text editor and import again."
        ) from error


def _encoding_choose(data: bytes, requested: str | None) -> tuple[str, str, str | None]:
    """The codec to read with, the encoding to report, and a note when it was guessed."""
    if requested is not None:
        try:
            name = codecs.lookup(requested).name
            # A byte order mark is not part of the first heading.
            codec = "utf-8-sig" if name == "utf-8" else name
            bad_line = _undecodable_line(data, codec)
        except LookupError:
            raise TableError(
                f"“{requested}” is not an encoding this program knows. Common ones are utf-8, "
                "cp1252 (Windows) and utf-16; or leave out --encoding to have it worked out."
            ) from None
        if bad_line is not None:
            raise TableError(
                f"The file is not in {requested}: line {bad_line} has bytes that cannot be read "
                "in it. Give the file's encoding with --encoding, or leave --encoding out to "
                "have it worked out."
            )
        return codec, name, None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        bad_line = _undecodable_line(data, "utf-16")
        if bad_line is not None:
            raise TableError(
                f"The file starts as UTF-16 but line {bad_line} is not. Save it from Excel as "
                "“CSV UTF-8” and import that."
            )
        return "utf-16", "utf-16", None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        first_bad = error.start
    else:
        return "utf-8-sig", "utf-8", None
    guessed = _encoding_guess(_detection_sample(data, first_bad))
    if guessed is None:
        raise TableError(
            "The file is not UTF-8 and its encoding could not be worked out. Save it from "
            "Excel as “CSV UTF-8”, or give its encoding with --encoding (for example "
            "--encoding cp1252)."
        )
    codec = codecs.lookup(guessed).name
    described = _encoding_describe(codec)
    bad_line = _undecodable_line(data, codec)
    if bad_line is not None:
        raise TableError(
            f"The file is not UTF-8, and line {bad_line} cannot be read as {described} either. "
            "Save it from Excel as “CSV UTF-8”, or give its encoding with --encoding."
        )
    note = (
        f"The file was not UTF-8: read as {described}. If any text looks wrong, give the "
        "file's encoding with --encoding."
    )
    return codec, codec, note


def _undecodable_line(data: bytes, codec: str) -> int | None:
    try:
        data.decode(codec)
    except UnicodeDecodeError as error:
        before = error.object[: error.start]
        return before.decode(codec, errors="replace").count("\n") + 1
    return None


def _detection_sample(data: bytes, first_bad: int) -> bytes:
    # The lines with non-ASCII bytes in them are the evidence; over the whole of a large file
    # the detector takes seconds.
    lines: list[bytes] = []
    size = 0
    position = data.rfind(b"\n", 0, first_bad) + 1
    while size < _DETECTION_SAMPLE_BYTES and (found := _NON_ASCII.search(data, position)):
        line_start = data.rfind(b"\n", 0, found.start()) + 1
        line_end = data.find(b"\n", found.start()) + 1 or len(data)
        lines.append(data[line_start:line_end])
        size += line_end - line_start
        position = line_end
    return b"".join(lines)


def _encoding_guess(sample: bytes) -> str | None:
    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    # A match lists the encodings that read the sample the same way as its own.
    windows = next((match for match in matches if "cp1252" in match.could_be_from_charset), None)
    # Windows-1252 is what UK Windows systems write when they do not write UTF-8. The detector
    # is made for prose and a few "£" among numbers throw it, so only text that reads as a
    # language better in another encoding (Polish, Greek, Russian…) outweighs that.
    windows_coherence = windows.coherence if windows is not None else 0.0
    if best is not None and best is not windows and best.coherence > windows_coherence:
        return best.encoding
    if _undecodable_line(sample, "cp1252") is None:
        return "cp1252"
    return best.encoding if best is not None else None


def _encoding_describe(codec: str) -> str:
    if codec.startswith("cp125"):
        return f"Windows-{codec[2:]} ({codec})"
    return codec


def _delimiter_sniff(sample: str, *, whole_file: bool) -> str:
    """The delimiter that splits the most rows into the same number of columns, more than
    one; a comma when none does. Parsing with each (rather than counting characters) keeps
    delimiters inside quoted values from counting, and voting by the commonest row length
    keeps a title line above the headings from deciding."""
    lines = sample.splitlines(keepends=True)
    if not whole_file:
        lines = lines[:-1]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        widths: dict[int, int] = {}
        try:
            for record in csv.reader(lines, dialect="excel", delimiter=delimiter):
                if any(cell.strip() for cell in record):
                    widths[len(record)] = widths.get(len(record), 0) + 1
        except csv.Error:
            continue
        score = max(((count, width) for width, count in widths.items() if width > 1), default=None)
        if score is not None and score > best_score:
            best, best_score = delimiter, score
    return best


# XLSX


@contextmanager
def _xlsx_table(path: Path, sheet: str | None) -> Iterator[Table]:
    try:
        handle = path.open("rb")
    except OSError as error:
        raise _unreadable(path, error) from error
    with handle:
        start = handle.read(len(_OLE_MAGIC))
        if start == _OLE_MAGIC:
            raise TableError(
                f"{path.name} is not an .xlsx workbook inside: it is either protected by a "
                "password or an old .xls workbook renamed. Open it in Excel, remove any "
                "password, save it as an Excel Workbook (.xlsx) or as CSV, and import that."
            )
        if not start.startswith(_ZIP_MAGIC) or not zipfile.is_zipfile(handle):
            raise TableError(
                f"{path.name} is not an Excel workbook, though its name says so: it may be "
                "damaged, or another kind of file renamed. Open it in Excel, save it as an "
                "Excel Workbook (.xlsx) or as CSV, and import that."
            )
        handle.seek(0)
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (
            KeyError,
            SyntaxError,
            TypeError,
            ValueError,
            zipfile.BadZipFile,
            InvalidFileException,
        ) as error:
            raise TableError(
                f"{path.name} cannot be opened as an Excel workbook ({error}). Open it in Excel, "
                "save it again as an Excel Workbook (.xlsx) or as CSV, and import that."
            ) from error
        try:
            worksheet = _worksheet_find(workbook, sheet, path)
            # The sheet's place in the file: read-only openpyxl keeps it in a private attribute.
            with zipfile.ZipFile(path) as archive:
                member = archive.getinfo(worksheet._worksheet_path)
            # Some systems write a wrong size at the top of a sheet; read all its cells.
            worksheet.reset_dimensions()
            records = _xlsx_records(worksheet.iter_rows(values_only=True))
            headings, rows = _headings_and_rows(
                records, place="row", merged=lambda row: _merged_across(path, member, row)
            )
            total_bytes = path.stat().st_size

            def bytes_read() -> int:
                # The sheet's compressed bytes are read in order, so how far into them the
                # file has been read is how far through the rows.
                done = (handle.tell() - member.header_offset) / max(member.compress_size, 1)
                return int(total_bytes * min(max(done, 0.0), 1.0))

            yield Table(
                headings=headings,
                rows=rows,
                encoding=None,
                note=None,
                total_bytes=total_bytes,
                bytes_read=bytes_read,
            )
        finally:
            workbook.close()


def _worksheet_find(workbook: Any, sheet: str | None, path: Path) -> Any:
    worksheets = workbook.worksheets
    if not worksheets:
        raise TableError(f"{path.name} has no sheets of cells to read, only charts.")
    if sheet is None:
        return worksheets[0]
    for worksheet in worksheets:
        if worksheet.title == sheet:
            return worksheet
    names = ", ".join(f"“{worksheet.title}”" for worksheet in worksheets)
    raise TableError(
        f"{path.name} has no sheet called “{sheet}”. Its sheets are: {names}. Give one of "
        "those with --sheet, or leave --sheet out to read the first."
    )


def _xlsx_records(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, list[Any]]]:
    line = 0
    try:
        for line, row in enumerate(rows, start=1):
            cells = [(value.strip() or None) if isinstance(value, str) else value for value in row]
            if any(cell is not None for cell in cells):
                yield line, cells
    except (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise TableError(
            f"The workbook is damaged after row {line} ({error}). Open it in Excel, save it "
            "again as an Excel Workbook (.xlsx) or as CSV, and import that."
        ) from error


def _merged_across(path: Path, member: zipfile.ZipInfo, row: int) -> list[str]:
    """The merged ranges of the sheet that span columns in this row. Read-only openpyxl does
    not read merged cells, so they are found in the sheet's XML; they come after all its
    rows, so the whole sheet is read through, at zlib's speed."""
    found: dict[str, None] = {}
    with zipfile.ZipFile(path) as archive, archive.open(member) as xml:
        tail = b""
        while chunk := xml.read(1024 * 1024):
            window = tail + chunk
            found.update(dict.fromkeys(m.group(1).decode() for m in _MERGE_REF.finditer(window)))
            tail = window[-200:]
    across = []
    for ref in found:
        first_column, first_row, last_column, last_row = range_boundaries(ref)
        if first_row <= row <= last_row and first_column != last_column:
            across.append(ref)
    return across


# Both


def _headings_and_rows(
    records: Iterator[tuple[int, list[Any]]],
    *,
    place: str,
    merged: Callable[[int], list[str]] | None,
) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """The first record is the heading row: its headings, checked, and the rest fitted to them.
    place is what the file's lines are called ("line" or "row"); merged gives the ranges
    merged across columns in a row, where a file can have them."""
    first = next(records, None)
    if first is None:
        raise TableError(
            "The file has no heading row: it is empty, or all its rows are blank. The first "
            "row should hold the column headings, with the figures in the rows under it."
        )
    line, cells = first
    headings = ["" if cell is None else str(cell).strip() for cell in cells]
    while not headings[-1]:
        headings.pop()

    ranges = merged(line) if merged is not None else []
    if ranges:
        raise TableError(
            f"The heading row ({place} {line}) has cells merged across columns: "
            f"{', '.join(ranges)}. Each column needs its own heading: unmerge those cells, give "
            "each column its heading, save, and import again."
        )
    blank = [index for index, heading in enumerate(headings) if not heading]
    if blank:
        columns = _columns_name(blank)
        has, them = ("has", "it") if len(blank) == 1 else ("have", "them")
        raise TableError(
            f"{columns[0].upper()}{columns[1:]} {has} no heading in the heading row ({place} "
            f"{line}), but columns after {them} do. Give every column a heading, or delete the "
            "empty columns, and import again."
        )
    columns_by_heading: dict[str, list[int]] = {}
    for index, heading in enumerate(headings):
        columns_by_heading.setdefault(heading.casefold(), []).append(index)
    repeated = [
        f"“{headings[indexes[0]]}” heads {_columns_name(indexes)}"
        for indexes in columns_by_heading.values()
        if len(indexes) > 1
    ]
    if repeated:
        raise TableError(
            f"Each column needs a different heading (ignoring capitals), but "
            f"{'; and '.join(repeated)}. Rename all but one and import again."
        )
    return headings, _fitted(records, len(headings))


def _fitted(
    records: Iterator[tuple[int, list[Any]]], width: int
) -> Iterator[tuple[int, list[Any]]]:
    """Rows as wide as the headings: short ones padded with None, empty cells past the last
    heading dropped. A row with values past the last heading is yielded as it is, longer
    than the headings, for the reader to refuse: cutting it would lose a value silently
    (1,204 written without quotes is two cells)."""
    for line, cells in records:
        if len(cells) > width and not any(cell is not None for cell in cells[width:]):
            del cells[width:]
        elif len(cells) < width:
            cells.extend([None] * (width - len(cells)))
        yield line, cells


def _columns_name(indexes: list[int]) -> str:
    letters = [_column_letter(index) for index in indexes]
    if len(letters) == 1:
        return f"column {letters[0]}"
    return f"columns {', '.join(letters[:-1])} and {letters[-1]}"


def _column_letter(index: int) -> str:
    """A spreadsheet's name for the column at this index from 0: A … Z, AA, AB …"""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
