"""Imports from CSV and XLSX: every bad row with its reason, all or nothing, and safe to repeat."""

from __future__ import annotations

import csv
import io
import os
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from council.errors import NotAllowed
from council.events import Event
from council.extensions import db
from council.tracker.imports import run_import
from council.tracker.models import Commitment, Recommendation, RecommendationStatus
from tests.conftest import page_text

RECOMMENDATIONS = [
    ["code", "group", "title_ru", "title_en", "text_ru", "original_language", "source",
     "source_reference", "priority", "public", "status"],
    ["TRD-2026-020", "TRD", "Электронные накладные", "Electronic waybills", "Перейти на э-накладные",
     "ru", "council_session", "Session 5", "high", "yes", "adopted"],
    ["TRD-2026-021", "trade", "Совместная зона", "Joint zone", "", "ru", "study",
     "Kazakhstan–Turkmenistan cross-border relations, 2025", "medium", "no", ""],
]


def commitments_rows(world, changes=None):
    rows = [
        ["code", "recommendation", "organisation", "owner_email", "description_ru", "description_tk",
         "original_language", "start_date", "due_date", "counterpart"],
        ["TRD-2026-020-KZ1", "TRD-2026-020", "mangystau-akimat", world.member.email,
         "Внедрить э-накладные на станции Болашак", "", "ru", "2026-02-01", "2026-10-31",
         "TRD-2026-020-TM1"],
        ["TRD-2026-020-TM1", "TRD-2026-020", "balkan-hyakimlik", world.tm_member.email, "",
         "Serhetýaka stansiýasynda elektron ýük hatlary", "tk", "01.02.2026", "2026-12-31", ""],
    ]
    for (row, column), value in (changes or {}).items():
        rows[row][rows[0].index(column)] = value
    return rows


def as_csv(rows, delimiter=","):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()


def as_xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def imported(world, kind, rows, *, save=True, filename="file.csv", data=None):
    report = run_import(world.secretary, world.council, kind, filename,
                        data if data is not None else as_csv(rows), save=save)
    if report.saved:
        db.session.commit()
    else:
        db.session.rollback()
    return report


def test_recommendations_import_and_repeat_without_duplicates(world):
    preview = imported(world, "recommendations", RECOMMENDATIONS, save=False)
    assert preview.ok and not preview.saved
    assert [row.action for row in preview.rows] == ["create", "create"]
    assert count(Recommendation) == 0

    report = imported(world, "recommendations", RECOMMENDATIONS)
    assert report.saved and report.count("create") == 2
    waybills = db.session.scalar(select(Recommendation).where(Recommendation.code == "TRD-2026-020"))
    assert waybills.status == RecommendationStatus.ADOPTED and waybills.is_public
    assert waybills.title == {"ru": "Электронные накладные", "en": "Electronic waybills"}
    events = count(Event)

    again = imported(world, "recommendations", RECOMMENDATIONS)
    assert again.saved and [row.action for row in again.rows] == ["unchanged", "unchanged"]
    assert count(Recommendation) == 2 and count(Event) == events


def test_a_changed_row_updates_its_record(world):
    imported(world, "recommendations", RECOMMENDATIONS)
    changed = [list(row) for row in RECOMMENDATIONS]
    changed[2][changed[0].index("priority")] = "low"
    report = imported(world, "recommendations", changed)
    assert [row.action for row in report.rows] == ["unchanged", "update"]
    zone = db.session.scalar(select(Recommendation).where(Recommendation.code == "TRD-2026-021"))
    assert zone.priority == "low"


def test_commitments_import_with_counterparts_further_down(world):
    imported(world, "recommendations", RECOMMENDATIONS)
    report = imported(world, "commitments", commitments_rows(world), filename="c.xlsx",
                      data=as_xlsx(commitments_rows(world)))
    assert report.saved, [row.errors for row in report.rows]
    kz = db.session.scalar(select(Commitment).where(Commitment.code == "TRD-2026-020-KZ1"))
    tm = db.session.scalar(select(Commitment).where(Commitment.code == "TRD-2026-020-TM1"))
    assert kz.counterpart_id == tm.id and tm.counterpart_id == kz.id
    assert tm.start_date.isoformat() == "2026-02-01" and kz.owner_id == world.member.id
    again = imported(world, "commitments", commitments_rows(world))
    assert [row.action for row in again.rows] == ["unchanged", "unchanged"]
    assert count(Commitment) == 2


