"""Import recommendations and commitments from CSV or XLSX: a preview of every row, then all or nothing.

Every row goes through the same services as the forms (permission, validation, events), each inside its
own savepoint so one bad row does not hide the next one's problems; the whole import runs inside an
outer savepoint that is rolled back for a preview or when any row is bad. Codes are the keys: importing
the same file twice creates nothing new and records no events the second time.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, inspect, select

from council import spreadsheets
from council.auth.permissions import require
from council.directory.models import Council, Organisation, User, WorkingGroup
from council.errors import DomainError, ValidationFailed
from council.extensions import db
from council.i18n import LANGUAGES
from council.tracker import services
from council.tracker.exports import (
    COMMITMENT_COLUMNS,
    COMMITMENT_READ_ONLY,
    RECOMMENDATION_COLUMNS,
    RECOMMENDATION_READ_ONLY,
)
from council.tracker.models import Commitment, Initiative, Recommendation, RecommendationStatus

MAX_ROWS = 5000
KINDS = ("recommendations", "commitments")
TOKEN = re.compile(r"^[0-9a-f]{32}$")
STASH_MAX_AGE = 24 * 3600

REQUIRED = {
    "recommendations": {"code", "group", "original_language", "source"},
    "commitments": {"code", "recommendation", "organisation", "original_language", "due_date"},
}
TEXT_PREFIX = {"recommendations": "title", "commitments": "description"}
KNOWN = {
    "recommendations": set(RECOMMENDATION_COLUMNS) | set(RECOMMENDATION_READ_ONLY),
    "commitments": set(COMMITMENT_COLUMNS) | set(COMMITMENT_READ_ONLY),
}
# A service's field, as the column of the file that holds it.
FIELD_COLUMNS = {"owner_id": "owner_email", "organisation_id": "organisation",
                 "counterpart_id": "counterpart", "initiative_id": "initiative",
                 "reason": "status_reason", "is_public": "public", "group_id": "group"}
TRUE = {"yes", "y", "true", "1", "да", "иә", "hawa", "x"}
FALSE = {"no", "n", "false", "0", "нет", "жоқ", "ýok", "yok", ""}


class ImportFileError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RowError(DomainError):
    """A cell that cannot be read (a date that is not one, an unknown organisation)."""


class RowProblems(DomainError):
    """Every unreadable cell of a row, reported together so the file is corrected in one go."""

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__(errors[0].message, field=errors[0].field)
        self.errors = errors


class _Cells:
    """Reads a row's cells, keeping each cell's problem instead of stopping at the first one."""

    def __init__(self, row: ImportRow, required: set[str]) -> None:
        self.errors: list[DomainError] = [
            RowError(_("Fill in this cell."), field=column) for column in sorted(required)
            if column not in ("code",) and _text(row, column) == ""]
        self.empty = {error.field for error in self.errors}

    def read(self, column: str, reader: Callable[[], Any]) -> Any:
        if column in self.empty:
            return None
        try:
            return reader()
        except RowError as error:
            self.errors.append(error)
            return None

    def check(self) -> None:
        if self.errors:
            raise RowProblems(self.errors)


@dataclass
class ImportRow:
    number: int  # as a spreadsheet numbers it: the header is row 1
    values: dict[str, Any]
    present: set[str]
    errors: list[str] = field(default_factory=list)
    action: str = ""  # create, update or unchanged

    @property
    def code(self) -> str:
        return str(self.values.get("code") or "").strip().upper()


@dataclass
class ImportReport:
    kind: str
    file_errors: list[str] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)
    saved: bool = False

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not self.bad_rows

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


# Reading the file ---------------------------------------------------------------------------------


def read_table(filename: str, data: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The header (normalised) and the non-empty rows with their numbers, from CSV or XLSX."""
    try:
        if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
            lines = spreadsheets.read_xlsx_lines(data, MAX_ROWS)
        else:
            lines = spreadsheets.read_csv_lines(data, MAX_ROWS)
    except spreadsheets.SpreadsheetError as error:
        raise ImportFileError(error.message) from None
    header, rows = _split(lines)
    if not header:
        raise ImportFileError(_("The file is empty."))
    if any(isinstance(value, spreadsheets.Formula) for value in header):
        raise ImportFileError(next(value for value in header
                                   if isinstance(value, spreadsheets.Formula)).message())
    return [_column_name(name) for name in header], rows


# An exported header names the column in the reader's language with its key last: "Код (code)".
KEYED_HEADER = re.compile(r"\(([a-z0-9_]+)\)\s*$")


def _column_name(value: Any) -> str:
    text = str(value or "").strip()
    keyed = KEYED_HEADER.search(text)
    if keyed:
        return keyed.group(1)
    return text.lower().replace(" ", "_").replace("-", "_")


