"""Tracker fixtures: a recommendation with commitments on both sides, some late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from council.timeutil import council_today
from council.tracker.models import CommitmentStatus, RecommendationStatus
from tests.factories import CommitmentFactory, RecommendationFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def english(app_context: None) -> Any:
    """Services called directly (outside a request) speak English in these tests, as pages do."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@dataclass
class Tracker:
    recommendation: Any
    proposed: Any
    kz: Any  # the Kazakh commitment, owned by world.member, overdue
    tm: Any  # the Turkmen counterpart, owned by world.tm_member, further along


@pytest.fixture
def tracker(world) -> Tracker:
    today = council_today()
    recommendation = RecommendationFactory(
        group=world.group, code="TRD-2026-001",
        title={"ru": "Электронная очередь на Темирбаба – Гарабогаз",
               "en": "Electronic queue at Temirbaba – Garabogaz"})
    proposed = RecommendationFactory(group=world.group, code="TRD-2026-002",
                                     status=RecommendationStatus.PROPOSED,
                                     title={"ru": "Единые стандарты", "en": "Unified standards"})
    kz = CommitmentFactory(recommendation=recommendation, organisation=world.kz_org, owner=world.member,
                           code="TRD-2026-001-KZ1", status=CommitmentStatus.IN_PROGRESS, progress=20,
                           due_date=today - timedelta(days=5),
                           description={"ru": "Установить терминалы очереди", "en": "Install queue kiosks"})
    tm = CommitmentFactory(recommendation=recommendation, organisation=world.tm_org,
                           owner=world.tm_member, code="TRD-2026-001-TM1", counterpart=kz,
                           status=CommitmentStatus.IN_PROGRESS, progress=80,
                           due_date=today + timedelta(days=20),
                           description={"tk": "Nobat terminallaryny gurnamak", "en": "Queue terminals"},
                           original_language="tk")
    kz.counterpart = tm
    from council.extensions import db

    db.session.commit()
    return Tracker(recommendation, proposed, kz, tm)


@pytest.fixture
def uploads(app, tmp_path) -> Any:
    previous = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = previous


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
