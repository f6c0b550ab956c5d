"""Every CSV and XLSX the app writes or reads goes through here.

Writing: one escaping rule for text (`safe_text`), typed date and number cells, a frozen header row with
an autofilter, and files built as streams (CSV row by row, XLSX in openpyxl's write-only mode) so a long
export takes bounded memory. Reading: a workbook whose declared size is too large is refused before it
is parsed, reading stops at the row limit, and formula cells are reported rather than read.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheet programs run a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# An XLSX is a zip: the sum of its members' declared sizes bounds what parsing it can expand to.
MAX_EXPANDED_BYTES = 40 * 1024 * 1024
MAX_COLUMNS = 200
# 5,000 rows of 20 different texts each; a longer shared-string table is a file built to be slow to open.
MAX_SHARED_STRINGS = 100_000
SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,40}:)?si[\s/>]")
# Blank lines do not count as rows, but reading them costs as much: stop after this many per row allowed.
BLANK_LINES_PER_ROW = 2


class SpreadsheetError(Exception):
    """A file that cannot be read as a whole (its message says why, for the person who uploaded it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Formula:
    """A formula cell of an uploaded workbook, kept so the import can name it instead of reading it."""

    cell: str
    text: str

    def message(self) -> str:
        return _("Cell %(cell)s holds a formula (%(formula)s): paste values instead.",
                 cell=self.cell, formula=self.text[:40])


def safe_text(value: Any) -> Any:
    """Text that a spreadsheet program would run as a formula gets a leading apostrophe; other values
    pass unchanged (the same object). The import removes the apostrophe again (`unescape_text`)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unescape_text(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


# Writing ------------------------------------------------------------------------------------------------


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(value)


def csv_lines(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """A UTF-8 CSV as text chunks: the byte-order mark (so spreadsheet programs read Cyrillic and
    Turkmen letters), the header, then one line per row as the rows come."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([_csv_value(value) for value in header])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(out: IO[bytes], header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    for chunk in csv_lines(header, rows):
        out.write(chunk.encode("utf-8"))


def write_xlsx(out: IO[bytes], title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]],
               widths: Sequence[float] | None = None) -> None:
    """A write-only workbook (rows go to a temporary file as they come): bold frozen header, column
    widths, dates and numbers as typed cells, text escaped, an autofilter over the whole table."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"  # written with the sheet's start: set before the first row
    for index, width in enumerate(widths or (), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, value, bold) for value in header])
    count = 1
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{count}"
    workbook.save(out)


def _xlsx_cell(sheet: Any, value: Any, font: Font | None = None) -> Any:
    """A typed cell. Text that `safe_text` escapes keeps its letters and gets the workbook's own form
    of the leading apostrophe (the quote-prefix style): shown as typed, still text when edited."""
    escaped = safe_text(value)
    if font is None and escaped is value and not isinstance(value, date):
        return value  # plain text and numbers: openpyxl types them itself, and a cell object costs time
    cell = WriteOnlyCell(sheet, value=value)
    if escaped is not value:
        cell.quotePrefix = True
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever openpyxl guesses
    if font is not None:
        cell.font = font
    return cell


# Reading ------------------------------------------------------------------------------------------------


def read_csv_lines(data: bytes, max_rows: int) -> list[list[Any]]:
    """The lines of a UTF-8 CSV (comma, semicolon or tab), refused past `max_rows` non-blank lines."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetError(_("The CSV file is not in UTF-8: save it as “CSV UTF-8”.")) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        return _bounded(csv.reader(io.StringIO(text), delimiter=delimiter), max_rows)
    except csv.Error as error:
        raise SpreadsheetError(_("The CSV file cannot be read: %(error)s", error=str(error))) from None


