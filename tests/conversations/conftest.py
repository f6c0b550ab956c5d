from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from council.conversations.records import RecordRef, ref_of
from council.extensions import db
from council.tracker.models import CommitmentStatus
from tests.factories import CommitmentFactory, RecommendationFactory


@dataclass
class Scene:
    """A recommendation of the Trade group: a stuck Kazakh commitment and its Turkmen counterpart."""

    recommendation: Any
    kz_commitment: Any
    tm_commitment: Any

    @property
    def kz_ref(self) -> RecordRef:
        return ref_of(self.kz_commitment)

    @property
    def tm_ref(self) -> RecordRef:
        return ref_of(self.tm_commitment)


@pytest.fixture(autouse=True)
def in_english(app_context: Any) -> Any:
    """Services speak the language of the request; outside one, these tests read them in English."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.fixture
def scene(world: Any) -> Scene:
    recommendation = RecommendationFactory(group=world.group, code="TRD-2026-004")
    kz = CommitmentFactory(recommendation=recommendation, organisation=world.kz_org, owner=world.member,
                           code="TRD-2026-004-KZ1", status=CommitmentStatus.BLOCKED, progress=10)
    tm = CommitmentFactory(recommendation=recommendation, organisation=world.tm_org, owner=world.tm_member,
                           code="TRD-2026-004-TM1", status=CommitmentStatus.IN_PROGRESS, progress=60,
                           counterpart=kz)
    kz.counterpart = tm
    db.session.commit()
    return Scene(recommendation, kz, tm)
