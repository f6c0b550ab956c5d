"""Who may do what in the tracker. Registered with @rule, asked through can() and require().

Secretaries may do everything in their council; co-chairs within their working group; members report
on their organisation's commitments; observers read.
"""

from __future__ import annotations

from typing import Any

from council.auth.permissions import in_council, is_co_chair, is_secretary, rule
from council.directory.models import PlatformRole, User, WorkingGroup


def _group_of(target: Any) -> tuple[int | None, int | None]:
    """(council id, group id) of a working group, a recommendation, a commitment or an indicator."""
    if isinstance(target, WorkingGroup):
        return target.council_id, target.id
    return target.council_id, getattr(target, "group_id", None)


def _leads(user: User, target: Any) -> bool:
    """A secretary of the council, or a co-chair of the record's working group."""
    council_id, group_id = _group_of(target)
    return is_secretary(user, council_id) or (in_council(user, council_id)
                                              and is_co_chair(user, group_id))


@rule("tracker.view")
def _view(user: User, council_id: Any) -> bool:
    return council_id is None or in_council(user, council_id)


@rule("recommendation.manage")
def _manage_recommendation(user: User, group_or_recommendation: Any) -> bool:
    return _leads(user, group_or_recommendation)


@rule("commitment.manage")
def _manage_commitment(user: User, recommendation_or_commitment: Any) -> bool:
    return _leads(user, recommendation_or_commitment)


@rule("commitment.report")
def _report(user: User, commitment: Any) -> bool:
    if _leads(user, commitment):
        return True
    if not in_council(user, commitment.council_id) or user.role == PlatformRole.OBSERVER:
        return False
    return commitment.owner_id == user.id or (
        user.organisation_id is not None and user.organisation_id == commitment.organisation_id)


@rule("commitment.verify")
def _verify(user: User, commitment: Any) -> bool:
    return _leads(user, commitment)


@rule("tracker.import")
def _import(user: User, council_id: Any) -> bool:
    return is_secretary(user, council_id)


@rule("initiative.manage")
def _manage_initiative(user: User, council_id: Any) -> bool:
    return is_secretary(user, council_id)


@rule("indicator.manage")
def _manage_indicator(user: User, council_id: Any) -> bool:
    return is_secretary(user, council_id)


@rule("indicator.observe")
def _observe(user: User, indicator: Any) -> bool:
    """Record an observation: secretaries, and the co-chairs of the indicator's group."""
    return _leads(user, indicator)