def test_every_bad_row_is_reported_and_nothing_is_saved(world):
    imported(world, "recommendations", RECOMMENDATIONS)
    rows = commitments_rows(world, {(1, "due_date"): "31.02.2026", (2, "organisation"): "ashgabat-nowhere"})
    rows.append(["TRD-2026-020-KZ1", "TRD-2026-020", "mangystau-akimat", "", "Повтор", "", "ru", "",
                 "2026-11-30", ""])
    rows.append(["TRD-2026-099-KZ1", "TRD-2026-099", "mangystau-akimat", "", "Нет такой", "", "ru", "",
                 "2026-11-30", ""])
    rows.append(["TRD-2026-020-KZ2", "TRD-2026-020", "mangystau-akimat", "nobody@example.org", "Кто-то",
                 "", "ru", "2026-05-01", "2026-04-01", ""])
    rows.append(["TRD-2026-020-KZ3", "TRD-2026-020", "mangystau-akimat", "", "Хорошая строка", "", "ru",
                 "", "2026-11-30", ""])
    report = imported(world, "commitments", rows)
    assert not report.saved
    errors = {row.number: " | ".join(row.errors) for row in report.rows if row.errors}
    assert "due_date: 31.02.2026 is not a date; use YYYY-MM-DD." in errors[2]
    assert "organisation: Unknown organisation: ashgabat-nowhere." in errors[3]
    assert "TRD-2026-020-KZ1 is also on row 2" in errors[4]
    assert "Unknown recommendation: TRD-2026-099" in errors[5]
    assert "owner_email: No one on this council has the e-mail nobody@example.org." in errors[6]
    assert 7 not in errors
    assert count(Commitment) == 0


def test_a_date_before_the_start_is_a_row_error(world):
    imported(world, "recommendations", RECOMMENDATIONS)
    report = imported(world, "commitments", commitments_rows(world, {(1, "due_date"): "2026-01-01"}))
    assert report.rows[0].errors == ["due_date: The due date cannot be before the start date."]
    assert count(Commitment) == 0


@pytest.mark.parametrize(("header", "message"), [
    (["code", "group", "title_ru", "original_language"], "Missing columns: source."),
    (["code", "group", "titel_ru", "original_language", "source"],
     "Add at least one of the columns title_ru, title_kk, title_tk, title_en."),
    (["code", "group", "title_ru", "original_language", "source", "colour"], "Unknown columns: colour."),
    (["code", "code", "group", "title_ru", "original_language", "source"], "Columns named twice: code."),
])
def test_wrong_columns_are_refused_before_any_row(world, header, message):
    report = imported(world, "recommendations", [header, ["X"] * len(header)])
    assert any(message in problem for problem in report.file_errors), report.file_errors
    assert report.rows == []


