"""Script in any free-text field stays text: escaped on every page and e-mail that shows it.
Link fields take only http(s) addresses; uploads are judged by their content, not their name."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from council.directory.models import Organisation, User, WorkingGroup
from council.extensions import db
from council.meetings.models import AgendaItem, Meeting, MeetingDocument
from council.tracker.models import Commitment, Evidence, Recommendation
from tests.conftest import page_text
from tests.directory.test_views import organisation_form
from tests.meetings.test_views import meeting_form
from tests.tracker.test_views import commitment_form, recommendation_form

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"X {SCRIPT}{IMG}"
BAD_LINKS = ["javascript:alert(1)", "javascript://example.org/%0Aalert(1)", "JavaScript:alert(1)",
             "data:text/html,<script>alert(1)</script>", " javascript:alert(1)"]
FILE_NAME = "<img src=x onerror=alert(1)>.pdf"  # a browser would send a quote as %22
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def assert_inert(html: str, where: str) -> None:
    assert "<script>alert" not in html, where
    assert "<img src=x" not in html, where
    assert not re.search(r"""href\s*=\s*["']?\s*(javascript|data):""", html, re.IGNORECASE), where


def count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def uploads(app: Any, tmp_path: Any) -> Any:
    previous = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = previous


def test_script_in_every_free_text_field_stays_text(client, auth, world, uploads, mail_sink):
    auth.login(world.secretary)
    # Directory: an organisation, a working group, a person invited by e-mail.
    assert client.post("/organisations/new", data=organisation_form(
        **{"name-ru": PAYLOAD, "name-en": PAYLOAD, "website": "https://example.org/?q=<b>"}
    )).status_code == 302
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == "kuryk-port"))
    assert client.post("/groups/new", data={"name-ru": PAYLOAD, "name-en": PAYLOAD,
                                            "original_language": "ru", "slug": "ecology",
                                            "code": "ECO"}).status_code == 302
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == "ecology"))
    assert client.post("/people/invite", data={
        "email": "new.person@example.org", "name": PAYLOAD, "organisation_id": str(organisation.id),
        "role": "member", "language": "ru"}).status_code == 302
    person = db.session.scalar(select(User).where(User.email == "new.person@example.org"))

    # Tracker: a recommendation, a commitment, a progress note with a file whose name is a payload.
    assert client.post("/tracker/recommendations/new", data=recommendation_form(
        world, **{"title-ru": PAYLOAD, "title-en": PAYLOAD, "text-ru": PAYLOAD,
                  "source_reference": PAYLOAD})).status_code == 302
    recommendation = db.session.scalar(select(Recommendation))
    assert client.post(f"/tracker/recommendations/{recommendation.id}/status",
                       data={"status": "adopted", "reason": PAYLOAD}).status_code == 302
    assert client.post(f"/tracker/recommendations/{recommendation.id}/commitments/new",
                       data=commitment_form(world, **{"description-ru": PAYLOAD})).status_code == 302
    commitment = db.session.scalar(select(Commitment))
    response = client.post(f"/tracker/commitments/{commitment.id}/progress", data={
        "progress": "40", "status": "", "note": PAYLOAD, "links": "https://example.org/act?<x>=1",
        "files": [(io.BytesIO(PDF), FILE_NAME)]}, content_type="multipart/form-data")
    assert response.status_code == 302, page_text(response)

    # Meetings: a meeting, an agenda item, a document, minutes and a decision.
    assert client.post("/meetings/new", data=meeting_form(
        world, **{"title-ru": PAYLOAD, "title-en": PAYLOAD, "place": PAYLOAD,
                  "online_url": "https://example.org/join?<x>"})).status_code == 302
    meeting = db.session.scalar(select(Meeting))
    meeting_id = meeting.id
    assert client.post(f"/meetings/{meeting_id}/agenda/new", data={
        "title-ru": PAYLOAD, "original_language": "ru", "duration_minutes": "30",
        "parent_id": ""}).status_code == 302
    item = db.session.scalar(select(AgendaItem))
    response = client.post(f"/meetings/{meeting_id}/documents", data={
        "title": PAYLOAD, "agenda_item_id": str(item.id), "file": (io.BytesIO(PDF), FILE_NAME)},
        content_type="multipart/form-data")
    assert response.status_code == 302, page_text(response)
    document = db.session.scalar(select(MeetingDocument))
    assert "<" not in document.filename and ">" not in document.filename
    assert client.post(f"/meetings/{meeting_id}/publish").status_code == 302

    pages = ["/dashboard", f"/dashboard/groups/{group.id}", f"/dashboard/organisations/{organisation.id}",
             "/my-work", "/home", f"/public/{world.council.slug}", "/groups", f"/groups/{group.id}",
             "/organisations",
             f"/organisations/{organisation.id}",
             "/people", f"/people/{person.id}", "/tracker/recommendations",
             f"/tracker/recommendations/{recommendation.id}", "/tracker/commitments",
             f"/tracker/commitments/{commitment.id}", f"/tracker/commitments/{commitment.id}/edit",
             f"/tracker/recommendations/{recommendation.id}/edit", "/meetings/", f"/meetings/{meeting_id}",
             f"/meetings/{meeting_id}/agenda/print", f"/meetings/{meeting_id}/edit",
             f"/meetings/{meeting_id}/agenda/{item.id}/edit", "/meetings/calendar",
             f"/organisations/{organisation.id}/edit", f"/groups/{group.id}/edit"]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert_inert(page_text(response), page)
    for page in (f"/tracker/commitments/{commitment.id}", f"/meetings/{meeting_id}"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_text(client.get(page)), page

    # After the meeting: minutes and a decision, as their pages and the printout show them.
    from datetime import timedelta

    meeting.starts_at -= timedelta(days=12)
    meeting.ends_at -= timedelta(days=12)
    db.session.commit()
    assert client.post(f"/meetings/{meeting_id}/held").status_code == 302
    assert client.post(f"/meetings/{meeting_id}/minutes", data={
        "original_language": "ru", "notes_general-ru": PAYLOAD,
        f"notes_{item.id}-ru": PAYLOAD}).status_code == 302
    assert client.post(f"/meetings/{meeting_id}/decisions/new", data={
        "text-ru": PAYLOAD, "original_language": "ru", "agenda_item_id": str(item.id),
        "commitments-0-organisation_id": ""}).status_code == 302
    for page in (f"/meetings/{meeting_id}", f"/meetings/{meeting_id}/minutes",
                 f"/meetings/{meeting_id}/minutes/1", f"/meetings/{meeting_id}/minutes/print"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert_inert(page_text(response), page)

    # The e-mail inviting the person with the payload for a name.
    invitation = mail_sink.to("new.person@example.org")[0]
    assert_inert(mail_sink.html_of(invitation), "invitation e-mail")
    # Evidence file names are shown escaped and served only as attachments.
    evidence = db.session.scalar(select(Evidence).where(Evidence.filename.is_not(None)))
    assert evidence.filename == "img src=x onerror=alert(1).pdf"
    assert "<" not in evidence.stored_name and evidence.stored_name.endswith(".pdf")
    download = client.get(f"/tracker/evidence/{evidence.id}")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    download.close()


@pytest.mark.parametrize("link", BAD_LINKS)
def test_link_fields_take_only_web_addresses(client, auth, world, uploads, link):
    from tests.factories import CommitmentFactory, RecommendationFactory

    commitment = CommitmentFactory(recommendation=RecommendationFactory(group=world.group),
                                   organisation=world.kz_org, owner=world.member)
    auth.login(world.secretary)
    response = client.post("/organisations/new", data=organisation_form(website=link))
    assert response.status_code == 422
    assert count(Organisation) == 3
    response = client.post(f"/organisations/{world.kz_org.id}/edit", data=organisation_form(
        code="mangystau-akimat", website=link))
    assert response.status_code == 422
    assert db.session.get(Organisation, world.kz_org.id).website is None
    response = client.post("/meetings/new", data=meeting_form(world, online_url=link))
    assert response.status_code == 422
    response = client.post(f"/tracker/commitments/{commitment.id}/progress", data={
        "progress": "50", "status": "", "note": "", "links": link})
    assert response.status_code == 422
    assert count(Evidence) == 0


def test_organisation_website_is_checked_by_the_service(world):
    """The rule holds for every caller (the API, imports), not only the form."""
    from council.directory import services
    from council.directory.models import OrganisationKind
    from council.errors import ValidationFailed

    for link in BAD_LINKS:
        with pytest.raises(ValidationFailed) as refused:
            services.create_organisation(world.secretary, world.council, code="kuryk-port",
                                         kind=OrganisationKind.BUSINESS, country_code="KZ", region_id=None,
                                         name={"ru": "Порт"}, original_language="ru", website=link)
        assert refused.value.field == "website"
        db.session.rollback()
    created = services.create_organisation(world.secretary, world.council, code="kuryk-port",
                                           kind=OrganisationKind.BUSINESS, country_code="KZ", region_id=None,
                                           name={"ru": "Порт"}, original_language="ru",
                                           website=" https://kuryk.kz ")
    assert created.website == "https://kuryk.kz"


def test_a_program_renamed_to_pdf_is_refused(client, auth, world, uploads):
    from tests.factories import CommitmentFactory, MeetingFactory, RecommendationFactory

    commitment = CommitmentFactory(recommendation=RecommendationFactory(group=world.group),
                                   organisation=world.kz_org, owner=world.member)
    meeting = MeetingFactory(group=world.group)
    auth.login(world.secretary)
    response = client.post(f"/tracker/commitments/{commitment.id}/progress", data={
        "progress": "50", "status": "", "note": "Act", "files": [(io.BytesIO(EXE), "act.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "is not a PDF" in page_text(response)
    response = client.post(f"/meetings/{meeting.id}/documents", data={
        "title": "Act", "agenda_item_id": "", "file": (io.BytesIO(EXE), "act.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert count(Evidence) == 0 and count(MeetingDocument) == 0
    assert not [p for p in uploads.rglob("*") if p.is_file()] if uploads.exists() else True
