"""The tracker's spreadsheets as a spreadsheet program and the import read them: typed cells, a frozen
header with an autofilter, exports that import back unchanged, formulas refused, and bombs refused early."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook

from council.extensions import db
from council.timeutil import council_today
from council.tracker.models import Commitment, CommitmentStatus
from tests.conftest import page_text
from tests.factories import CommitmentFactory
from tests.tracker.test_imports import RECOMMENDATIONS, as_xlsx, commitments_rows, imported

LANGUAGES = ("en", "ru", "kk", "tk")


@pytest.fixture
def closed(world, tracker):
    """Besides the tracker's open pair: a verified and a cancelled commitment, with a report time."""
    today = council_today()
    verified = CommitmentFactory(
        recommendation=tracker.recommendation, organisation=world.kz_org, owner=world.member,
        code="TRD-2026-001-KZ2", status=CommitmentStatus.VERIFIED, progress=100,
        start_date=today - timedelta(days=90), due_date=today - timedelta(days=10),
        last_reported_at=datetime(2026, 3, 4, 5, 6, 7).astimezone(),
        description={"ru": "Проверено", "en": "Verified work"})
    cancelled = CommitmentFactory(
        recommendation=tracker.recommendation, organisation=world.tm_org, owner=world.tm_member,
        code="TRD-2026-001-TM2", status=CommitmentStatus.CANCELLED, status_reason="Merged",
        due_date=today + timedelta(days=40), description={"tk": "Ýatyryldy"}, original_language="tk")
    db.session.commit()
    return verified, cancelled


def download(client, url):
    with client.get(url) as response:
        assert response.status_code == 200, url
        return response.data


def sheet_of(data):
    return load_workbook(io.BytesIO(data)).worksheets[0]


def keyed(header):
    return [re.search(r"\(([a-z0-9_]+)\)$", str(name)).group(1) for name in header]


def test_xlsx_dates_and_numbers_are_typed_with_a_frozen_filtered_header(client, auth, world, closed):
    verified, _cancelled = closed
    auth.login(world.secretary)
    sheet = sheet_of(download(client, "/tracker/commitments/export.xlsx?sort=code"))
    rows = list(sheet.iter_rows())
    header = keyed(cell.value for cell in rows[0])
    assert sheet.freeze_panes == "A2" and all(cell.font.b for cell in rows[0])
    assert sheet.auto_filter.ref == f"A1:{rows[0][-1].column_letter}{len(rows)}"
    assert sheet.column_dimensions["A"].width == 20
    assert sheet.column_dimensions[rows[0][header.index("description_ru")].column_letter].width == 40
    row = next(r for r in rows[1:] if r[0].value == verified.code)
    cell = {key: row[i] for i, key in enumerate(header)}
    for key, expected in (("start_date", verified.start_date), ("due_date", verified.due_date)):
        assert cell[key].is_date and cell[key].number_format == "yyyy-mm-dd"
        assert cell[key].value.date() == expected
    assert cell["last_reported"].is_date and cell["last_reported"].number_format == "yyyy-mm-dd hh:mm"
    assert cell["last_reported"].value == verified.last_reported_at.astimezone(UTC).replace(
        tzinfo=None, second=0)
    assert cell["progress"].data_type == "n" and cell["progress"].value == 100
    recommendations = sheet_of(download(client, "/tracker/recommendations/export.xlsx"))
    progress = keyed(c.value for c in next(recommendations.iter_rows()))
    assert recommendations.cell(2, progress.index("commitments") + 1).data_type == "n"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_export_imports_back_unchanged(client, auth, world, closed, language, fmt):
    world.secretary.language = language
    db.session.commit()
    auth.login(world.secretary)
    queries = ["", f"?group={world.group.id}", "?country=TM", "?status=verified", "?overdue=1&sort=-due"]
    for kind in ("recommendations", "commitments"):
        for query in queries:
            data = download(client, f"/tracker/{kind}/export.{fmt}{query}")
            report = imported(world, kind, [], filename=f"export.{fmt}", data=data, save=False)
            assert not report.file_errors and not report.bad_rows, (kind, query, report)
            assert report.rows and {row.action for row in report.rows} == {"unchanged"}, (kind, query)
            assert report.count("unchanged") == len(report.rows)


def test_a_real_change_to_a_closed_commitment_is_refused_with_its_reason(client, auth, world, closed):
    verified, _cancelled = closed
    auth.login(world.secretary)
    data = download(client, "/tracker/commitments/export.csv")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    due = keyed(rows[0]).index("due_date")
    for row in rows[1:]:
        if row[0] == verified.code:
            row[due] = (verified.due_date + timedelta(days=1)).isoformat()
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    report = imported(world, "commitments", [], data=out.getvalue().encode())
    assert not report.saved
    bad = {row.code: row.errors for row in report.rows if row.errors}
    assert bad == {verified.code: ["due_date: This commitment is closed (verified or cancelled)."]}
    assert db.session.get(Commitment, verified.id).due_date == verified.due_date


