"""The backup drill: `flask council backup`, then `flask council restore` into a fresh database and
upload folder, and the same records and files are served (on PostgreSQL with pg_dump/pg_restore when
COUNCIL_TEST_DATABASE_URL names one; on SQLite with its own backup otherwise)."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from council.extensions import db
from council.tracker import services as tracker_services
from council.tracker.evidence import EvidenceUpload
from council.tracker.models import Commitment, CommitmentStatus, ProgressUpdate
from tests.conftest import IsolatedClient, scratch_database_url, sign_in
from tests.factories import PASSWORD, CommitmentFactory, RecommendationFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256)) * 8


def test_a_backup_restores_into_a_fresh_database_with_the_same_records_and_files(
        app, make_app, world, tmp_path):
    uploads = tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = str(uploads)
    try:
        commitment = CommitmentFactory(recommendation=RecommendationFactory(group=world.group),
                                       organisation=world.kz_org, owner=world.member,
                                       status=CommitmentStatus.IN_PROGRESS, progress=20)
        update = tracker_services.report_progress(
            world.member, commitment, progress=40, note="Kiosks ordered",
            files=[EvidenceUpload("order.pdf", io.BytesIO(PDF))])
        db.session.commit()
        evidence_id, commitment_code = update.evidence[0].id, commitment.code
        counts = {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                  for model in (Commitment, ProgressUpdate)}
        result = app.test_cli_runner().invoke(args=["council", "backup", str(tmp_path / "backup")])
        assert result.exit_code == 0, result.output
    finally:
        app.config["UPLOAD_FOLDER"] = str(tmp_path / "unused")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert "uploads.tar.gz" in manifest["files"]
    again = app.test_cli_runner().invoke(args=["council", "backup", str(tmp_path / "backup")])
    assert again.exit_code != 0 and "not empty" in again.output  # never over an earlier backup

    restored = make_app(SQLALCHEMY_DATABASE_URI=scratch_database_url(tmp_path, "restored"),
                        UPLOAD_FOLDER=str(tmp_path / "restored-uploads"))
    with restored.app_context():  # the commands run in the app whose context is current
        result = restored.test_cli_runner().invoke(args=["council", "restore", str(tmp_path / "backup")])
        assert result.exit_code == 0, result.output
        assert {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Commitment, ProgressUpdate)} == counts
        assert db.session.scalar(select(ProgressUpdate.note).join(Commitment).where(
            Commitment.code == commitment_code)) == "Kiosks ordered"
        db.session.remove()
    restored.test_client_class = IsolatedClient
    browser = restored.test_client()
    sign_in(browser, world.member.email, PASSWORD)
    response = browser.get(f"/tracker/evidence/{evidence_id}")
    served = response.data
    response.close()
    assert response.status_code == 200 and served == PDF
    with restored.app_context():
        again = restored.test_cli_runner().invoke(args=["council", "restore", str(tmp_path / "backup")])
        db.session.remove()
    assert again.exit_code != 0 and "not empty" in again.output  # never over live data
