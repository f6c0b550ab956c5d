"""The reminder scan reads who hears about a batch of commitments once per batch, not per commitment."""

from __future__ import annotations

from datetime import timedelta

from council.notifications.commitments import commitment_reminders
from council.timeutil import council_today, utcnow
from tests.dashboard.test_query_counts import counted
from tests.factories import CommitmentFactory, RecommendationFactory


def overdue(world, count: int) -> None:
    recommendation = RecommendationFactory(group=world.group)
    for n in range(count):  # owned, and unowned (the organisation hears), long overdue (co-chairs too)
        CommitmentFactory(recommendation=recommendation, organisation=world.kz_org,
                          owner=world.member if n % 2 else None,
                          due_date=council_today() - timedelta(days=20 + n))


def test_the_reminder_scan_costs_the_same_queries_for_3_commitments_as_for_30(world):
    overdue(world, 3)
    with counted() as few:
        first = list(commitment_reminders(utcnow()))
    overdue(world, 27)
    with counted() as many:
        second = list(commitment_reminders(utcnow()))
    assert len(second) > len(first) >= 6  # overdue and escalation for each
    assert len(many) == len(few)
    escalations = [r for r in second if r.kind.endswith("escalation")]
    assert escalations and all(world.kz_chair.id in r.recipient_ids for r in escalations)
