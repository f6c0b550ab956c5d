"""CSV and XLSX exports of the filtered lists, written from one streamed query into a spooled file.

The database is read once, in batches (yield_per), and the file is complete before it is sent, so a slow
download never holds a database connection.

The columns are the import's columns first (so an exported file can be edited and imported back), then
read-only columns (status, progress, overdue, the text in the reader's language) that the import ignores.
Each header is the column's name in the reader's language followed by its key, "Код (code)": people read
the name, the import reads the key.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import IO, Any

from flask_babel import lazy_gettext as _l

from council.i18n import LANGUAGE_NAMES, LANGUAGES, marked_localized

RECOMMENDATION_COLUMNS = [
    "code", "group", *[f"title_{lang}" for lang in LANGUAGES], *[f"text_{lang}" for lang in LANGUAGES],
    "original_language", "source", "source_reference", "priority", "public", "status", "status_reason",
]
RECOMMENDATION_READ_ONLY = ["progress", "commitments", "overdue_commitments", "title_localized"]

COMMITMENT_COLUMNS = [
    "code", "recommendation", "organisation", "owner_email",
    *[f"description_{lang}" for lang in LANGUAGES], "original_language", "start_date", "due_date",
    "counterpart", "initiative",
]
COMMITMENT_READ_ONLY = ["group", "country", "organisation_name", "owner_name", "status", "progress",
                        "overdue", "last_reported", "description_localized"]

COLUMN_LABELS: dict[str, Any] = {
    "code": _l("Code"), "group": _l("Working group"), "title": _l("Title"), "text": _l("Text"),
    "original_language": _l("Original language"), "source": _l("Source"),
    "source_reference": _l("Source reference"), "priority": _l("Priority"), "public": _l("Public"),
    "status": _l("Status"), "status_reason": _l("Reason"), "progress": _l("Progress, %"),
    "commitments": _l("Commitments"), "overdue_commitments": _l("Overdue commitments"),
    "title_localized": _l("Title in your language"), "recommendation": _l("Recommendation"),
    "organisation": _l("Organisation code"), "owner_email": _l("Owner's e-mail"),
    "description": _l("What will be done"), "start_date": _l("Start date"), "due_date": _l("Due date"),
    "counterpart": _l("Counterpart"), "initiative": _l("Initiative"), "country": _l("Country"),
    "organisation_name": _l("Organisation"), "owner_name": _l("Owner"), "overdue": _l("Overdue"),
    "last_reported": _l("Last report, UTC"),
    "description_localized": _l("What will be done, in your language"),
}

SPOOL_BYTES = 4 * 1024 * 1024
# A request builds an export into a spooled file in bounded memory (see bench/exports.py); past this many
# rows it would take longer than a browser waits.
MAX_ROWS = {"csv": 200_000, "xlsx": 200_000}
# Column widths in characters, by the kind of column; text columns are wide, codes and dates narrow.
WIDTHS = {"code": 20, "recommendation": 18, "organisation": 22, "owner_email": 28, "group": 10,
          "original_language": 10, "start_date": 12, "due_date": 12, "counterpart": 20, "initiative": 14,
          "country": 8, "status": 14, "progress": 10, "overdue": 9, "last_reported": 17, "source": 16,
          "priority": 10, "public": 8, "commitments": 12, "overdue_commitments": 12}
TEXT_WIDTH = 40


def _yes_no(value: Any) -> str:
    return "yes" if value else "no"


def _day(value: date | None) -> date | str:
    return value or ""


def _utc_minute(value: datetime | None) -> datetime | str:
    """Spreadsheets have no time zones: a naive UTC time to the minute (the header says UTC)."""
    if value is None:
        return ""
    return value.astimezone(UTC).replace(tzinfo=None, second=0, microsecond=0) if value.tzinfo \
        else value.replace(second=0, microsecond=0)


def column_widths(keys: list[str]) -> list[float]:
    return [WIDTHS.get(key, TEXT_WIDTH) for key in keys]


def header_cells(keys: list[str]) -> list[str]:
    """Each column's name in the reader's language, then its key in brackets for the import."""
    cells = []
    for key in keys:
        base, _sep, lang = key.rpartition("_")
        if lang in LANGUAGES and base in COLUMN_LABELS:
            label = f"{COLUMN_LABELS[base]} — {LANGUAGE_NAMES[lang]}"
        else:
            label = str(COLUMN_LABELS.get(key, key))
        cells.append(f"{label} ({key})")
    return cells


def recommendation_cells(row: Any, language: str) -> list[Any]:
    return [row.code, row.group, *[(row.title or {}).get(lang, "") for lang in LANGUAGES],
            *[(row.text or {}).get(lang, "") for lang in LANGUAGES], row.original_language,
            str(row.source), row.source_reference or "", str(row.priority), _yes_no(row.is_public),
            str(row.status), row.status_reason or "",
            row.progress if row.progress is not None else "", row.commitments,
            int(row.overdue_commitments or 0), marked_localized(row.title, row.original_language, language)]


def commitment_cells(row: Any, language: str, email_shown: Callable[[int | None], bool]) -> list[Any]:
    """One commitment's cells; the owner's address only where `email_shown(owner_id)` lets the reader
    see it (the column stays, empty, so the file keeps the import's shape)."""
    reported: datetime | None = row.last_reported_at
    owner_email = (row.owner_email or "") if email_shown(row.owner_id) else ""
    return [row.code, row.recommendation, row.organisation, owner_email,
            *[(row.description or {}).get(lang, "") for lang in LANGUAGES], row.original_language,
            _day(row.start_date), _day(row.due_date), row.counterpart or "", row.initiative or "",
            row.group, row.country,
            marked_localized(row.organisation_name, row.organisation_language, language),
            row.owner_name or "", str(row.status), row.progress, _yes_no(row.overdue),
            _utc_minute(reported),
            marked_localized(row.description, row.original_language, language)]


def spooled(write: Callable[[IO[bytes]], None]) -> IO[bytes]:
    """Build a file in memory, moving to disk past a few megabytes; rewound for sending."""
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  (sent, then closed by the response)
    write(out)
    out.seek(0)
    return out
