"""The indexes the dashboards' aggregates read, declared on the tracker's tables.

The dashboards own no tables: every figure is a GROUP BY over the tracker's records. These composite
indexes hold every column those queries touch, so SQLite and PostgreSQL answer them from the index
alone (an index-only scan) instead of reading each row of a large table.
"""

from __future__ import annotations

from sqlalchemy import Index

from council.tracker.models import Commitment, Recommendation

_commitment = Commitment.__table__.c
_recommendation = Recommendation.__table__.c

# Counts by group, country (through the organisation), status, overdue and due soon, with progress.
COMMITMENT_FIGURES = Index("ix_commitment_figures", _commitment.council_id, _commitment.group_id,
                           _commitment.status, _commitment.due_date, _commitment.organisation_id,
                           _commitment.progress)
# Completed commitments per month.
COMMITMENT_VERIFIED = Index("ix_commitment_verified", _commitment.council_id, _commitment.verified_at,
                            _commitment.group_id, _commitment.organisation_id)
# Recommendations by group and status, public or not.
RECOMMENDATION_FIGURES = Index("ix_recommendation_figures", _recommendation.council_id,
                               _recommendation.is_public, _recommendation.group_id,
                               _recommendation.status)
