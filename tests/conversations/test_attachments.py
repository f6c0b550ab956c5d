"""Files attached to comments, under the evidence rules of progress reports: typed by their content,
limited in size and number; a refused file is a 422 naming the field with nothing saved (no comment, no
file on disk); served only to the record's readers, never on the public portal."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from council.conversations import services
from council.conversations.models import Comment, CommentAttachment
from council.extensions import db
from council.tracker.evidence import EvidenceUpload
from tests.conftest import error_summary, page_text
from tests.factories import UserFactory
from tests.tracker import conftest as evidence_tests
from tests.tracker.conftest import PDF
from tests.tracker.conftest import stored_files as stored

uploads = evidence_tests.uploads  # the evidence tests' upload folder (a fixture), for these files too

PREFIX = "thread-commitment-{id}-"


def _post(client, scene, files, **fields):
    prefix = PREFIX.format(id=scene.kz_commitment.id)
    data = {prefix + key: value for key, value in fields.items()}
    data[prefix + "files"] = files
    return client.post(f"/threads/commitment/{scene.kz_commitment.id}/comments", data=data,
                       content_type="multipart/form-data")


def _status(client, url) -> int:
    with client.get(url) as response:
        return response.status_code


def test_a_file_attached_to_a_comment_is_listed_and_downloads(client, auth, world, scene, uploads):
    auth.login(world.member)
    response = _post(client, scene, [(io.BytesIO(PDF), "akt-temirbaba.pdf")], text="Акт приложен",
                     language="ru")
    assert response.status_code == 302
    attachment = db.session.scalar(select(CommentAttachment))
    assert attachment.filename == "akt-temirbaba.pdf" and attachment.content_type == "application/pdf"
    assert attachment.stored_name.startswith(f"comments/{attachment.comment_id}/")
    page = page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))
    assert f'/comments/attachments/{attachment.id}">akt-temirbaba.pdf</a>' in page
    with client.get(f"/comments/attachments/{attachment.id}") as download:
        assert download.status_code == 200 and download.data == PDF
        assert "attachment" in download.headers["Content-Disposition"]
        assert download.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(("files", "message"), [
    ([(io.BytesIO(b"#!/bin/sh\nrm -rf /"), "akt.pdf")],
     "akt.pdf is not a PDF, PNG, JPEG, DOCX, XLSX or ODT file."),
    ([(io.BytesIO(PDF), "good.pdf"), (io.BytesIO(b""), "empty.pdf")], "empty.pdf is empty."),
    ([(io.BytesIO(PDF), f"{n}.pdf") for n in range(6)],
     "Attach at most 5 files to a comment (6 were chosen)."),
])
def test_a_refused_file_is_a_422_naming_the_field_and_nothing_is_saved(client, auth, world, scene, uploads,
                                                                        files, message):
    auth.login(world.member)
    response = _post(client, scene, files, text="Акт приложен", language="ru")
    assert response.status_code == 422
    assert (PREFIX.format(id=scene.kz_commitment.id) + "files", message) in error_summary(response)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
    assert db.session.scalar(select(func.count()).select_from(CommentAttachment)) == 0
    assert stored(uploads) == []


def test_a_file_over_the_size_limit_is_refused_by_name(app, world, scene, uploads):
    from council.errors import ValidationFailed

    app.config["EVIDENCE_MAX_BYTES"] = 1024 * 1024
    try:
        with pytest.raises(ValidationFailed) as refused:
            services.add_comment(world.member, scene.kz_ref, text="Big", language="en", files=[
                EvidenceUpload("small.pdf", io.BytesIO(PDF)),
                EvidenceUpload("big.pdf", io.BytesIO(PDF + b"0" * 1024 * 1024))])
    finally:
        app.config.pop("EVIDENCE_MAX_BYTES")
    db.session.rollback()
    assert refused.value.field == "files" and str(refused.value) == "big.pdf is larger than 1 MB."
    assert stored(uploads) == []  # the small one, written first, is gone too
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_attachments_are_for_the_records_readers_only(client, auth, world, scene, uploads):
    comment = services.add_comment(world.member, scene.kz_ref, text="Акт", language="ru",
                                   files=[EvidenceUpload("akt.pdf", io.BytesIO(PDF))])
    db.session.commit()
    url = f"/comments/attachments/{comment.attachments[0].id}"
    assert _status(client, url) == 302  # to the sign-in page: never public
    auth.login(UserFactory())  # of another council
    assert _status(client, url) == 404
    auth.logout()
    auth.login(world.observer)  # observers read the record, so its thread's files
    assert _status(client, url) == 200
    auth.logout()
    # Withdrawn, the comment's files go with its text.
    services.withdraw_comment(world.member, comment)
    db.session.commit()
    auth.login(world.member)
    assert _status(client, url) == 404
    assert "akt.pdf" not in page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))


def test_attachments_never_appear_on_the_public_portal(client, world, scene, uploads):
    scene.recommendation.is_public = True
    services.add_comment(world.member, services.ref_of(scene.recommendation), text="Публично?",
                         language="ru", files=[EvidenceUpload("secret-akt.pdf", io.BytesIO(PDF))])
    db.session.commit()
    response = client.get(f"/public/{world.council.slug}/recommendations/{scene.recommendation.id}")
    assert response.status_code == 200
    text = page_text(response)
    assert "secret-akt.pdf" not in text and "/comments/attachments/" not in text
    assert "Публично?" not in text
