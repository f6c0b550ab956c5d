"""Four eyes on verification: whoever reported a commitment done never verifies or sends back that report,
and a co-chair verifies only the commitments of their own side's organisations (pages and API alike)."""

from __future__ import annotations

from typing import Any

import pytest

from council.auth.permissions import can
from council.errors import NotAllowed
from council.extensions import db
from council.tracker import services
from council.tracker.models import CommitmentStatus as CS
from tests.api.conftest import bearer
from tests.conftest import page_text


def token_for(person: Any) -> str:
    """A read-write personal access token of the person (committed): its secret."""
    from council.api import services as api_services

    _token, secret = api_services.create_token(person, name=f"system {person.id}", scope="read-write")
    db.session.commit()
    return secret


def report_done(person: Any, commitment: Any) -> None:
    services.report_progress(person, commitment, progress=100, status=CS.REPORTED_DONE, note="Done")
    db.session.commit()


def test_a_co_chair_who_reported_his_own_commitment_done_cannot_verify_it(client, auth, world, tracker):
    report_done(world.kz_chair, tracker.kz)
    auth.login(world.kz_chair)
    page = page_text(client.get(f"/tracker/commitments/{tracker.kz.id}"))
    assert "/verify" not in page  # no button to press
    for action in ("verify", "send-back"):
        response = client.post(f"/tracker/commitments/{tracker.kz.id}/{action}", data={"comment": "ok"})
        assert response.status_code == 403, action
        assert "not the person who reported it" in page_text(response)
    db.session.refresh(tracker.kz)
    assert tracker.kz.status == CS.REPORTED_DONE and tracker.kz.verified_by_id is None


def test_a_co_chair_cannot_verify_the_other_sides_commitment(client, auth, world, tracker):
    report_done(world.tm_member, tracker.tm)
    auth.login(world.kz_chair)
    assert "/verify" not in page_text(client.get(f"/tracker/commitments/{tracker.tm.id}"))
    response = client.post(f"/tracker/commitments/{tracker.tm.id}/verify")
    assert response.status_code == 403
    assert "co-chair of the" in (refused := page_text(response)) and "(Turkmenistan) can verify" in refused
    assert client.post(f"/tracker/commitments/{tracker.tm.id}/send-back",
                       data={"comment": "Redo"}).status_code == 403
    db.session.refresh(tracker.tm)
    assert tracker.tm.status == CS.REPORTED_DONE
    auth.logout()
    auth.login(world.tm_chair)  # the Turkmen co-chair verifies the Turkmen commitment
    assert client.post(f"/tracker/commitments/{tracker.tm.id}/verify").status_code == 302
    db.session.refresh(tracker.tm)
    assert tracker.tm.status == CS.VERIFIED and tracker.tm.verified_by_id == world.tm_chair.id


@pytest.mark.parametrize("reporter", ["secretary", "admin"])
def test_the_secretariat_verifies_anyone_elses_report_but_not_its_own(world, tracker, reporter):
    person = getattr(world, reporter)
    report_done(person, tracker.tm)
    with pytest.raises(NotAllowed):
        services.verify_commitment(person, tracker.tm)
    with pytest.raises(NotAllowed):
        services.send_back(person, tracker.tm, "Redo")
    db.session.rollback()
    other = world.admin if reporter == "secretary" else world.secretary
    services.verify_commitment(other, tracker.tm)
    db.session.commit()
    assert tracker.tm.status == CS.VERIFIED


def test_a_report_sent_back_and_reported_again_by_someone_else_is_theirs(world, tracker):
    report_done(world.member, tracker.kz)
    services.send_back(world.kz_chair, tracker.kz, "Attach the act")
    db.session.commit()
    report_done(world.kz_chair, tracker.kz)  # the co-chair now reports it himself
    assert not can(world.kz_chair, "commitment.verify", tracker.kz)
    assert can(world.secretary, "commitment.verify", tracker.kz)


def test_the_api_keeps_the_same_four_eyes(client, world, tracker):
    chair, tm_chair = bearer(token_for(world.kz_chair)), bearer(token_for(world.tm_chair))
    kz_path = f"/api/v1/commitments/{tracker.kz.id}/status"
    assert client.post(kz_path, json={"status": "reported_done"}, headers=chair).status_code == 200
    for move in ({"status": "verified"}, {"status": "in_progress", "reason": "again"}):
        refused = client.post(kz_path, json=move, headers=chair)
        assert refused.status_code == 403, move
        assert "not the person who reported it" in refused.json["error"]["message"]
    other_side = client.post(kz_path, json={"status": "verified"}, headers=tm_chair)
    assert other_side.status_code == 403
    db.session.refresh(tracker.kz)
    assert tracker.kz.status == CS.REPORTED_DONE
    secretary = bearer(token_for(world.secretary))
    assert client.post(kz_path, json={"status": "verified"}, headers=secretary).status_code == 200
