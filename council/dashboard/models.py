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

# Counts per group, organisation and status, with overdue, due soon and progress: in this order the
# GROUP BY needs no sort, and with recommendation_id last the public portal's figures are covered too.
COMMITMENT_FIGURES = Index("ix_commitment_figures", _commitment.council_id, _commitment.group_id,
                           _commitment.organisation_id, _commitment.status, _commitment.due_date,
                           _commitment.progress, _commitment.recommendation_id)
# Completed (verified) commitments per month: a range of verified_at within the verified ones.
COMMITMENT_VERIFIED = Index("ix_commitment_verified", _commitment.council_id, _commitment.status,
                            _commitment.verified_at, _commitment.group_id, _commitment.organisation_id)
# Commitments of one status counted per group ("my work"'s verification queue: the reported-done ones
# per group): a range in the GROUP BY's order. Without it SQLite walks ix_commitment_figures over every
# commitment of the council, since that one is in group order too.
COMMITMENT_STATUS_GROUP = Index("ix_commitment_status_group", _commitment.council_id, _commitment.status,
                                _commitment.group_id)
# A working group's commitments of some statuses and due dates (the group dashboard's "overdue" and
# "due soon" lead to that list): its count and its page as ranges, without walking every organisation.
COMMITMENT_GROUP_STATUS = Index("ix_commitment_group_status_due", _commitment.council_id,
                                _commitment.group_id, _commitment.status, _commitment.due_date)
# Recommendations by group and status, public or not.
RECOMMENDATION_FIGURES = Index("ix_recommendation_figures", _recommendation.council_id,
                               _recommendation.is_public, _recommendation.group_id,
                               _recommendation.status)
# A working group's public recommendations in code order (the portal's page of the group): a range
# read in its order, 25 rows, not a walk through the council's codes up to the group's.
RECOMMENDATION_PUBLIC_ORDER = Index("ix_recommendation_public_order", _recommendation.council_id,
                                    _recommendation.is_public, _recommendation.group_id,
                                    _recommendation.code)
# An initiative's derived progress (the average over its commitments) read from the index alone.
COMMITMENT_INITIATIVE = Index("ix_commitment_initiative_progress", _commitment.initiative_id,
                              _commitment.status, _commitment.progress)