def _split(lines: list[list[Any]]) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    header: list[Any] = []
    rows: list[tuple[int, list[Any]]] = []
    for number, line in enumerate(lines, start=1):
        if not any(_cell(value) not in ("", None) for value in line):
            continue
        if not header:
            header = line
            while header and _cell(header[-1]) == "":
                header = header[:-1]
            continue
        rows.append((number, line))
    return header, rows


def _cell(value: Any) -> Any:
    """A cell's value: text stripped (and the export's anti-formula apostrophe removed)."""
    if isinstance(value, str):
        return spreadsheets.unescape_text(value.strip())
    return "" if value is None else value


def check_header(kind: str, header: list[str]) -> list[str]:
    problems: list[str] = []
    missing = sorted(REQUIRED[kind] - set(header))
    if missing:
        problems.append(_("Missing columns: %(columns)s.", columns=", ".join(missing)))
    prefix = TEXT_PREFIX[kind]
    if not any(f"{prefix}_{lang}" in header for lang in LANGUAGES):
        problems.append(_("Add at least one of the columns %(columns)s.",
                          columns=", ".join(f"{prefix}_{lang}" for lang in LANGUAGES)))
    unknown = sorted({name for name in header if name and name not in KNOWN[kind]})
    if unknown:
        problems.append(_("Unknown columns: %(columns)s. The columns are: %(known)s.",
                          columns=", ".join(unknown), known=", ".join(
                              RECOMMENDATION_COLUMNS if kind == "recommendations"
                              else COMMITMENT_COLUMNS)))
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        problems.append(_("Columns named twice: %(columns)s.", columns=", ".join(repeated)))
    if "" in header:
        problems.append(_("A column has no name."))
    return problems


# Cells ------------------------------------------------------------------------------------------------


def _text(row: ImportRow, column: str) -> str:
    value = row.values.get(column, "")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(row: ImportRow, column: str) -> date | None:
    value = row.values.get(column)
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RowError(_("%(value)s is not a date; use YYYY-MM-DD.", value=text[:40]), field=column)


def _flag(row: ImportRow, column: str, default: bool) -> bool:
    if column not in row.present:
        return default
    text = _text(row, column).casefold()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise RowError(_("Write yes or no."), field=column)


def _translations(row: ImportRow, prefix: str, current: dict[str, str]) -> dict[str, str]:
    """Languages whose column is in the file come from the file; the others stay as they are."""
    texts = dict(current)
    for lang in LANGUAGES:
        column = f"{prefix}_{lang}"
        if column in row.present:
            texts[lang] = _text(row, column)
    return {lang: text for lang, text in texts.items() if text}


def _kept(row: ImportRow, column: str, current: Any) -> Any:
    """The cell when the column is in the file, else the record's current value."""
    return _text(row, column) if column in row.present else current


# Applying rows through the services --------------------------------------------------------------------


@dataclass
class _Directory:
    """The council's groups and organisations, read once per import."""

    council: Council
    groups: dict[str, WorkingGroup]
    organisations: dict[str, Organisation]

    @classmethod
    def of(cls, council: Council) -> _Directory:
        groups: dict[str, WorkingGroup] = {}
        for group in db.session.scalars(select(WorkingGroup).where(WorkingGroup.council_id == council.id)):
            groups[group.code.upper()] = group
            groups[group.slug.lower()] = group
        organisations = {o.code: o for o in db.session.scalars(
            select(Organisation).where(Organisation.council_id == council.id))}
        return cls(council, groups, organisations)


def _by_code(model: type[Any], council_id: int, code: str) -> Any:
    return db.session.scalar(select(model).where(model.council_id == council_id, model.code == code))


def _apply_recommendation(actor: User, directory: _Directory, row: ImportRow) -> str:
    cells = _Cells(row, REQUIRED["recommendations"])
    group = cells.read("group", partial(_group_of, directory, row))
    existing: Recommendation | None = _by_code(Recommendation, directory.council.id, row.code)
    if existing is not None and group is not None and existing.group_id != group.id:
        cells.errors.append(RowError(_("%(code)s belongs to another working group.", code=row.code),
                                     field="group"))
    is_public = cells.read("public", partial(_flag, row, "public",
                                             existing.is_public if existing else False))
    target = cells.read("status", partial(_status_of, row))
    cells.check()
    values: dict[str, Any] = dict(
        code=row.code, title=_translations(row, "title", existing.title if existing else {}),
        text=_translations(row, "text", existing.text if existing else {}),
        original_language=_text(row, "original_language").lower(), source=_text(row, "source").lower(),
        source_reference=_kept(row, "source_reference", existing.source_reference if existing else ""),
        priority=_kept(row, "priority", existing.priority.value if existing else "medium").lower()
        or "medium", is_public=is_public)
    if existing is None:
        created = services.create_recommendation(actor, group, **values)
        if target is not None and target != created.status:
            services.change_recommendation_status(actor, created, target, _text(row, "status_reason"))
        return "create"
    before = _snapshot(existing)
    services.update_recommendation(actor, existing, **values)
    changed = _snapshot(existing) != before
    if target is not None and target != existing.status:
        services.change_recommendation_status(actor, existing, target, _text(row, "status_reason"))
        changed = True
    return "update" if changed else "unchanged"


