"""A council with records whose dashboard figures are known in advance (see `tracked`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from council.timeutil import council_today, utcnow
from council.tracker.models import CommitmentStatus as CS
from council.tracker.models import RecommendationStatus
from tests.factories import (
    CommitmentFactory,
    IndicatorFactory,
    RecommendationFactory,
    WorkingGroupFactory,
)


@dataclass
class Tracked:
    """Two groups, four recommendations (two public), six commitments, two indicators (one public).

    | commitment | recommendation      | side | status        | progress | due         |
    | C1         | R1 trade, public    | KZ   | in progress   | 40       | today + 5   |
    | C2         | R1 trade, public    | TM   | planned       | 0        | today - 3   |
    | C3         | R2 trade, private   | KZ   | verified      | 100      | today - 20  |
    | C4         | R2 trade, private   | TM   | reported done | 100      | today + 30  |
    | C5         | R2 trade, private   | KZ   | cancelled     | 10       | today - 10  |
    | C6         | R4 ecology, private | TM   | blocked       | 20       | today - 1   |
    """

    world: Any
    ecology: Any
    recommendations: dict[str, Any]
    commitments: dict[str, Any]
    public_indicator: Any
    private_indicator: Any


@pytest.fixture
def tracked(world) -> Tracked:
    today = council_today()
    ecology = WorkingGroupFactory(council=world.council, slug="ecology", code="ECO",
                                  name={"ru": "Экология", "en": "Ecology"})
    recommendations = {
        "R1": RecommendationFactory(group=world.group, code="TRD-2026-001", is_public=True,
                                    title={"en": "Electronic queues at Temirbaba"}),
        "R2": RecommendationFactory(group=world.group, code="TRD-2026-002", is_public=False,
                                    title={"en": "Confidential tariff talks"}),
        "R3": RecommendationFactory(group=ecology, code="ECO-2026-001", is_public=True,
                                    status=RecommendationStatus.PROPOSED,
                                    title={"en": "Joint water monitoring"}),
        "R4": RecommendationFactory(group=ecology, code="ECO-2026-002", is_public=False,
                                    status=RecommendationStatus.IMPLEMENTED,
                                    title={"en": "Secret landfill survey"}),
    }

    def commitment(code: str, rec: str, organisation: Any, status: CS, progress: int, due: int,
                   **extra: Any) -> Any:
        return CommitmentFactory(code=code, recommendation=recommendations[rec], organisation=organisation,
                                 status=status, progress=progress, due_date=today + timedelta(days=due),
                                 description={"en": f"Description of {code}"}, **extra)

    commitments = {
        "C1": commitment("C1", "R1", world.kz_org, CS.IN_PROGRESS, 40, 5, owner=world.member),
        "C2": commitment("C2", "R1", world.tm_org, CS.PLANNED, 0, -3, owner=world.tm_member),
        "C3": commitment("C3", "R2", world.kz_org, CS.VERIFIED, 100, -20, verified_at=utcnow()),
        "C4": commitment("C4", "R2", world.tm_org, CS.REPORTED_DONE, 100, 30),
        "C5": commitment("C5", "R2", world.kz_org, CS.CANCELLED, 10, -10, owner=world.member),
        "C6": commitment("C6", "R4", world.tm_org, CS.BLOCKED, 20, -1),
    }
    public_indicator = IndicatorFactory(council=world.council, code="TRADE-TURNOVER", is_public=True,
                                        name={"en": "Bilateral trade turnover"}, baseline_value=438.2,
                                        target_value=600)
    private_indicator = IndicatorFactory(council=world.council, code="CROSSING-TIME", is_public=False,
                                         name={"en": "Internal crossing time"}, unit="hours")
    return Tracked(world, ecology, recommendations, commitments, public_indicator, private_indicator)


def number_links(html: str) -> set[tuple[str, frozenset[tuple[str, str]], str]]:
    """Every link of a page as (path, query arguments, text): to check that a number opens its list."""
    from html.parser import HTMLParser
    from urllib.parse import parse_qsl, urlsplit

    found: set[tuple[str, frozenset[tuple[str, str]], str]] = set()

    class Links(HTMLParser):
        href: str | None = None
        text = ""

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "a":
                self.href, self.text = dict(attrs).get("href"), ""

        def handle_data(self, data: str) -> None:
            if self.href is not None:
                self.text += data

        def handle_endtag(self, tag: str) -> None:
            if tag == "a" and self.href is not None:
                parts = urlsplit(self.href)
                found.add((parts.path, frozenset(parse_qsl(parts.query)),
                           " ".join(self.text.replace("\xa0", " ").split())))
                self.href = None

    Links().feed(html)
    return found


def link(path: str, text: str, **args: object) -> tuple[str, frozenset[tuple[str, str]], str]:
    return path, frozenset((key, str(value)) for key, value in args.items()), text


@pytest.fixture
def meetings(world):
    """Meetings at the stages the tests need (the meetings tests' builder)."""
    from tests.meetings.conftest import Meetings

    return Meetings(world)


def approved(meetings, **overrides):
    """A meeting whose minutes both co-chairs approved."""
    from council.extensions import db
    from council.meetings import minutes

    meeting = meetings.published_minutes(**overrides)
    minutes.approve_minutes(meetings.world.kz_chair, meeting)
    minutes.approve_minutes(meetings.world.tm_chair, meeting)
    db.session.commit()
    return meeting
