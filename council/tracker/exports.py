"""CSV and XLSX exports of the filtered lists, written from one streamed query into a spooled file.

The database is read once, in batches (yield_per), and the file is complete before it is sent, so a slow
download never holds a database connection.

The columns are the import's columns first (so an exported file can be edited and imported back), then
read-only columns (status, progress, overdue) that the import ignores.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from council.i18n import LANGUAGES, localize

RECOMMENDATION_COLUMNS = [
    "code", "group", *[f"title_{lang}" for lang in LANGUAGES], *[f"text_{lang}" for lang in LANGUAGES],
    "original_language", "source", "source_reference", "priority", "public", "status", "status_reason",
]
RECOMMENDATION_READ_ONLY = ["progress", "commitments", "overdue_commitments"]

COMMITMENT_COLUMNS = [
    "code", "recommendation", "organisation", "owner_email",
    *[f"description_{lang}" for lang in LANGUAGES], "original_language", "start_date", "due_date",
    "counterpart", "initiative",
]
COMMITMENT_READ_ONLY = ["group", "country", "organisation_name", "owner_name", "status", "progress",
                        "overdue", "last_reported"]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SPOOL_BYTES = 4 * 1024 * 1024
# The most rows one export builds within a request: openpyxl writes about 5,000 rows a second.
MAX_ROWS = {"csv": 200_000, "xlsx": 25_000}


def _yes_no(value: Any) -> str:
    return "yes" if value else "no"


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def recommendation_cells(row: Any) -> list[Any]:
    return [row.code, row.group, *[(row.title or {}).get(lang, "") for lang in LANGUAGES],
            *[(row.text or {}).get(lang, "") for lang in LANGUAGES], row.original_language,
            str(row.source), row.source_reference or "", str(row.priority), _yes_no(row.is_public),
            str(row.status), row.status_reason or "",
            row.progress if row.progress is not None else "", row.commitments,
            int(row.overdue_commitments or 0)]


def commitment_cells(row: Any, language: str) -> list[Any]:
    reported: datetime | None = row.last_reported_at
    return [row.code, row.recommendation, row.organisation, row.owner_email or "",
            *[(row.description or {}).get(lang, "") for lang in LANGUAGES], row.original_language,
            _day(row.start_date), _day(row.due_date), row.counterpart or "", row.initiative or "",
            row.group, row.country,
            localize(row.organisation_name, row.organisation_language, language).text,
            row.owner_name or "", str(row.status), row.progress, _yes_no(row.overdue),
            reported.strftime("%Y-%m-%d %H:%M UTC") if reported else ""]


def _safe_text(value: Any) -> Any:
    """Spreadsheet programs run cells that start like a formula; a leading apostrophe stops them."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(out: IO[bytes], header: list[str], rows: Iterable[list[Any]]) -> None:
    """UTF-8 CSV with a byte-order mark (so spreadsheet programs read Cyrillic and Turkmen letters)."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_text(value) for value in row])
    text.flush()
    text.detach()


def write_xlsx(out: IO[bytes], title: str, header: list[str], rows: Iterable[list[Any]]) -> None:
    """A write-only workbook: openpyxl keeps rows in a temporary file as they come, not in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
    workbook.save(out)


def spooled(write: Callable[[IO[bytes]], None]) -> IO[bytes]:
    """Build a file in memory, moving to disk past a few megabytes; rewound for sending."""
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  (sent, then closed by the response)
    write(out)
    out.seek(0)
    return out


def _text_cell(sheet: Any, value: Any) -> Any:
    """Text that starts with "=" would become a formula in openpyxl: keep it text."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
