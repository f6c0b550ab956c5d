"""The dashboard's figures as rows for a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from council.dashboard.services import Dashboard
from council.i18n import marked_localized
from council.tracker.models import (
    CommitmentStatus,
    RecommendationStatus,
)
from council.tracker.units import unit_label


def figure_rows(board: Dashboard) -> Iterator[tuple[str, str, str, Any]]:
    """The dashboard's figures as (block, row, measure, value) rows, in the reader's language."""
    total = board.commitments.total
    sides = [country.code for country in board.countries]
    block = _("Commitments")
    yield block, _("All"), _("Commitments"), total.total
    yield block, _("All"), _("Average progress"), _blank(total.progress)
    yield block, _("All"), _("Overdue"), total.overdue
    yield block, _("All"), ngettext("Due within %(num)d day", "Due within %(num)d days",
                                    board.due_soon_days), total.due_soon
    for status in CommitmentStatus:
        yield _("Commitments by status"), status.label, _("Commitments"), total.count(status)
    for recommendation_status in RecommendationStatus:
        yield _("Recommendations by status"), recommendation_status.label, _("Recommendations"), \
            board.recommendations.total.get(recommendation_status, 0)
    for group in board.groups_with_figures:
        name = marked_localized(group.name, group.original_language)
        tally = board.commitments.group(group.id)
        yield _("Working groups"), name, _("Recommendations"), board.recommendations.group_count(group.id)
        yield _("Working groups"), name, _("Commitments"), tally.total
        yield _("Working groups"), name, _("Average progress"), _blank(tally.progress)
        yield _("Working groups"), name, _("Overdue"), tally.overdue
        for country in sides:
            side = board.commitments.side(group.id, country)
            yield _("Working groups"), name, _("%(country)s: progress", country=country), \
                _blank(side.progress)
            yield _("Working groups"), name, _("%(country)s: overdue", country=country), side.overdue
    for country in sides:
        tally = board.commitments.country(country)
        yield _("Countries"), country, _("Commitments"), tally.total
        yield _("Countries"), country, _("Average progress"), _blank(tally.progress)
        yield _("Countries"), country, _("Overdue"), tally.overdue
    for row in board.commitments.organisations:
        name = marked_localized(row.organisation.name, row.organisation.original_language)
        yield _("Organisations"), name, _("Commitments"), row.total
        yield _("Organisations"), name, _("Average progress"), _blank(row.progress)
        yield _("Organisations"), name, _("Overdue"), row.overdue
    for month in board.completed:
        yield _("Completed commitments per month"), month.month.strftime("%Y-%m"), _("Verified"), month.count
    for initiative in board.initiatives:
        yield _("Initiatives"), marked_localized(initiative.name, initiative.original_language), \
            _("Average progress"), _blank(initiative.progress)
    for indicator in board.indicators:
        unit = unit_label(indicator.unit)
        name = f"{marked_localized(indicator.name, indicator.original_language)} ({unit})"
        yield _("Indicators"), name, _("Baseline"), _blank(indicator.baseline_value)
        yield _("Indicators"), name, _("Target"), _blank(indicator.target_value)
        for observation in reversed(indicator.observations):
            yield _("Indicators"), name, observation.observed_on.isoformat(), \
                _blank(observation.value)


def _blank(value: Any) -> Any:
    """An empty cell for "no figure"; decimals without trailing zeros (438.2, not 438.2000)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value
