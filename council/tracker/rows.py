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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from flask import current_app
from markupsafe import Markup

from council import generations
from council.generations import EVERY_COUNCIL
from council.i18n import current_language, showing_original
from council.timeutil import council_today
from council.tracker import queries
from council.tracker.models import Commitment, Recommendation

TIMEOUT = 3600  # as the dashboards' blocks: were a generation's move lost, an hour at most
ROWS = "tracker/_rows.html"
PUBLIC_ROWS = "dashboard/public/_rows.html"


def record_part(council_id: int, kind: str, record_id: int) -> str:
    """The generation of one record ("3:commitment:12"), moved by every change of it."""
    return f"{council_id}:{kind}:{record_id}"


def commitment_rows(commitments: Sequence[Commitment], today: date) -> Markup:
    """Jinja: the <tr> of each commitment, from the cache but for those that changed."""
    def write(missing: list[Commitment]) -> dict[int, str]:
        row = _macro("commitment_row")
        return {commitment.id: str(row(commitment, today)) for commitment in missing}

    return _kept_rows("commitment", commitments, today, write)


def recommendation_rows(recommendations: Sequence[Recommendation], today: date) -> Markup:
    """Jinja: the <tr> of each recommendation with its derived progress and its commitments counted
    (overdue, to verify): those counts are read for the rows written again only. A recommendation's
    generation moves with every change of one of its commitments."""
    def write(missing: list[Recommendation]) -> dict[int, str]:
        row = _macro("recommendation_row")
        counts = queries.commitment_counts([recommendation.id for recommendation in missing], today)
        return {recommendation.id: str(row(recommendation, counts.get(recommendation.id)))
                for recommendation in missing}

    return _kept_rows("recommendation", recommendations, today, write)


def public_recommendation_rows(recommendations: Sequence[Recommendation]) -> Markup:
    """Jinja: the portal's row of each public recommendation (its derived progress, its group)."""
    def write(missing: list[Recommendation]) -> dict[int, str]:
        row = _macro("recommendation_row", PUBLIC_ROWS)
        return {recommendation.id: str(row(recommendation)) for recommendation in missing}

    return _kept_rows("public-recommendation", recommendations, council_today(), write,
                      part="recommendation")


def _macro(name: str, template: str = ROWS) -> Any:
    return getattr(current_app.jinja_env.get_template(template).module, name)


def _kept_rows(kind: str, records: Sequence[Any], today: date,
               write: Callable[[list[Any]], dict[int, str]], part: str | None = None) -> Markup:
    """The rows of `records` of `kind`, each kept under its council's generation and its record's
    (`part`: the kind of record, when the rows of two lists show one kind)."""
    if not records:
        return Markup("")
    variant = f"{current_language()}:{today.isoformat()}:{int(showing_original())}"
    by_id = {record.id: record for record in records}
    slots = {record.id: f"tracker-row:{kind}:{record.id}:{variant}" for record in records}
    parts = {record.id: [EVERY_COUNCIL, str(record.council_id),
                         record_part(record.council_id, part or kind, record.id)] for record in records}
    written = generations.kept_many(slots, parts, lambda missing: write([by_id[key] for key in missing]),
                                    timeout=TIMEOUT)
    return Markup("".join(written[record.id] for record in records))  # noqa: S704  (written by Jinja)
