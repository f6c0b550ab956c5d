"""Documents attached to meetings: type and size limits, storage under UPLOAD_FOLDER, downloads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from council.errors import Conflict, NotAllowed, ValidationFailed
from council.extensions import db
from council.meetings import documents
from council.meetings.models import MeetingDocument
from tests.conftest import page_text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def uploads(app, tmp_path: Path):
    previous = app.config["UPLOAD_FOLDER"], app.config.get("MEETING_DOCUMENT_MAX_BYTES")
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    yield tmp_path
    app.config["UPLOAD_FOLDER"] = previous[0]
    app.config.pop("MEETING_DOCUMENT_MAX_BYTES", None)


def attach(world, meeting, filename="Повестка.pdf", content=PDF, **kwargs):
    return documents.add_document(world.secretary, meeting, title=kwargs.pop("title", "Повестка дня"),
                                  filename=filename, stream=io.BytesIO(content), **kwargs)


def test_a_pdf_is_stored_under_the_upload_folder(world, meetings, uploads):
    meeting = meetings.schedule()
    document = attach(world, meeting, agenda_item_id=None)
    db.session.commit()
    stored = uploads / "meetings" / document.stored_name
    assert stored.read_bytes() == PDF
    assert document.filename == "Повестка.pdf" and document.size == len(PDF)
    assert document.content_type == "application/pdf"


@pytest.mark.parametrize(("filename", "content"), [
    ("virus.exe", b"MZ\x90\x00"),
    ("no-extension", PDF),
    ("disguised.pdf", b"MZ\x90\x00 not a pdf"),
    ("slides.pptx", PDF),
    ("notes.txt", b"\xff\xfe\x00bad"),
    ("empty.pdf", b""),
])
def test_wrong_or_disguised_files_are_refused(world, meetings, uploads, filename, content):
    meeting = meetings.schedule()
    with pytest.raises(ValidationFailed) as refused:
        attach(world, meeting, filename=filename, content=content)
    assert refused.value.field == "file"
    assert not (uploads / "meetings").exists() or not any((uploads / "meetings").iterdir())


def test_files_over_the_limit_are_refused(app, world, meetings):
    app.config["MEETING_DOCUMENT_MAX_BYTES"] = 1024 * 1024
    with force_locale("ru"), pytest.raises(ValidationFailed) as refused:
        attach(world, meetings.schedule(), content=PDF + b"0" * 2000 * 1024)
    assert refused.value.message == "Файл больше 1 МБ."


def test_folder_parts_are_dropped_from_names(world, meetings):
    document = attach(world, meetings.schedule(), filename="../../etc/passwd.txt", content=b"hello")
    assert document.filename == "passwd.txt"


def test_only_editors_attach_and_an_item_must_be_this_meetings(world, meetings):
    meeting = meetings.schedule()
    with pytest.raises(NotAllowed):
        documents.add_document(world.member, meeting, title="", filename="a.pdf", stream=io.BytesIO(PDF))
    other = meetings.published()
    with pytest.raises(ValidationFailed):
        attach(world, meeting, agenda_item_id=other.agenda_items[0].id)


def test_approved_meetings_keep_their_documents(world, meetings):
    from council.meetings import minutes

    meeting = meetings.published_minutes()
    document = attach(world, meeting)
    minutes.approve_minutes(world.kz_chair, meeting)
    minutes.approve_minutes(world.tm_chair, meeting)
    db.session.commit()
    with pytest.raises(Conflict):
        documents.remove_document(world.secretary, document)


def test_upload_download_and_remove_through_the_page(client, auth, world, meetings, uploads):
    meeting = meetings.published()
    auth.login(world.kz_chair)
    response = client.post(f"/meetings/{meeting.id}/documents", data={
        "title": "Проект решения", "agenda_item_id": str(meeting.agenda_items[1].id),
        "file": (io.BytesIO(PDF), "draft-decision.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    document = db.session.scalar(select(MeetingDocument))
    auth.logout()
    auth.login(world.tm_member)
    page = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "Проект решения" in page
    download = client.get(f"/meetings/{meeting.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()
    assert client.post(f"/meetings/{meeting.id}/documents/{document.id}/delete").status_code == 403
    auth.logout()
    auth.login(world.kz_chair)
    assert client.post(f"/meetings/{meeting.id}/documents/{document.id}/delete").status_code == 302
    assert not any((uploads / "meetings").iterdir())


def test_a_refused_upload_shows_the_reason_on_the_page(client, auth, world, meetings):
    meeting = meetings.published()
    auth.login(world.secretary)
    response = client.post(f"/meetings/{meeting.id}/documents", data={
        "title": "", "agenda_item_id": "", "file": (io.BytesIO(b"MZ"), "tool.exe")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Attach a PDF, office document, image, or text file." in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(MeetingDocument)) == 0


def test_documents_of_another_meeting_are_not_found(client, auth, world, meetings):
    first, second = meetings.published(), meetings.published()
    document = attach(world, first)
    db.session.commit()
    auth.login(world.member)
    assert client.get(f"/meetings/{second.id}/documents/{document.id}").status_code == 404
