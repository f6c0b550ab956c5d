"""A list's rows written once per record, reader's language and day, and kept until the record changes.

The commitments list writes 25 rows of links, names in the reader's language, a date and three badges:
a third of the page's time, for rows that are the same for every reader of the council and change only
when their commitment does. Each row is kept in the cache (council/generations.py) under the
generations of its council (any change to the directory, a recommendation or a translation moves it) and
of its own record (`record_part`: a commitment's, moved by every change of it; a recommendation's, by
every change of one of its commitments, council/dashboard/cache.py, `changed_parts`). A page writes
again only the rows that changed.

What a row may show: the record's own fields and the names the council's generation covers. Nothing of
the reader (their rights, their own marks): a row is served to every reader of the council.

A narrowed list's total (`kept_total`: "124 commitments" of a group's overdue ones, a search's) is kept
the same way, per filters and day, under the council's generation and `lists_part`: counting a filter
through the commitments costs more than the rest of the page. No filter looks at a commitment's
progress, so `lists_part` moves with every event of a commitment but a progress report alone (one that
changes the status records that change too), the most common change of a busy council; every other
event of the council moves the council's own part.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from flask import current_app
from markupsafe import Markup

from council import events, generations
from council.generations import EVERY_COUNCIL
from council.i18n import current_language, showing_original
from council.timeutil import council_today
from council.tracker import queries
from council.tracker.models import Commitment, Recommendation, TrackerEvent
from council.web import PageRecords

TIMEOUT = 3600  # as the dashboards' blocks: were a generation's move lost, an hour at most
ROWS = "tracker/_rows.html"
PUBLIC_ROWS = "dashboard/public/_rows.html"


def record_part(council_id: int, kind: str, record_id: int) -> str:
    """The generation of one record ("3:commitment:12"), moved by every change of it."""
    return f"{council_id}:{kind}:{record_id}"


def every_commitment_part(council_id: int) -> str:
    """The council's part moved by every change of one of its commitments (council/dashboard/cache.py)."""
    return f"{council_id}:council"


def kept_total(kind: str, council_id: int, filters: Mapping[str, Any], today: date,
               count: Callable[[], int]) -> int:
    """`count()` of the council's list of `kind` narrowed by `filters` (its query-string arguments, the
    order aside) on `today`, kept until anything of the council changes."""
    narrowed = hashlib.sha256(repr(sorted(filters.items())).encode()).hexdigest()[:32]
    slot = f"list-total:{kind}:{council_id}:{today.isoformat()}:{narrowed}"
    parts = [EVERY_COUNCIL, str(council_id), lists_part(council_id)]
    return generations.kept(slot, parts, count, timeout=TIMEOUT)


def lists_part(council_id: int) -> str:
    """The generation of which commitments the council's lists hold (and so of their totals)."""
    return f"{council_id}:lists"


@events.listen
def _lists_changed(event: events.Event) -> None:
    if event.subject_type == "commitment" and event.council_id is not None \
            and event.kind != TrackerEvent.COMMITMENT_PROGRESS_REPORTED:
        generations.mark_stale([lists_part(event.council_id)])


def commitment_rows(council_id: int, commitments: PageRecords, today: date) -> Markup:
    """Jinja: the <tr> of each commitment of the council, from the cache but for those that changed."""
    def write(missing: list[Commitment]) -> dict[int, str]:
        row = _macro("commitment_row")
        return {commitment.id: str(row(commitment, today)) for commitment in missing}

    return _kept_rows("commitment", council_id, commitments, today, write)


def recommendation_rows(council_id: int, recommendations: PageRecords, today: date) -> Markup:
    """Jinja: the <tr> of each recommendation with its derived progress and its commitments counted
    (overdue, to verify): those counts are read for the rows written again only. A recommendation's
    generation moves with every change of one of its commitments."""
    def write(missing: list[Recommendation]) -> dict[int, str]:
        row = _macro("recommendation_row")
        counts = queries.commitment_counts([recommendation.id for recommendation in missing], today)
        return {recommendation.id: str(row(recommendation, counts.get(recommendation.id)))
                for recommendation in missing}

    return _kept_rows("recommendation", council_id, recommendations, today, write)


def public_recommendation_rows(council_id: int, recommendations: PageRecords) -> Markup:
    """Jinja: the portal's row of each public recommendation (its derived progress, its group)."""
    def write(missing: list[Recommendation]) -> dict[int, str]:
        row = _macro("recommendation_row", PUBLIC_ROWS)
        return {recommendation.id: str(row(recommendation)) for recommendation in missing}

    return _kept_rows("public-recommendation", council_id, recommendations, council_today(), write,
                      part="recommendation")


def _macro(name: str, template: str = ROWS) -> Any:
    return getattr(current_app.jinja_env.get_template(template).module, name)


def _kept_rows(kind: str, council_id: int, page: PageRecords, today: date,
               write: Callable[[list[Any]], dict[int, str]], part: str | None = None) -> Markup:
    """The rows of the council's records of `kind` on `page`, each kept under its council's generation
    and its record's (`part`: the kind of record, when the rows of two lists show one kind). Only the
    records whose rows are written again are read."""
    ids = page.ids
    if not ids:
        return Markup("")

    def build(missing: list[int]) -> dict[int, str]:
        found = page.load(missing)
        return write([found[record_id] for record_id in missing if record_id in found])

    variant = f"{current_language()}:{today.isoformat()}:{int(showing_original())}"
    slots = {record_id: f"tracker-row:{kind}:{record_id}:{variant}" for record_id in ids}
    own = part or kind
    record_parts = {record_id: [EVERY_COUNCIL, str(council_id), record_part(council_id, own, record_id)]
                    for record_id in ids}
    written = generations.kept_many(slots, record_parts, build, timeout=TIMEOUT)
    # A record removed (or changed out of the list's filters) since its id was read has no row.
    return Markup("".join(written.get(record_id, "") for record_id in ids))  # noqa: S704  (written by Jinja)
