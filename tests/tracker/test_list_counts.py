"""The commitments list's count (read off the commitment table alone) is the number of rows it lists."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from council.timeutil import council_today
from council.tracker.models import CommitmentStatus
from tests.conftest import page_text
from tests.factories import CommitmentFactory, RecommendationFactory


@pytest.fixture
def listed(world, tracker):
    today = council_today()
    other = RecommendationFactory(group=world.group, code="TRD-2026-009")
    for n in range(7):
        CommitmentFactory(recommendation=other, organisation=world.tm_org if n % 2 else world.kz_org,
                          owner=world.member if n % 3 == 0 else None, due_date=today - timedelta(days=n - 3),
                          status=CommitmentStatus.IN_PROGRESS if n % 2 else CommitmentStatus.PLANNED)


@pytest.mark.parametrize("query", [
    "", "country=TM", "country=KZ&overdue=1", "overdue=1", "group={group}", "owner={member}",
    "status=planned", "q=terminal", "q=trd-2026", "due_within=2", "country=TM&q=c-", "sort=owner",
])
def test_the_count_is_what_the_list_holds(client, auth, world, listed, query):
    auth.login(world.member)
    query = query.format(group=world.group.id, member=world.member.id)
    text = page_text(client.get(f"/tracker/commitments?{query}"))
    shown = re.search(r'<p class="muted">(\d+) commitments?</p>', text)
    assert shown, query
    rows = text.count('<td class="code">')
    assert int(shown.group(1)) == rows, query