def _group_of(directory: _Directory, row: ImportRow) -> WorkingGroup:
    name = _text(row, "group")
    group = directory.groups.get(name.upper()) or directory.groups.get(name.lower())
    if group is None:
        raise RowError(_("Unknown working group: %(value)s.", value=name[:60]), field="group")
    return group


def _status_of(row: ImportRow) -> RecommendationStatus | None:
    text = _text(row, "status").lower()
    if not text:
        return None
    if text not in set(RecommendationStatus):
        raise RowError(_("Unknown status: %(value)s.", value=text[:40]), field="status")
    return RecommendationStatus(text)


def _apply_commitment(actor: User, directory: _Directory, row: ImportRow) -> str:
    council_id = directory.council.id
    cells = _Cells(row, REQUIRED["commitments"])
    recommendation = cells.read("recommendation", partial(
        _coded, Recommendation, council_id, row, "recommendation", _("Unknown recommendation: %(value)s.")))
    organisation = cells.read("organisation", partial(_organisation_of, directory, row))
    existing: Commitment | None = _by_code(Commitment, council_id, row.code)
    if existing is not None and recommendation is not None \
            and existing.recommendation_id != recommendation.id:
        cells.errors.append(RowError(_("%(code)s belongs to another recommendation.", code=row.code),
                                     field="recommendation"))
    owner = cells.read("owner_email", partial(_owner, row, council_id, existing))
    initiative = existing.initiative if existing else None
    if "initiative" in row.present:
        initiative = cells.read("initiative", partial(
            _coded, Initiative, council_id, row, "initiative", _("Unknown initiative: %(value)s.")))
    start_date = cells.read("start_date", partial(_date, row, "start_date")) \
        if "start_date" in row.present else (existing.start_date if existing else None)
    due_date = cells.read("due_date", partial(_date, row, "due_date"))
    cells.check()
    values: dict[str, Any] = dict(
        organisation=organisation, owner=owner,
        description=_translations(row, "description", existing.description if existing else {}),
        original_language=_text(row, "original_language").lower(), start_date=start_date,
        due_date=due_date, initiative=initiative, counterpart=existing.counterpart if existing else None)
    if existing is None:
        services.create_commitment(actor, recommendation, code=row.code, **values)
        return "create"
    before = _snapshot(existing)
    services.update_commitment(actor, existing, **values)
    return "update" if _snapshot(existing) != before else "unchanged"


def _organisation_of(directory: _Directory, row: ImportRow) -> Organisation:
    organisation = directory.organisations.get(_text(row, "organisation"))
    if organisation is None:
        raise RowError(_("Unknown organisation: %(value)s.", value=_text(row, "organisation")[:60]),
                       field="organisation")
    return organisation


def _coded(model: type[Any], council_id: int, row: ImportRow, column: str, unknown: str) -> Any:
    """The record a cell names by its code; None for an empty cell."""
    code = _text(row, column).upper()
    if not code:
        return None
    record = _by_code(model, council_id, code)
    if record is None:
        raise RowError(unknown % {"value": code[:60]}, field=column)
    return record


def _snapshot(record: Any) -> dict[str, Any]:
    """The record's stored values, to tell an update from a row that changes nothing."""
    return {column.key: getattr(record, column.key) for column in inspect(record).mapper.columns
            if column.key not in ("updated_at", "search_text")}


def _owner(row: ImportRow, council_id: int, existing: Commitment | None) -> User | None:
    if "owner_email" not in row.present:
        return existing.owner if existing else None
    email = _text(row, "owner_email").casefold()
    if not email:
        return None
    owner = db.session.scalar(select(User).where(User.council_id == council_id,
                                                 func.lower(User.email) == email))
    if owner is None:
        raise RowError(_("No one on this council has the e-mail %(value)s.", value=email[:80]),
                       field="owner_email")
    return owner