def test_a_truncated_xlsx_is_refused_clearly(world):
    data = as_xlsx(RECOMMENDATIONS)
    report = imported(world, "recommendations", [], filename="recs.xlsx", data=data[: len(data) // 2])
    assert report.file_errors == ["The XLSX file cannot be read: it may be damaged or cut short. "
                                  "Save it again and retry."]


def test_csv_from_a_russian_excel_uses_semicolons_and_day_first_dates(world):
    report = imported(world, "recommendations", [], data=as_csv(RECOMMENDATIONS, delimiter=";"))
    assert report.saved


def test_a_csv_not_in_utf8_is_refused(world):
    data = "code,group\nTRD-1,торговля\n".encode("cp1251")
    report = imported(world, "recommendations", [], data=data)
    assert "not in UTF-8" in report.file_errors[0]


def test_empty_files_and_headers_without_rows(world):
    assert imported(world, "recommendations", [], data=b"").file_errors == ["The file is empty."]
    assert imported(world, "recommendations", [RECOMMENDATIONS[0]]).file_errors == [
        "The file has a header but no rows."]


def test_only_secretaries_import(world):
    with pytest.raises(NotAllowed):
        run_import(world.kz_chair, world.council, "recommendations", "f.csv", as_csv(RECOMMENDATIONS),
                   save=False)


def test_an_exported_list_imports_back_unchanged(client, auth, world):
    imported(world, "recommendations", RECOMMENDATIONS)
    imported(world, "commitments", commitments_rows(world))
    auth.login(world.secretary)
    for kind in ("recommendations", "commitments"):
        with client.get(f"/tracker/{kind}/export.xlsx") as response:
            data = response.data
        report = imported(world, kind, [], filename="export.xlsx", data=data)
        assert report.saved and {row.action for row in report.rows} == {"unchanged"}, report


# Through the pages ----------------------------------------------------------------------------------


def test_preview_then_confirm(client, auth, world, uploads):
    auth.login(world.secretary)
    response = client.post("/tracker/import", data={
        "kind": "recommendations", "file": (io.BytesIO(as_csv(RECOMMENDATIONS)), "recs.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    text = page_text(response)
    assert "Preview: every row is valid" in text and "Save 2 rows" in text
    assert count(Recommendation) == 0
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]+)"', text).group(1)
    response = client.post("/tracker/import/confirm", data={"kind": "recommendations", "token": token})
    assert response.status_code == 302
    assert count(Recommendation) == 2
    assert client.post("/tracker/import/confirm", data={"kind": "recommendations",
                                                        "token": token}).status_code == 302
    assert count(Recommendation) == 2


def test_a_bad_file_shows_every_bad_row_with_a_422(client, auth, world, uploads):
    auth.login(world.secretary)
    rows = [list(row) for row in RECOMMENDATIONS]
    rows[1][rows[0].index("source")] = "rumour"
    rows[2][rows[0].index("group")] = "space"
    response = client.post("/tracker/import", data={
        "kind": "recommendations", "file": (io.BytesIO(as_csv(rows)), "recs.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    text = page_text(response)
    assert "source: Choose one of the listed values." in text
    assert "group: Unknown working group: space." in text
    assert "2 rows have problems. Nothing was saved" in text
    assert "Save 2 rows" not in text


def test_confirm_with_a_forged_token_saves_nothing(client, auth, world, uploads):
    auth.login(world.secretary)
    response = client.post("/tracker/import/confirm", data={"kind": "recommendations",
                                                            "token": "../../etc/passwd"})
    assert response.status_code == 302
    assert count(Recommendation) == 0


def test_members_may_not_open_the_import(client, auth, world):
    auth.login(world.kz_chair)
    assert client.get("/tracker/import").status_code == 403


@pytest.mark.skipif(not os.environ.get("COUNCIL_TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="SQLite locks the file for the import's savepoint: no second writer, no race")
def test_a_code_saved_meanwhile_is_a_row_error_and_nothing_of_the_file_is_saved(client, auth, world,
                                                                               uploads):
    """Between the preview and the save someone else saves TRD-2026-020: the row says so (422)."""
    from tests.test_duplicates import saved_meanwhile

    auth.login(world.secretary)
    response = client.post("/tracker/import", data={
        "kind": "recommendations", "file": (io.BytesIO(as_csv(RECOMMENDATIONS)), "recs.csv")},
        content_type="multipart/form-data")
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]+)"', page_text(response)).group(1)
    with saved_meanwhile("recommendation"):
        response = client.post("/tracker/import/confirm", data={"kind": "recommendations",
                                                                "token": token})
    assert response.status_code == 422
    assert "code: This code is already used." in page_text(response)
    assert [r.code for r in db.session.scalars(select(Recommendation))] == ["TRD-2026-020"]


# E-mails of an import: handed over once, after the commit ----------------------------------------------


class _CommittedWhenReceived:
    """Wraps the SMTP sink: for each message, whether the import was committed when it arrived,
    read through a connection of its own (it sees only what is committed)."""

    def __init__(self, sink, engine):
        self.sink, self.engine, self.seen = sink, engine, []
        self.handle = sink.handle_DATA

    async def handle_DATA(self, server, session, envelope):
        with self.engine.connect() as connection:
            saved = connection.scalar(select(func.count()).select_from(Commitment))
        self.seen.append(saved)
        return await self.handle(server, session, envelope)


@pytest.fixture
def committed_when_received(mail_sink):
    watcher = _CommittedWhenReceived(mail_sink, db.engine)
    mail_sink.handle_DATA = watcher.handle_DATA  # the sink calls its instance's handler
    yield watcher
    del mail_sink.handle_DATA


def test_an_import_e_mails_each_owner_once_after_it_is_committed(world, mail_sink,
                                                                 committed_when_received):
    from council.notifications.models import Channel, DeliveryState, Notification

    imported(world, "recommendations", RECOMMENDATIONS)
    mail_sink.messages.clear()
    committed_when_received.seen.clear()
    before = db.session.scalar(select(func.max(Notification.id))) or 0
    report = imported(world, "commitments", commitments_rows(world))
    assert report.saved
    # Sent by the time the import's commit returned: no sweep, no retry, nothing left pending.
    emails = list(db.session.scalars(select(Notification).where(Notification.channel == Channel.EMAIL,
                                                                Notification.id > before)))
    assert emails and {row.state for row in emails} == {DeliveryState.SENT}
    ids = sorted(str(message["Message-ID"]) for message in mail_sink.messages)
    assert ids == sorted(f"<notification-{row.id}@council.test>" for row in emails)  # each one once
    recipients = {str(message["To"]) for message in mail_sink.messages}
    assert {world.member.email, world.tm_member.email} <= recipients  # the two owners among them
    # Every e-mail left after both commitments were committed, never from inside the import.
    assert committed_when_received.seen == [2] * len(emails)


def test_a_preview_or_a_refused_import_e_mails_nobody(world, mail_sink):
    imported(world, "recommendations", RECOMMENDATIONS)
    mail_sink.messages.clear()
    assert imported(world, "commitments", commitments_rows(world), save=False).ok
    bad = commitments_rows(world, {(2, "due_date"): "2026-01-01"})
    assert not imported(world, "commitments", bad).saved
    assert mail_sink.messages == [] and count(Commitment) == 0
