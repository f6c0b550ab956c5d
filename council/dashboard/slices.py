"""A council's or a working group's commitment figures, kept in the cache one working group at a time.

Every progress report changes the council's figures (its average progress at least), and people report
several times a minute at a busy council, so the council dashboard's figures were computed anew at
nearly every view: one pass over all of the council's commitments. Kept per working group, under the
generations a change of one of its commitments moves (council/dashboard/cache.py, `changed_parts`), a
report recomputes its own group's slice only; the council's figures are the sum of its groups' slices,
and a group's figures are its slice. Each slice holds the group's counts by country and status and its
figures per organisation, so the sums give exactly what the one-pass query of figures.py gives (the
tests compare the two).

A slice's slot is per day: overdue and due soon depend on it. A slice computed from data read before
a commit that changes it carries the generations of before and is never served after it, as the
blocks are. The cache failing only means computing every group's slice, in one statement.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, case, cast, func, literal, null, select, union_all

from council import generations
from council.dashboard.figures import CommitmentFigures, OrganisationRow, Scope, Tally, cells_query
from council.directory.models import Organisation
from council.extensions import db
from council.generations import EVERY_COUNCIL
from council.tracker.models import CommitmentStatus
from council.tracker.queries import average_progress

# One group's figures: by (country, status) the total, progress sum, overdue and due soon; by
# organisation the total, overdue, due soon, done, progress sum and number counted in the average.
Sides = dict[tuple[str, str], tuple[int, int, int, int]]
Organisations = dict[int, tuple[int, int, int, int, int, int]]
Slice = tuple[Sides, Organisations]
TIMEOUT = 3600  # as the blocks: a generation's move lost could not leave a slice stale longer


def applies(scope: Scope) -> bool:
    """Whether the scope's figures are sums of group slices: the council's and a group's, not public."""
    return scope.organisation_id is None and scope.owner_id is None and not scope.public


def commitment_figures(scope: Scope, today: date, group_ids: Iterable[int], *,
                       organisations: int = 0) -> CommitmentFigures:
    """figures.commitment_figures for a scope that `applies`, from the slices of its groups (`group_ids`:
    the council's, or the scope's one group), those not in the cache computed in one statement."""
    groups = [scope.group_id] if scope.group_id is not None else list(group_ids)
    slices = _slices(scope.council_id, groups, today)
    figures = CommitmentFigures()
    for group_id in groups:
        for (country, status), (total, progress, overdue, due_soon) in slices[group_id][0].items():
            values = (status, total, progress, overdue, due_soon)
            figures.total.add(*values)
            figures.by_group.setdefault(group_id, Tally()).add(*values)
            figures.by_country.setdefault(country, Tally()).add(*values)
            figures.by_group_country.setdefault((group_id, country), Tally()).add(*values)
    merged = _organisations_summed([slices[group_id][1] for group_id in groups])
    if organisations:
        figures.organisation_count = len(merged)
    if organisations and merged:
        # The most overdue first, then the most commitments, as the one-pass query orders them.
        top = heapq.nsmallest(organisations, merged.items(),
                              key=lambda item: (-item[1][1], -item[1][0], item[0]))
        named = {organisation.id: organisation for organisation in db.session.scalars(
            select(Organisation).where(Organisation.id.in_([organisation_id for organisation_id, _ in top])))}
        figures.organisations = [
            OrganisationRow(named[organisation_id], total, overdue, due_soon, done,
                            average_progress(progress, counted))
            for organisation_id, (total, overdue, due_soon, done, progress, counted) in top]
    return figures


def _organisations_summed(parts: list[Organisations]) -> Organisations:
    """The groups' figures per organisation added up. A council's dashboard adds up a few hundred
    organisations of each group at every view after a report: written out, not looped over per figure
    (a third of the time)."""
    if len(parts) == 1:
        return parts[0]
    summed: Organisations = {}
    found = summed.get
    for part in parts:
        for organisation_id, (total, overdue, due_soon, done, progress, counted) in part.items():
            sums = found(organisation_id)
            summed[organisation_id] = (total, overdue, due_soon, done, progress, counted) if sums is None \
                else (sums[0] + total, sums[1] + overdue, sums[2] + due_soon, sums[3] + done,
                      sums[4] + progress, sums[5] + counted)
    return summed


def _slot(council_id: int, group_id: int, today: date) -> str:
    return f"dashboard-slice:{council_id}:{group_id}:{today.isoformat()}"


def parts(council_id: int, group_id: int) -> list[str]:
    """The generations a group's slice depends on."""
    return [EVERY_COUNCIL, str(council_id), f"{council_id}:group:{group_id}"]


def _slices(council_id: int, group_ids: list[int], today: date) -> dict[int, Slice]:
    """Each group's slice, from the cache or computed (the missing ones in one statement)."""
    return generations.kept_many(
        {group: _slot(council_id, group, today) for group in group_ids},
        {group: parts(council_id, group) for group in group_ids},
        lambda missing: _compute(council_id, missing, today), timeout=TIMEOUT)


def _compute(council_id: int, group_ids: list[int], today: date) -> dict[int, Slice]:
    """The slices of these groups: one pass over their commitments (figures.cells_query), rolled up by
    country and status and by organisation in the same statement."""
    cells = cells_query(Scope(council_id), today, group_ids)
    counted = cells.c.status != CommitmentStatus.CANCELLED
    no_number = cast(null(), BigInteger)
    by_side = (select(literal("side"), cells.c.group_id, null(), Organisation.country_code, cells.c.status,
                      _sum(cells.c.total), _sum(cells.c.progress_sum), _sum(cells.c.overdue),
                      _sum(cells.c.due_soon), no_number, no_number)
               .join(Organisation, Organisation.id == cells.c.organisation_id)
               .group_by(cells.c.group_id, Organisation.country_code, cells.c.status))
    by_organisation = (select(
        literal("organisation"), cells.c.group_id, cells.c.organisation_id, null(), null(),
        _sum(cells.c.total), _sum(case((counted, cells.c.progress_sum), else_=0)),
        _sum(cells.c.overdue), _sum(cells.c.due_soon),
        _sum(case((cells.c.status == CommitmentStatus.VERIFIED, cells.c.total), else_=0)),
        _sum(case((counted, cells.c.total), else_=0)))
        .group_by(cells.c.group_id, cells.c.organisation_id))
    slices: dict[int, Slice] = {group: ({}, {}) for group in group_ids}
    # All rows at once (a group has a few hundred): read one by one, they cost a third more.
    for kind, group, organisation, country, status, total, progress, overdue, due_soon, done, \
            in_average in db.session.execute(union_all(by_side, by_organisation)).all():
        sides, organisations = slices[group]
        if kind == "side":
            sides[(country, str(status))] = (total, progress, overdue, due_soon)
        else:
            organisations[organisation] = (total, overdue, due_soon, done, progress, in_average)
    return slices


def _sum(value: Any) -> Any:
    """SUM as a whole number: PostgreSQL sums a bigint count into a numeric, which arrives as a Decimal."""
    return cast(func.sum(value), BigInteger)