def _link_counterpart(actor: User, council_id: int, row: ImportRow) -> str | None:
    """Second pass: counterparts may be further down the same file. Pairs link both ways, so an
    empty cell leaves a link made from the other side in place."""
    code = _text(row, "counterpart").upper()
    commitment: Commitment | None = _by_code(Commitment, council_id, row.code)
    if commitment is None or not code:
        return None
    counterpart = _by_code(Commitment, council_id, code)
    if counterpart is None:
        raise RowError(_("Unknown commitment: %(value)s.", value=code[:60]), field="counterpart")
    if commitment.counterpart_id == counterpart.id:
        return None
    services.update_commitment(
        actor, commitment, organisation=commitment.organisation, owner=commitment.owner,
        description=commitment.description, original_language=commitment.original_language,
        start_date=commitment.start_date, due_date=commitment.due_date, counterpart=counterpart,
        initiative=commitment.initiative)
    return "update"


def _error_text(error: DomainError, row: ImportRow, kind: str) -> str:
    column = FIELD_COLUMNS.get(error.field or "", error.field or "")
    if column in ("title", "text", "description"):
        column = f"{column}_{_text(row, 'original_language').lower() or 'ru'}"
    return f"{column}: {error.message}" if column else error.message


def _in_savepoint(row: ImportRow, kind: str, step: Callable[[], str | None]) -> None:
    savepoint = db.session.begin_nested()
    try:
        action = step()
        savepoint.commit()
    except DomainError as error:
        savepoint.rollback()
        for each in error.errors if isinstance(error, RowProblems) else [error]:
            row.errors.append(_error_text(each, row, kind))
        return
    if action and row.action != "create":
        row.action = action


def run_import(actor: User, council: Council, kind: str, filename: str, data: bytes, *,
               save: bool) -> ImportReport:
    """Validate every row (and save them all, if `save` and every row is valid).

    The caller commits after a saved import, and rolls back otherwise.
    """
    require(actor, "tracker.import", council.id)
    if kind not in KINDS:
        raise ValidationFailed(_("Choose what the file holds."), field="kind")
    report = ImportReport(kind)
    try:
        header, lines = read_table(filename, data)
    except ImportFileError as error:
        report.file_errors.append(error.message)
        return report
    report.file_errors.extend(check_header(kind, header))
    if report.file_errors:
        return report
    present = set(header)
    for number, line in lines:
        values = {name: _cell(line[i]) if i < len(line) else "" for i, name in enumerate(header)}
        row = ImportRow(number, values, present)
        for name, value in values.items():
            if isinstance(value, spreadsheets.Formula):
                row.errors.append(f"{name}: {value.message()}")
                values[name] = ""
        report.rows.append(row)
    if not report.rows:
        report.file_errors.append(_("The file has a header but no rows."))
        return report
    _check_codes(report)

    directory = _Directory.of(council)
    apply = _apply_recommendation if kind == "recommendations" else _apply_commitment
    outer = db.session.begin_nested()
    try:
        for row in report.rows:
            if not row.errors:
                _in_savepoint(row, kind, partial(apply, actor, directory, row))
        if kind == "commitments" and "counterpart" in present:
            for row in report.rows:
                if not row.errors:
                    _in_savepoint(row, kind, partial(_link_counterpart, actor, council.id, row))
    finally:
        report.saved = save and report.ok
        if report.saved:
            outer.commit()
        else:
            outer.rollback()
    return report


def _check_codes(report: ImportReport) -> None:
    seen: dict[str, int] = {}
    for row in report.rows:
        if not row.code:
            row.errors.append(f"code: {_('Enter the code.')}")
        elif row.code in seen:
            row.errors.append(_("code: %(code)s is also on row %(row)s.", code=row.code,
                                row=seen[row.code]))
        else:
            seen[row.code] = row.number


# Keeping the uploaded file between the preview and the confirmation --------------------------------------


def _stash_folder(user_id: int) -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "imports" / str(user_id)


def stash(user_id: int, filename: str, data: bytes) -> str:
    """Keep an uploaded import until it is confirmed; returns the token that names it."""
    folder = _stash_folder(user_id)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.stat().st_mtime < time.time() - STASH_MAX_AGE:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    (folder / f"{token}{suffix}").write_bytes(data)
    return token


def unstash(user_id: int, token: str) -> tuple[str, bytes] | None:
    if not TOKEN.match(token or ""):
        return None
    for suffix in (".xlsx", ".csv"):
        path = _stash_folder(user_id) / f"{token}{suffix}"
        if path.is_file():
            return path.name, path.read_bytes()
    return None


def discard(user_id: int, token: str) -> None:
    if TOKEN.match(token or ""):
        for suffix in (".xlsx", ".csv"):
            (_stash_folder(user_id) / f"{token}{suffix}").unlink(missing_ok=True)
