import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from frontdoor.reporting.tables import TableError, table_open

# Excel's date-times have no time zone, and openpyxl gives them back as they were written.
STARTED = datetime(2024, 3, 1, 9, 30)  # noqa: DTZ001
ENDED = datetime(2024, 3, 2, 17, 5)  # noqa: DTZ001


def csv_file(tmp_path: Path, content: str | bytes, name: str = "calls.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def xlsx_file(tmp_path: Path, rows: list[list[Any]], name: str = "calls.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Calls"
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def read(path: Path, **options: Any) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    with table_open(path, **options) as table:
        return table.headings, list(table.rows)


def refusal(path: Path, **options: Any) -> str:
    with pytest.raises(TableError) as raised:
        read(path, **options)
    return str(raised.value)


# CSV


def test_csv_reads_headings_and_stripped_values_with_their_lines(tmp_path):
    path = csv_file(tmp_path, " Date , Queue,Calls\r\n2024-03-01, Waste ,12\r\n2024-03-02,,7\r\n")

    with table_open(path) as table:
        assert table.headings == ["Date", "Queue", "Calls"]
        assert list(table.rows) == [
            (2, ["2024-03-01", "Waste", "12"]),
            (3, ["2024-03-02", None, "7"]),
        ]
        assert (table.encoding, table.note) == ("utf-8", None)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_sniffed(tmp_path, delimiter):
    # Every value has a comma in it, so only the right delimiter splits rows evenly.
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(["Day", "Queue", "Average wait"])
    writer.writerow(["01/03/2024", "Council Tax, Band D", "1,5"])
    writer.writerow(["02/03/2024", "Waste, garden", "2,25"])
    path = csv_file(tmp_path, text.getvalue())

    headings, rows = read(path)

    assert headings == ["Day", "Queue", "Average wait"]
    assert rows[1] == (3, ["02/03/2024", "Waste, garden", "2,25"])


def test_csv_with_one_column_is_read_as_one_column(tmp_path):
    path = csv_file(tmp_path, "Calls\n12\n7\n")

    assert read(path) == (["Calls"], [(2, ["12"]), (3, ["7"])])


def test_csv_byte_order_mark_is_not_part_of_the_first_heading(tmp_path):
    path = csv_file(tmp_path, "\ufeffDate,Calls\r\n2024-03-01,12\r\n".encode())

    with table_open(path) as table:
        assert table.headings == ["Date", "Calls"]
        assert table.encoding == "utf-8"


def test_csv_in_windows_1252_is_read_right_and_noted(tmp_path):
    path = csv_file(tmp_path, "Name,Cost\r\nRenée,£12.50\r\nJosé,£3\r\n".encode("cp1252"))

    with table_open(path) as table:
        assert list(table.rows) == [(2, ["Renée", "£12.50"]), (3, ["José", "£3"])]
        assert table.encoding == "cp1252"
        assert table.note is not None
        assert "not UTF-8" in table.note
        assert "Windows-1252 (cp1252)" in table.note
        assert "--encoding" in table.note


def test_csv_in_utf16_with_byte_order_mark_is_read(tmp_path):
    # Excel's "Unicode Text": UTF-16 with a byte order mark, tab between values.
    content = "Date\tQueue\r\n2024-03-01\tCafé\r\n".encode("utf-16")
    path = csv_file(tmp_path, content, name="calls.txt")

    with table_open(path) as table:
        assert table.headings == ["Date", "Queue"]
        assert list(table.rows) == [(2, ["2024-03-01", "Café"])]
        assert table.encoding == "utf-16"


def test_csv_is_read_in_the_encoding_given(tmp_path):
    path = csv_file(tmp_path, "Name,Town\nŁukasz,Łódź\n".encode("cp1250"))

    with table_open(path, encoding="windows-1250") as table:
        assert list(table.rows) == [(2, ["Łukasz", "Łódź"])]
        assert (table.encoding, table.note) == ("cp1250", None)


def test_csv_encoding_given_that_does_not_exist_is_refused(tmp_path):
    path = csv_file(tmp_path, "Date,Calls\n2024-03-01,12\n")

    message = refusal(path, encoding="windows-9999")

    assert "“windows-9999” is not an encoding" in message
    assert "leave out --encoding" in message


def test_csv_not_in_the_encoding_given_is_refused_naming_the_line(tmp_path):
    path = csv_file(tmp_path, "Name,Calls\nBob,1\nRenée,2\n")

    message = refusal(path, encoding="ascii")

    assert "not in ascii: line 3" in message


def test_csv_record_with_line_breaks_is_numbered_by_the_line_it_starts_on(tmp_path):
    path = csv_file(tmp_path, 'Date,Note\n2024-03-01,"rang twice\nthen\nhung up"\n2024-03-02,ok\n')

    assert read(path)[1] == [
        (2, ["2024-03-01", "rang twice\nthen\nhung up"]),
        (5, ["2024-03-02", "ok"]),
    ]


def test_csv_blank_rows_are_skipped_and_lines_still_counted(tmp_path):
    path = csv_file(tmp_path, "\n , \nDate,Calls\n2024-03-01,12\n\n,\n2024-03-02,7\n")

    assert read(path) == (
        ["Date", "Calls"],
        [(4, ["2024-03-01", "12"]), (7, ["2024-03-02", "7"])],
    )


def test_csv_short_rows_are_padded_and_values_past_the_headings_are_kept_for_refusal(tmp_path):
    path = csv_file(
        tmp_path, "Date,Queue,Calls\n2024-03-01\n2024-03-02,Waste,7,extra\n2024-03-03,Tax,5,,\n"
    )

    assert read(path)[1] == [
        (2, ["2024-03-01", None, None]),
        (3, ["2024-03-02", "Waste", "7", "extra"]),
        (4, ["2024-03-03", "Tax", "5"]),
    ]


def test_csv_trailing_blank_headings_are_dropped(tmp_path):
    path = csv_file(tmp_path, "Date,Calls,,\n2024-03-01,12,,\n")

    assert read(path) == (["Date", "Calls"], [(2, ["2024-03-01", "12"])])


@pytest.mark.parametrize("content", ["", "\n\n", ",,\n  ,\n"])
def test_csv_without_a_heading_row_is_refused(tmp_path, content):
    path = csv_file(tmp_path, content)

    assert refusal(path).startswith("The file has no heading row")


def test_csv_blank_headings_between_others_are_refused_naming_the_columns(tmp_path):
    path = csv_file(tmp_path, "\nDate,Queue,,,Calls\n2024-03-01,Waste,a,b,12\n")

    message = refusal(path)

    assert message.startswith("Columns C and D have no heading in the heading row (line 2)")


def test_csv_headings_the_same_but_for_case_and_spaces_are_refused(tmp_path):
    path = csv_file(tmp_path, "Date,Calls,Queue, calls \n2024-03-01,12,Waste,7\n")

    message = refusal(path)

    assert "“Calls” heads columns B and D" in message


def test_csv_with_a_quote_never_closed_is_refused_naming_its_line(tmp_path):
    path = csv_file(tmp_path, 'Date,Note\n2024-03-01,ok\n2024-03-02,"never closed\n2024-03-03,x\n')

    with table_open(path) as table, pytest.raises(TableError) as raised:
        list(table.rows)

    assert str(raised.value).startswith("Line 3 cannot be read as CSV")


def test_csv_that_is_really_a_workbook_is_refused(tmp_path):
    workbook = xlsx_file(tmp_path, [["Date", "Calls"]])
    path = csv_file(tmp_path, workbook.read_bytes())

    assert "is an Excel workbook, not a CSV file" in refusal(path)


def test_csv_has_no_sheet_to_choose(tmp_path):
    path = csv_file(tmp_path, "Date,Calls\n")

    assert "leave out --sheet" in refusal(path, sheet="Calls")


def test_csv_progress_reaches_the_file_size(tmp_path):
    path = csv_file(tmp_path, "Date,Calls\n" + "2024-03-01,12\n" * 5000)

    with table_open(path) as table:
        assert table.total_bytes == path.stat().st_size
        assert table.bytes_read() < table.total_bytes
        list(table.rows)
        assert table.bytes_read() == table.total_bytes


# Kinds of file


@pytest.mark.parametrize("name", ["calls.xls", "CALLS.XLS"])
def test_old_excel_workbook_is_refused_saying_to_save_it_again(tmp_path, name):
    path = csv_file(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old workbook", name=name)

    message = refusal(path)

    assert "old-style Excel workbook (.xls)" in message
    assert "save it as an Excel Workbook (.xlsx) or as CSV" in message


@pytest.mark.parametrize("name", ["calls.pdf", "calls.ods", "calls"])
def test_file_of_another_kind_is_refused(tmp_path, name):
    path = csv_file(tmp_path, "Date,Calls\n", name=name)

    assert "is not a CSV or Excel (.xlsx) file" in refusal(path)


def test_missing_file_is_refused(tmp_path):
    assert "cannot be read" in refusal(tmp_path / "gone.csv")


# XLSX


def test_xlsx_values_keep_their_types_and_rows_their_excel_numbers(tmp_path):
    path = xlsx_file(
        tmp_path,
        [
            [None, None],
            ["Started", "Calls", "Queue", "Answered"],
            [STARTED, 12, "  Waste ", True],
            [None, None, "   ", None],
            [ENDED, 7.5, None, False],
        ],
    )

    with table_open(path) as table:
        assert table.headings == ["Started", "Calls", "Queue", "Answered"]
        assert list(table.rows) == [
            (3, [STARTED, 12, "Waste", True]),
            (5, [ENDED, 7.5, None, False]),
        ]
        assert (table.encoding, table.note) == (None, None)


def test_xlsx_headings_merged_across_columns_are_refused_naming_the_range(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Calls", None, "Queue"])
    sheet.append(["2024-03-01", 12, 3, "Waste"])
    sheet.merge_cells("B1:C1")
    path = tmp_path / "calls.xlsx"
    workbook.save(path)

    message = refusal(path)

    assert "merged across columns: B1:C1" in message
    assert "unmerge" in message


def test_xlsx_merged_cells_below_the_headings_are_read(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Queue", "Calls"])
    sheet.append(["2024-03-01", "Waste", 12])
    sheet.merge_cells("B2:C2")
    path = tmp_path / "calls.xlsx"
    workbook.save(path)

    assert read(path) == (["Date", "Queue", "Calls"], [(2, ["2024-03-01", "Waste", None])])


def test_xlsx_named_sheet_is_read(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Notes"])
    workbook.create_sheet("Figures").append(["Date", "Calls"])
    workbook["Figures"].append(["2024-03-01", 12])
    path = tmp_path / "calls.xlsx"
    workbook.save(path)

    assert read(path, sheet="Figures") == (["Date", "Calls"], [(2, ["2024-03-01", 12])])


def test_xlsx_sheet_that_does_not_exist_is_refused_listing_the_sheets(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Calls"
    workbook.create_sheet("Summary")
    path = tmp_path / "calls.xlsx"
    workbook.save(path)

    message = refusal(path, sheet="Totals")

    assert "no sheet called “Totals”" in message
    assert "Its sheets are: “Calls”, “Summary”" in message


def test_xlsx_that_is_not_a_zip_is_refused(tmp_path):
    path = csv_file(tmp_path, "Date,Calls\n2024-03-01,12\n", name="calls.xlsx")

    assert "is not an Excel workbook, though its name says so" in refusal(path)


def test_xlsx_that_is_an_old_workbook_or_has_a_password_is_refused(tmp_path):
    path = csv_file(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, name="calls.xlsx")

    assert "protected by a password or an old .xls workbook renamed" in refusal(path)


def test_xlsx_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = csv_file(tmp_path, b"", name="calls.xlsx")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")

    assert "cannot be opened as an Excel workbook" in refusal(path)


def test_xlsx_has_no_encoding_to_give(tmp_path):
    path = xlsx_file(tmp_path, [["Date", "Calls"]])

    assert "leave out --encoding" in refusal(path, encoding="cp1252")


def test_xlsx_progress_reaches_the_file_size(tmp_path):
    path = xlsx_file(tmp_path, [["Date", "Calls"]] + [["2024-03-01", n] for n in range(5000)])

    with table_open(path) as table:
        assert table.total_bytes == path.stat().st_size
        assert table.bytes_read() < table.total_bytes
        list(table.rows)
        assert table.bytes_read() == table.total_bytes