def test_the_preview_counts_new_changed_and_unchanged_rows(client, auth, world, closed, uploads):
    auth.login(world.secretary)
    rows = [list(row) for row in sheet_of(download(
        client, "/tracker/commitments/export.xlsx?sort=code")).iter_rows(values_only=True)]
    header = keyed(rows[0])
    rows[1][header.index("description_en")] = "Install queue kiosks at both ends"
    new = list(rows[1])
    new[0], new[header.index("counterpart")] = "TRD-2026-001-KZ9", ""
    rows.append(new)
    response = client.post("/tracker/import", data={
        "kind": "commitments", "file": (io.BytesIO(as_xlsx(rows)), "edited.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 200, page_text(response)
    assert "1 to create, 1 to update, 3 unchanged." in page_text(response)


def test_a_formula_in_an_uploaded_workbook_is_refused_naming_the_cell(world):
    imported(world, "recommendations", RECOMMENDATIONS)
    rows = commitments_rows(world)
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.active["I3"] = "=DATE(2026,12,31)"
    out = io.BytesIO()
    workbook.save(out)
    report = imported(world, "commitments", [], filename="f.xlsx", data=out.getvalue())
    assert not report.saved
    assert report.rows[1].errors == [
        "due_date: Cell I3 holds a formula (=DATE(2026,12,31)): paste values instead."]


def test_text_that_looks_like_a_formula_imports_as_text(world):
    imported(world, "recommendations", RECOMMENDATIONS)
    rows = commitments_rows(world, {(1, "description_ru"): "=1+1 plan"})
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.active["E2"].data_type = "s"  # typed as text in a spreadsheet program: not a formula
    out = io.BytesIO()
    workbook.save(out)
    report = imported(world, "commitments", rows, filename="f.xlsx", data=out.getvalue())
    assert report.saved, report
    saved = db.session.scalar(db.select(Commitment).where(Commitment.code == "TRD-2026-020-KZ1"))
    assert saved.description["ru"] == "=1+1 plan"


def test_a_row_with_several_problems_shows_all_of_them(world):
    imported(world, "recommendations", RECOMMENDATIONS)
    rows = commitments_rows(world, {(1, "organisation"): "nowhere", (1, "owner_email"): "ghost@example.org",
                                    (1, "due_date"): "soon", (2, "original_language"): ""})
    report = imported(world, "commitments", rows, save=False)
    assert report.rows[0].errors == [
        "organisation: Unknown organisation: nowhere.",
        "owner_email: No one on this council has the e-mail ghost@example.org.",
        "due_date: soon is not a date; use YYYY-MM-DD."]
    assert report.rows[1].errors == ["original_language: Fill in this cell."]


def test_a_workbook_declaring_a_huge_size_is_refused_before_parsing(world):
    out = io.BytesIO(as_xlsx(commitments_rows(world)))
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(41 * 1024 * 1024))
    assert len(out.getvalue()) < 200_000
    report = imported(world, "commitments", [], filename="bomb.xlsx", data=out.getvalue())
    assert report.file_errors == ["The XLSX file expands to more than 40 MB: split it, or save it as CSV."]


def test_reading_stops_at_the_row_limit(world, monkeypatch):
    from council.tracker import imports

    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    rows = commitments_rows(world) + [list(commitments_rows(world)[1]) for _ in range(3)]
    for fmt, data in (("xlsx", as_xlsx(rows)), ("csv", None)):
        report = imported(world, "commitments", rows, filename=f"f.{fmt}", data=data)
        assert report.file_errors == ["The file has more than 3 rows; split it."], fmt


def test_organisation_names_that_look_like_formulas_are_escaped_in_every_export(client, auth, world,
                                                                                tracker):
    hostile = '=HYPERLINK("http://x","y")'
    world.kz_org.name = {"ru": hostile, "en": hostile}
    db.session.commit()
    auth.login(world.secretary)
    text = download(client, "/tracker/commitments/export.csv").decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + hostile in cells and hostile not in cells
    sheet = sheet_of(download(client, "/tracker/commitments/export.xlsx"))
    found = [cell for row in sheet.iter_rows() for cell in row if cell.value == hostile]
    assert found and all(cell.data_type == "s" and cell.quotePrefix for cell in found)
    figures = download(client, "/dashboard/figures.csv").decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(figures)) for cell in row]
    assert "'" + hostile in cells and hostile not in cells


def test_a_csv_export_of_dates_is_iso(client, auth, world, closed):
    verified, _cancelled = closed
    auth.login(world.secretary)
    text = download(client, "/tracker/commitments/export.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    row = next(r for r in rows if r["Code (code)"] == verified.code)
    assert date.fromisoformat(row["Due date (due_date)"]) == verified.due_date
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row["Last report, UTC (last_reported)"])



def test_a_workbook_with_too_many_shared_strings_is_refused_before_reading_them(world):
    from bench.import_bomb import workbook

    data = workbook(2, strings=100_001)
    report = imported(world, "commitments", [], filename="strings.xlsx", data=data)
    assert report.file_errors == [
        "The XLSX file has more than 100000 different texts: split it, or save it as CSV."]
