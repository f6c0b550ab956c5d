"""Tracker pages and forms, including the refusals a user would meet."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from council.extensions import db
from council.spreadsheets import XLSX_TYPE
from council.timeutil import council_today
from council.tracker.models import (
    Commitment,
    CommitmentStatus,
    Evidence,
    Indicator,
    Initiative,
    ProgressUpdate,
    Recommendation,
    RecommendationStatus,
)
from tests.conftest import (
    NOT_FOUND,
    ONLY_TRADE_LEADERS,
    error_summary,
    page_text,
    refusal,
)
from tests.factories import CommitmentFactory, UserFactory
from tests.tracker.conftest import PDF, stored_files

ONLY_ANY_LEADERS = "Only the council's secretaries or the co-chairs of the working groups can do this."


def recommendation_form(world, **overrides):
    data = {"group_id": str(world.group.id), "code": "TRD-2026-010",
            "title-ru": "Предварительное уведомление о грузах", "title-en": "Pre-arrival cargo notification",
            "text-ru": "Ввести предварительное уведомление.", "original_language": "ru",
            "source": "council_session", "source_reference": "Session 4", "priority": "high",
            "is_public": "y"}
    data.update(overrides)
    return data


def commitment_form(world, **overrides):
    data = {"organisation_id": str(world.kz_org.id), "owner_id": str(world.member.id),
            "description-ru": "Подключить таможенный пост", "original_language": "ru",
            "start_date": "2026-01-10", "due_date": "2026-09-30", "counterpart_id": "",
            "initiative_id": "", "code": ""}
    data.update(overrides)
    return data


def status_of(client, url):
    with client.get(url) as response:
        return response.status_code


def download(client, url):
    """A file response, read and closed."""
    with client.get(url) as response:
        assert response.status_code == 200, url
        return response.mimetype, response.data


# Pages ------------------------------------------------------------------------------------------------


def test_every_tracker_page_renders_without_inline_script_or_style(client, auth, world, tracker):
    auth.login(world.secretary)
    initiative = Initiative(council_id=world.council.id, code="UBG", name={"en": "Uzen – Bereket – Gorgan"})
    indicator = Indicator(council_id=world.council.id, code="TRADE", name={"en": "Trade turnover"},
                          unit="USD million", baseline_value=438.2)
    db.session.add_all([initiative, indicator])
    db.session.commit()
    for url in ["/tracker/", "/tracker/recommendations", "/tracker/commitments",
                f"/tracker/recommendations/{tracker.recommendation.id}",
                f"/tracker/recommendations/{tracker.proposed.id}",
                f"/tracker/recommendations/{tracker.recommendation.id}/edit",
                f"/tracker/recommendations/{tracker.recommendation.id}/commitments/new",
                "/tracker/recommendations/new", f"/tracker/commitments/{tracker.kz.id}",
                f"/tracker/commitments/{tracker.kz.id}/edit", "/tracker/initiatives",
                f"/tracker/initiatives/{initiative.id}", "/tracker/initiatives/new",
                f"/tracker/initiatives/{initiative.id}/edit", "/tracker/indicators",
                f"/tracker/indicators/{indicator.id}", "/tracker/indicators/new",
                f"/tracker/indicators/{indicator.id}/edit", "/tracker/import"]:
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        text = page_text(response)
        assert "<script>" not in text and "style=" not in text, url


def test_tracker_is_for_signed_in_people(client, tracker):
    response = client.get("/tracker/recommendations")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = page_text(client.get(response.headers["Location"]))
    assert 'name="password"' in page and "TRD-2026-001" not in page


def test_records_of_another_council_are_not_found(client, auth, world, tracker):
    stranger = UserFactory()
    auth.login(stranger)
    assert client.get(f"/tracker/recommendations/{tracker.recommendation.id}").status_code == 404
    assert client.get(f"/tracker/commitments/{tracker.kz.id}").status_code == 404
    assert "TRD-2026-001" not in page_text(client.get("/tracker/recommendations"))


def test_recommendation_page_shows_the_two_sides_and_who_lags(client, auth, world, tracker):
    auth.login(world.observer)
    text = page_text(client.get(f"/tracker/recommendations/{tracker.recommendation.id}"))
    sides = text[text.index("sides-heading"):]
    assert sides.index("Kazakhstan") < sides.index('class="code">TRD-2026-001-KZ1') \
        < sides.index("Turkmenistan") < sides.index('class="code">TRD-2026-001-TM1')
    assert "Counterpart: TRD-2026-001-TM1" in sides
    assert "The Kazakh side lags behind" in text and "20% against 80%" in text  # Babel, as every percentage
    assert "Overdue" in text
    assert "50%" in text  # derived progress of the recommendation
    assert "New commitment" not in text and "Edit" not in text  # observers read


def test_lists_filter_and_sort(client, auth, world, tracker):
    auth.login(world.member)
    assert "TRD-2026-001-TM1" not in page_text(client.get("/tracker/commitments?overdue=1"))
    assert "TRD-2026-001-KZ1" in page_text(client.get("/tracker/commitments?overdue=1"))
    text = page_text(client.get("/tracker/commitments?country=TM"))
    assert "TRD-2026-001-TM1" in text and "TRD-2026-001-KZ1" not in text
    text = page_text(client.get(f"/tracker/commitments?owner={world.member.id}"))
    assert "TRD-2026-001-KZ1" in text and "TRD-2026-001-TM1" not in text
    text = page_text(client.get("/tracker/commitments?due_within=30"))
    assert "TRD-2026-001-TM1" in text and "TRD-2026-001-KZ1" not in text
    text = page_text(client.get("/tracker/commitments?q=KIOSKS"))
    assert "TRD-2026-001-KZ1" in text and "TRD-2026-001-TM1" not in text
    text = page_text(client.get("/tracker/commitments?sort=-progress"))
    assert text.index("TRD-2026-001-TM1") < text.index("TRD-2026-001-KZ1")
    text = page_text(client.get("/tracker/recommendations?overdue=1"))
    assert "TRD-2026-001" in text and "TRD-2026-002" not in text
    text = page_text(client.get("/tracker/recommendations?status=proposed&q=единые"))
    assert "TRD-2026-002" in text and "TRD-2026-001<" not in text
    text = page_text(client.get(f"/tracker/recommendations?organisation={world.tm_org.id}"))
    assert "TRD-2026-001" in text and "TRD-2026-002" not in text


@pytest.mark.parametrize("query", ["group=abc", "due_within=-1", "owner=x", "due_within=99999"])
def test_bad_filter_values_are_left_out_naming_the_filter(client, auth, world, query):
    auth.login(world.member)
    response = client.get(f"/tracker/commitments?{query}")
    assert response.status_code == 200
    assert f"Not understood, so left out: {query}." in page_text(response)


def test_lists_paginate(app, client, auth, world, tracker):
    auth.login(world.member)
    for number in range(30):
        CommitmentFactory(recommendation=tracker.recommendation, organisation=world.kz_org,
                          code=f"BULK-{number:03d}")
    text = page_text(client.get("/tracker/commitments?sort=code"))
    assert "Page 1 of 2" in text and "BULK-000" in text and "TRD-2026-001-TM1" not in text
    assert "TRD-2026-001-TM1" in page_text(client.get("/tracker/commitments?sort=code&page=2"))


# Recommendations: forms --------------------------------------------------------------------------------


def test_co_chair_records_a_recommendation(client, auth, world):
    auth.login(world.kz_chair)
    response = client.post("/tracker/recommendations/new", data=recommendation_form(world))
    assert response.status_code == 302
    created = db.session.scalar(select(Recommendation).where(Recommendation.code == "TRD-2026-010"))
    assert created.status == RecommendationStatus.PROPOSED and created.is_public
    assert "created the record" in page_text(client.get(response.headers["Location"]))


def test_recommendation_form_refusals_keep_the_input(client, auth, world, tracker):
    auth.login(world.secretary)
    response = client.post("/tracker/recommendations/new", data=recommendation_form(
        world, **{"title-ru": "", "title-en": "Pre-arrival cargo notification"}))
    assert response.status_code == 422
    text = page_text(response)
    assert "Enter the text in its original language." in text
    assert 'value="Pre-arrival cargo notification"' in text
    response = client.post("/tracker/recommendations/new",
                           data=recommendation_form(world, code="TRD-2026-001"))
    assert response.status_code == 409
    assert "The code TRD-2026-001 is already used." in page_text(response)
    response = client.post("/tracker/recommendations/new", data=recommendation_form(world, code="№ 5"))
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Recommendation)) == 2


def test_members_and_observers_may_not_recommend(client, auth, world):
    for person in (world.member, world.observer):
        auth.login(person)
        assert refusal(client.get("/tracker/recommendations/new")) == ONLY_ANY_LEADERS
        assert refusal(client.post("/tracker/recommendations/new",
                                   data=recommendation_form(world))) == ONLY_ANY_LEADERS
        assert "/tracker/recommendations/new" not in page_text(client.get("/tracker/recommendations"))
        auth.logout()
    assert db.session.scalar(select(func.count()).select_from(Recommendation)) == 0


def test_status_changes_through_the_page(client, auth, world, tracker):
    auth.login(world.tm_chair)
    url = f"/tracker/recommendations/{tracker.proposed.id}/status"
    response = client.post(url, data={"status": "rejected", "reason": ""})
    assert response.status_code == 422 and "Give a reason." in page_text(response)
    response = client.post(url, data={"status": "implemented", "reason": "x"})
    assert response.status_code == 409
    assert "cannot become" in page_text(response)
    assert client.post(url, data={"status": "adopted"}).status_code == 302
    db.session.refresh(tracker.proposed)
    assert tracker.proposed.status == RecommendationStatus.ADOPTED
    auth.logout()
    auth.login(world.member)
    assert client.post(url, data={"status": "implemented", "reason": "done"}).status_code == 403


# Commitments: forms ------------------------------------------------------------------------------------


def test_co_chair_adds_a_commitment(client, auth, world, tracker):
    auth.login(world.kz_chair)
    url = f"/tracker/recommendations/{tracker.recommendation.id}/commitments/new"
    response = client.post(url, data=commitment_form(world))
    assert response.status_code == 302
    created = db.session.scalar(select(Commitment).where(Commitment.code == "TRD-2026-001-KZ2"))
    assert created.owner_id == world.member.id


def test_a_co_chair_is_offered_and_allowed_their_own_sides_organisations_only(client, auth, world, tracker):
    auth.login(world.tm_chair)
    url = f"/tracker/recommendations/{tracker.recommendation.id}/commitments/new"
    form = client.get(url).get_data(as_text=True)
    organisations = re.search(r'<select[^>]*id="organisation_id"[^>]*>(.*?)</select>', form, re.DOTALL)
    assert organisations is not None
    assert "balkan-hyakimlik" in organisations.group(1) and "mangystau-akimat" not in organisations.group(1)
    response = client.post(url, data=commitment_form(world))  # the Kazakh akimat, sent all the same
    assert response.status_code == 403
    refusal = html.unescape(page_text(response))
    assert ("Only the co-chair of the Trade working group (Kazakhstan) or the council's secretaries can "
            "take on a commitment for Organisation mangystau-akimat.") in refusal
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 2


@pytest.mark.parametrize(("overrides", "message"), [
    ({"owner_id": "TM"}, "Not a valid choice"),
    ({"due_date": "2026-01-01"}, "The due date cannot be before the start date."),
    ({"due_date": "31.02.2026"}, "Not a valid date value."),
    ({"description-ru": ""}, "Enter the text in its original language."),
])
def test_commitment_form_refusals(client, auth, world, tracker, overrides, message):
    auth.login(world.secretary)
    url = f"/tracker/recommendations/{tracker.recommendation.id}/commitments/new"
    if overrides.get("owner_id") == "TM":
        overrides = {"owner_id": str(world.tm_member.id)}
        message = "The owner must be an active member of the responsible organisation."
    response = client.post(url, data=commitment_form(world, **overrides))
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 2


def test_no_commitment_under_a_proposed_recommendation(client, auth, world, tracker):
    auth.login(world.secretary)
    response = client.post(f"/tracker/recommendations/{tracker.proposed.id}/commitments/new",
                           data=commitment_form(world))
    assert response.status_code == 409
    assert "only under an adopted recommendation" in page_text(response)


def test_edit_changes_the_due_date_and_shows_it_in_history(client, auth, world, tracker):
    auth.login(world.secretary)
    data = commitment_form(world, due_date="2026-12-31", **{"description-en": "Install queue kiosks"})
    response = client.post(f"/tracker/commitments/{tracker.kz.id}/edit", data=data)
    assert response.status_code == 302
    text = page_text(client.get(f"/tracker/commitments/{tracker.kz.id}"))
    assert "moved the due date from" in text and "to Dec 31, 2026" in text


# Progress, evidence, verification ------------------------------------------------------------------------


def test_owner_reports_progress_with_evidence(client, auth, world, tracker, uploads):
    auth.login(world.member)
    response = client.post(f"/tracker/commitments/{tracker.kz.id}/progress", data={
        "progress": "60", "status": "", "note": "Kiosks delivered",
        "links": "https://example.org/act-17\n", "files": [(io.BytesIO(PDF), "act-17.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    text = page_text(client.get(f"/tracker/commitments/{tracker.kz.id}"))
    assert "Kiosks delivered" in text and "act-17.pdf" in text and "https://example.org/act-17" in text
    assert "reported progress: 20% → 60%" in text  # the percent filter: "20 %" in Russian
    evidence = db.session.scalar(select(Evidence).where(Evidence.filename == "act-17.pdf"))
    with client.get(f"/tracker/evidence/{evidence.id}") as download:
        assert download.status_code == 200 and download.data == PDF
        assert "attachment" in download.headers["Content-Disposition"]


def test_a_forbidden_file_is_a_422_and_nothing_is_saved(client, auth, world, tracker, uploads):
    auth.login(world.member)
    response = client.post(f"/tracker/commitments/{tracker.kz.id}/progress", data={
        "progress": "60", "note": "See the script", "files": [(io.BytesIO(b"#!/bin/sh\nrm -rf /"), "a.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "a.pdf is not a PDF, PNG, JPEG, DOCX, XLSX or ODT file." in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 0
    assert stored_files(uploads) == []
    db.session.refresh(tracker.kz)
    assert tracker.kz.progress == 20


def test_a_request_over_the_size_limit_is_a_413(make_app, world, tracker, uploads):
    from tests.factories import PASSWORD

    small = make_app(MAX_CONTENT_LENGTH=2048, UPLOAD_FOLDER=str(uploads))
    client = small.test_client()
    client.post("/login", data={"email": world.member.email, "password": PASSWORD})
    response = client.post(f"/tracker/commitments/{tracker.kz.id}/progress", data={
        "progress": "60", "note": "big", "files": [(io.BytesIO(PDF + b"0" * 5000), "big.pdf")]},
        content_type="multipart/form-data")
    assert refusal(response, 413) == "The file is too large."
    assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 0
    assert stored_files(uploads) == []


@pytest.mark.parametrize(("progress", "message"), [("101", "Number must be between 0 and 100."),
                                                   ("-5", "Number must be between 0 and 100."),
                                                   ("half", "Not a valid integer value.")])
def test_progress_outside_0_to_100_is_a_422(client, auth, world, tracker, progress, message):
    auth.login(world.member)
    response = client.post(f"/tracker/commitments/{tracker.kz.id}/progress",
                           data={"progress": progress, "note": "x"})
    assert response.status_code == 422 and message in page_text(response)


def test_people_of_another_organisation_may_not_report(client, auth, world, tracker):
    auth.login(world.tm_member)
    response = client.post(f"/tracker/commitments/{tracker.kz.id}/progress",
                           data={"progress": "50", "note": "x"})
    assert refusal(response).startswith("Only the council's secretaries, the co-chairs of the Trade working "
                                         "group or the owner and the people of ")
    db.session.refresh(tracker.kz)
    assert tracker.kz.progress == 20
    assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 0


def test_report_done_then_send_back_then_verify(client, auth, world, tracker):
    auth.login(world.member)
    client.post(f"/tracker/commitments/{tracker.kz.id}/progress",
                data={"progress": "90", "status": "reported_done", "note": "All kiosks work"})
    assert client.post(f"/tracker/commitments/{tracker.kz.id}/verify").status_code == 403
    auth.logout()
    auth.login(world.kz_chair)
    page = page_text(client.get(f"/tracker/commitments/{tracker.kz.id}"))
    assert "Verification" in page
    response = client.post(f"/tracker/commitments/{tracker.kz.id}/send-back", data={"comment": ""})
    assert response.status_code == 422 and "Give a reason." in page_text(response)
    assert client.post(f"/tracker/commitments/{tracker.kz.id}/send-back",
                       data={"comment": "Photos missing"}).status_code == 302
    db.session.refresh(tracker.kz)
    assert tracker.kz.status == CommitmentStatus.IN_PROGRESS
    response = client.post(f"/tracker/commitments/{tracker.kz.id}/verify", data={"comment": ""})
    assert response.status_code == 409
    tracker.kz.status = CommitmentStatus.REPORTED_DONE
    db.session.commit()
    assert client.post(f"/tracker/commitments/{tracker.kz.id}/verify").status_code == 302
    text = page_text(client.get(f"/tracker/commitments/{tracker.kz.id}"))
    assert "verified the commitment" in text and "sent the report back" in text
    assert "Photos missing" in text


def test_cancel_needs_a_reason_and_a_manager(client, auth, world, tracker):
    auth.login(world.member)
    url = f"/tracker/commitments/{tracker.kz.id}/status"
    assert refusal(client.post(url, data={"status": "cancelled", "reason": "no"})) == ONLY_TRADE_LEADERS
    assert client.post(url, data={"status": "blocked", "reason": "No power at the post"}).status_code == 302
    db.session.refresh(tracker.kz)
    assert tracker.kz.status == CommitmentStatus.BLOCKED
    auth.logout()
    auth.login(world.secretary)
    response = client.post(url, data={"status": "cancelled", "reason": ""})
    assert response.status_code == 422
    db.session.refresh(tracker.kz)
    assert tracker.kz.status == CommitmentStatus.BLOCKED
    assert client.post(url, data={"status": "cancelled", "reason": "Merged into TM1"}).status_code == 302
    reopened = client.post(url, data={"status": "in_progress"})
    assert reopened.status_code == 409
    assert error_summary(reopened) == [
        (None, "A commitment that is “Cancelled” cannot become “In progress”.")]
    db.session.refresh(tracker.kz)
    assert tracker.kz.status == CommitmentStatus.CANCELLED
    assert "Merged into TM1" in page_text(client.get(f"/tracker/commitments/{tracker.kz.id}"))


def test_evidence_downloads_are_for_signed_in_readers_of_the_council(client, auth, world, tracker, uploads):
    from council.tracker import services
    from council.tracker.evidence import EvidenceUpload

    update = services.report_progress(world.member, tracker.kz, progress=30, note="act",
                                      files=[EvidenceUpload("act.pdf", io.BytesIO(PDF))])
    db.session.commit()
    url = f"/tracker/evidence/{update.evidence[0].id}"
    assert status_of(client, url) == 302  # to the sign-in page
    auth.login(UserFactory())
    assert status_of(client, url) == 404
    auth.logout()
    auth.login(world.observer)
    assert status_of(client, url) == 200


# Exports -------------------------------------------------------------------------------------------------


def column_key(header: str) -> str:
    """The key at the end of an exported header, "Code (code)" → "code"."""
    return re.search(r"\(([a-z0-9_]+)\)$", header).group(1)


def test_commitments_export_to_csv_follows_the_filters(client, auth, world, tracker):
    auth.login(world.observer)
    mimetype, data = download(client, "/tracker/commitments/export.csv?overdue=1")
    assert mimetype == "text/csv"
    rows = [{column_key(key): value for key, value in row.items()}
            for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))]
    assert [row["code"] for row in rows] == ["TRD-2026-001-KZ1"]
    row = rows[0]
    assert row["overdue"] == "yes" and row["counterpart"] == "TRD-2026-001-TM1"
    # An observer reads the owner by name; the address is for the secretariat (see test_privacy.py).
    assert row["owner_email"] == "" and row["owner_name"] == world.member.name
    assert row["description_en"] == "Install queue kiosks"
    assert row["status"] == "in_progress" and row["progress"] == "20" and row["country"] == "KZ"


def test_recommendations_export_to_xlsx_reads_back(client, auth, world, tracker):
    auth.login(world.observer)
    _, data = download(client, "/tracker/recommendations/export.xlsx?sort=code")
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    header = [column_key(name) for name in rows[0]]
    assert rows[0][0] == "Code (code)" and "Title — Қазақша (title_kk)" in rows[0]
    records = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert [r["code"] for r in records] == ["TRD-2026-001", "TRD-2026-002"]
    assert records[0]["title_en"] == "Electronic queue at Temirbaba – Garabogaz"
    assert records[0]["progress"] == 50 and records[0]["commitments"] == 2
    assert records[0]["overdue_commitments"] == 1 and records[1]["status"] == "proposed"


def test_exported_text_that_looks_like_a_formula_stays_text(client, auth, world, tracker):
    tracker.kz.description = {"ru": "=HYPERLINK(\"http://evil\")"}
    db.session.commit()
    auth.login(world.secretary)
    assert "'=HYPERLINK" in download(client, "/tracker/commitments/export.csv")[1].decode()
    _, data = download(client, "/tracker/commitments/export.xlsx")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert any(cell.value == '=HYPERLINK("http://evil")' and cell.data_type == "s" and cell.quotePrefix
               for row in sheet.iter_rows() for cell in row)


def test_an_export_too_long_for_one_request_asks_to_narrow_the_filters(client, auth, world, tracker,
                                                                     monkeypatch):
    from council.tracker import exports

    monkeypatch.setitem(exports.MAX_ROWS, "xlsx", 1)
    auth.login(world.secretary)
    with client.get("/tracker/commitments/export.xlsx?q=queue&overdue=") as response:
        assert response.status_code == 302
        location = response.headers["Location"]
    assert location.endswith("/tracker/commitments?q=queue")
    assert "An export holds at most 1 rows" in page_text(client.get(location))
    assert download(client, "/tracker/commitments/export.xlsx?country=TM")[0] == XLSX_TYPE


def test_unknown_export_format_is_a_404(client, auth, world):
    auth.login(world.member)
    assert refusal(client.get("/tracker/commitments/export.pdf"), 404) == NOT_FOUND


# Queries per page stay constant as data grows ------------------------------------------------------------


def count_queries(client, url):
    from sqlalchemy import event

    from council.extensions import db as database

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = database.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        download(client, url)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def grow(world, tracker, count):
    from tests.factories import RecommendationFactory

    for number in range(count):
        recommendation = RecommendationFactory(group=world.group, code=f"GROW-{number:03d}-{count}")
        owner = UserFactory(organisation=world.kz_org)
        CommitmentFactory(recommendation=recommendation, organisation=world.kz_org, owner=owner,
                          code=f"GROW-{number:03d}-{count}-C", due_date=council_today() - timedelta(days=1))
        CommitmentFactory(recommendation=recommendation, organisation=world.tm_org,
                          code=f"GROW-{number:03d}-{count}-T")


@pytest.mark.parametrize("url", ["/tracker/recommendations", "/tracker/commitments",
                                 "/tracker/commitments?overdue=1&sort=owner&q=grow",
                                 "/tracker/recommendations?country=KZ&sort=-progress",
                                 "/tracker/recommendations?country=TM&overdue=1",
                                 "/tracker/commitments?overdue=1&sort=organisation&page=2",
                                 "/tracker/commitments/export.csv", "/tracker/commitments/export.xlsx",
                                 "/tracker/recommendations/export.csv", "/tracker/initiatives",
                                 "/tracker/indicators"])
def test_queries_per_page_do_not_grow_with_the_data(client, auth, world, tracker, url):
    auth.login(world.secretary)
    grow(world, tracker, 3)
    few = count_queries(client, url)
    grow(world, tracker, 20)
    many = count_queries(client, url)
    assert many == few, (few, many)


def test_recommendation_and_commitment_pages_do_not_grow_either(client, auth, world, tracker):
    auth.login(world.secretary)
    url = f"/tracker/recommendations/{tracker.recommendation.id}"
    few = count_queries(client, url)
    for number in range(15):
        CommitmentFactory(recommendation=tracker.recommendation, organisation=world.tm_org,
                          owner=world.tm_member, code=f"MORE-{number}")
    assert count_queries(client, url) == few


@pytest.mark.parametrize(("language", "words"), [
    ("ru", ["Рекомендации", "Принята", "Казахстанская сторона отстаёт", "Просрочено"]),
    ("kk", ["Ұсынымдар", "Қабылданды", "Қазақстан тарапы артта қалып отыр", "Мерзімі өткен"]),
    ("tk", ["Maslahatlar", "Kabul edildi", "Gazagystan tarapy yzda galýar", "Möhleti geçen"]),
])
def test_tracker_pages_speak_the_readers_language(client, auth, world, tracker, language, words):
    world.member.language = language
    db.session.commit()
    auth.login(world.member)
    text = page_text(client.get(f"/tracker/recommendations/{tracker.recommendation.id}"))
    for word in words:
        assert word in text, word


def test_the_filter_bar_marks_the_chosen_option_whatever_was_chosen_before(cached, world, tracker):
    """The options are written once per list of choices (the cache hands out the same list): each page
    still marks its own choice, and only it."""
    import re

    reader = cached(world.member)

    def chosen(url: str) -> list[str]:
        page = page_text(reader.get(url))
        owners = page.split('name="owner"')[1].split("</select>")[0]
        return re.findall(r'<option value="([^"]*)" selected>', owners)

    assert chosen(f"/tracker/commitments?owner={world.member.id}") == [str(world.member.id)]
    assert chosen(f"/tracker/commitments?owner={world.tm_member.id}") == [str(world.tm_member.id)]
    assert chosen("/tracker/commitments") == []
    assert chosen(f"/tracker/commitments?owner={world.member.id}") == [str(world.member.id)]
