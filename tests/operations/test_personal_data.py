"""Personal data: a person downloads what Council holds about them; an administrator anonymises a person
who has left, keeping their history, and is refused while the person still owns open commitments."""

from __future__ import annotations

import io
import json

from sqlalchemy import select

from council.api import services as api_services
from council.api.models import TokenScope
from council.directory.models import Membership, User
from council.events import Event
from council.extensions import db
from council.tracker import services as tracker_services
from council.tracker.evidence import EvidenceUpload
from council.tracker.models import CommitmentStatus, ProgressUpdate
from tests.conftest import page_text
from tests.factories import PASSWORD, CommitmentFactory, RecommendationFactory


def reported_commitment(world, status=CommitmentStatus.IN_PROGRESS):
    commitment = CommitmentFactory(recommendation=RecommendationFactory(group=world.group),
                                   organisation=world.kz_org, owner=world.member, code="TRD-2026-001-KZ1",
                                   status=CommitmentStatus.IN_PROGRESS, progress=20)
    tracker_services.report_progress(world.member, commitment, progress=60, note="Scanners installed",
                                     files=[EvidenceUpload("act.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"))])
    commitment.status = status
    db.session.commit()
    return commitment


def test_a_person_downloads_what_council_holds_about_them(client, auth, world, app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    reported_commitment(world)
    api_services.create_token(world.member, name="Reporting script", scope=TokenScope.READ)
    db.session.commit()
    auth.login(world.member)
    response = client.get("/profile/data")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.data)
    assert data["person"]["email"] == "member@example.org" and data["person"]["name"] == "Nurlan Member"
    assert [m["role"] for m in data["memberships"]] == ["member"]
    assert data["commitments_owned"][0]["code"] == "TRD-2026-001-KZ1"
    assert data["progress_reports"][0]["note"] == "Scanners installed"
    assert data["api_tokens"][0]["name"] == "Reporting script"
    assert "token_hash" not in response.get_data(as_text=True)
    assert any(entry["kind"].startswith("commitment.") for entry in data["activity"])
    assert "Download my data" in page_text(client.get("/profile"))


def test_anonymising_is_refused_while_the_person_owns_open_commitments(client, auth, world, app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    reported_commitment(world)
    auth.login(world.admin)
    response = client.post(f"/people/{world.member.id}/anonymise")
    assert response.status_code == 409
    assert "still owns 1 open commitment: give it another owner first" in page_text(response)
    db.session.expire_all()
    assert db.session.get(User, world.member.id).email == "member@example.org"


def test_an_admin_anonymises_a_person_who_left_and_the_history_is_kept(client, auth, world, app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    commitment = reported_commitment(world, status=CommitmentStatus.VERIFIED)
    member_id = world.member.id
    auth.login(world.admin)
    assert "Anonymise" in page_text(client.get(f"/people/{member_id}"))
    response = client.post(f"/people/{member_id}/anonymise")
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(User, member_id)
    assert person.name == "Бывший участник организации «Организация mangystau-akimat»"
    assert person.email == f"former-{member_id}@anonymised.invalid"
    assert (person.active, person.password_hash, person.position) == (False, None, None)
    assert db.session.scalar(select(Membership).where(Membership.user_id == member_id)) is None
    update = db.session.scalar(select(ProgressUpdate).where(ProgressUpdate.commitment_id == commitment.id))
    assert update.author_id == member_id and update.note == "Scanners installed"  # the history stays
    assert db.session.scalar(select(Event.kind).where(Event.kind == "user.anonymised"))
    page = page_text(client.get(f"/tracker/commitments/{commitment.id}"))
    assert "Бывший участник организации" in page and "Nurlan Member" not in page
    assert client.post(f"/people/{member_id}/anonymise").status_code == 409  # once is enough
    auth.logout()
    refused = client.post("/login", data={"email": "member@example.org", "password": PASSWORD})
    assert refused.status_code != 302


def test_a_co_chair_is_not_anonymised_before_another_is_appointed(client, auth, world):
    auth.login(world.admin)
    response = client.post(f"/people/{world.kz_chair.id}/anonymise")
    assert response.status_code == 409 and "co-chair" in page_text(response)


def test_only_an_administrator_anonymises(client, auth, world):
    auth.login(world.secretary)
    assert client.post(f"/people/{world.outsider.id}/anonymise").status_code == 403
    assert "Anonymise" not in page_text(client.get(f"/people/{world.outsider.id}"))