def read_xlsx_lines(data: bytes, max_rows: int) -> list[list[Any]]:
    """The first sheet's lines, values as typed cells; a formula cell comes back as a `Formula`."""
    _check_declared_size(data)
    try:
        return _bounded(_first_sheet_lines(data), max_rows)
    except SpreadsheetError:
        raise
    except Exception:  # openpyxl raises many kinds of error on a damaged or truncated workbook
        raise SpreadsheetError(_("The XLSX file cannot be read: it may be damaged or cut short. "
                                 "Save it again and retry.")) from None


def _first_sheet_lines(data: bytes) -> Iterator[list[Any]]:
    """Stream the first worksheet's rows with openpyxl's own parser.

    Not `load_workbook(read_only=True)`: it first scans every sheet to the end to size it when the file
    declares no dimension, which a hostile file leaves out; here reading stops where the caller stops.
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=False)
    try:
        reader.read_manifest()
        _count_shared_strings(reader)
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        target = next(rel.target for _sheet, rel in reader.parser.find_sheets()
                      if rel.target in reader.valid_files and "chartsheet" not in rel.Type)
        with reader.archive.open(target) as source:
            parser = WorkSheetParser(source, reader.shared_strings, data_only=False,
                                     epoch=reader.wb.epoch, date_formats=reader.wb._date_formats,
                                     timedelta_formats=reader.wb._timedelta_formats)
            expected = 1
            for number, cells in parser.parse():
                for _missing in range(expected, number):  # rows a file leaves out are blank lines
                    yield []
                expected = number + 1
                yield _line(cells)
    finally:
        reader.archive.close()


def _check_declared_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise SpreadsheetError(_("The XLSX file cannot be read: it may be damaged or cut short. "
                                 "Save it again and retry.")) from None
    if declared > MAX_EXPANDED_BYTES:
        raise SpreadsheetError(_("The XLSX file expands to more than %(size)s MB: split it, or save it "
                                 "as CSV.", size=MAX_EXPANDED_BYTES // (1024 * 1024)))


def _count_shared_strings(reader: Any) -> None:
    """Refuse a shared-string table longer than any importable sheet needs before openpyxl reads it
    whole (it takes about 30 µs a string): counted on the compressed stream, a megabyte at a time."""
    from openpyxl.xml.constants import SHARED_STRINGS

    part = reader.package.find(SHARED_STRINGS)
    if part is None:
        return
    count, tail = 0, b""
    with reader.archive.open(part.PartName[1:]) as source:
        while chunk := source.read(1024 * 1024):
            window = tail + chunk
            count += sum(1 for found in SHARED_STRING.finditer(window) if found.end() > len(tail))
            tail = window[-64:]
            if count > MAX_SHARED_STRINGS:
                raise SpreadsheetError(_("The XLSX file has more than %(count)s different texts: split "
                                         "it, or save it as CSV.", count=MAX_SHARED_STRINGS))


def _line(cells: list[dict[str, Any]]) -> list[Any]:
    """One parsed row (openpyxl's cell dicts, by column number) as values; columns it skips are None."""
    line: list[Any] = []
    for cell in cells:
        column = cell["column"]
        if column > MAX_COLUMNS:
            break
        line.extend([None] * (column - 1 - len(line)))
        if cell["data_type"] == "f":
            line.append(Formula(f"{get_column_letter(column)}{cell['row']}", str(cell["value"])))
        else:
            line.append(cell["value"])
    return line


def _bounded(lines: Iterable[list[Any]], max_rows: int) -> list[list[Any]]:
    """Read lines until more than `max_rows` (after the header) are not blank, then stop and refuse."""
    kept: list[list[Any]] = []
    filled = 0
    for number, line in enumerate(lines, start=1):
        if any(value not in (None, "") and not (isinstance(value, str) and not value.strip())
               for value in line):
            filled += 1
        if filled > max_rows + 1 or number > (max_rows + 1) * BLANK_LINES_PER_ROW + 100:
            raise SpreadsheetError(_("The file has more than %(count)s rows; split it.", count=max_rows))
        kept.append(line)
    return kept
