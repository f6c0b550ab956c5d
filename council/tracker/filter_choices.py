"""The choices of the tracker lists' filter bar: working groups, organisations under their country, and
the people who own commitments.

They are the same for every reader of a council in one language and change seldom, yet a council's 200
organisations and hundreds of owners cost a list page a good part of its time (finding the owners alone
asks each person whether they own a commitment). So they are kept in the cache per (council, language)
under the generation of the council's "filters" part (council/generations.py), which every event that
could change them moves on when it commits: anything in the directory or a working group, a new
commitment or a commitment's new owner. Progress, statuses and texts of the tracker's records do not
move it, nor does signing in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from council import events, generations
from council.directory.models import WorkingGroup
from council.directory.services import council_organisations, organisation_groups
from council.generations import EVERY_COUNCIL
from council.i18n import current_language, localize
from council.tracker import queries
from council.tracker.models import TrackerEvent

# Tracker events that change none of the choices: all but a new commitment and a new owner.
_UNCHANGED = frozenset(str(kind) for kind in TrackerEvent) - {
    str(TrackerEvent.COMMITMENT_CREATED), str(TrackerEvent.COMMITMENT_OWNER_CHANGED)}
PART = "filters"  # the council's part (council/generations.py) that moves this cache on
TIMEOUT = 3600  # were a generation's move lost (Redis briefly unreachable), an hour at most


def filter_choices(council_id: int, groups: Callable[[], Sequence[WorkingGroup]]) -> dict[str, Any]:
    """`group_options` (of the council's `groups()`, read when the options are written anew) and
    `owners` as (value, label) pairs, `organisations` as such pairs under their country's heading
    (`organisation_groups`), in the reader's language."""
    language = current_language()
    parts = [EVERY_COUNCIL, generations.council_part(council_id, PART)]
    choices = generations.kept(f"tracker-filters:{council_id}:{language}", parts,
                               lambda: _build(council_id, groups(), language), timeout=TIMEOUT)
    return dict(choices)


def _build(council_id: int, groups: Sequence[WorkingGroup], language: str) -> dict[str, Any]:
    return dict(
        group_options=[(group.id, f"{group.code} · {_named(group, language)}") for group in groups],
        organisations=organisation_groups(council_organisations(council_id)),
        owners=queries.owners_with_commitments(council_id))


def _named(group: WorkingGroup, language: str) -> str:
    return localize(group.name, group.original_language, language).text


@events.listen
def _changed(event: events.Event) -> None:
    if event.kind in _UNCHANGED or event.kind.startswith("auth."):
        return
    generations.mark_council_stale(event.council_id, PART)
