"""A list's rows written once per record, reader's language and day, and kept until the record changes.

The commitments list writes 25 rows of links, names in the reader's language, a date and three badges:
a third of the page's time, for rows that are the same for every reader of the council and change only
when their commitment does. Each row is kept in the cache (council/generations.py) under the
generations of its council (any change to the directory, a recommendation or a translation moves it) and
of its own commitment (`record_part`, moved by every change of that commitment:
council/dashboard/cache.py, `changed_parts`). A page writes again only the rows that changed.

What a row may show: the record's own fields and the names the council's generation covers. Nothing of
the reader (their rights, their own marks): a row is served to every reader of the council.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask import current_app
from markupsafe import Markup

from council import generations
from council.generations import EVERY_COUNCIL
from council.i18n import current_language, showing_original
from council.tracker.models import Commitment

TIMEOUT = 3600  # as the dashboards' blocks: were a generation's move lost, an hour at most
ROWS = "tracker/_rows.html"


def record_part(council_id: int, kind: str, record_id: int) -> str:
    """The generation of one record ("3:commitment:12"), moved by every change of it."""
    return f"{council_id}:{kind}:{record_id}"


def commitment_rows(commitments: Sequence[Commitment], today: date) -> Markup:
    """Jinja: the <tr> of each commitment, from the cache but for those that changed."""
    if not commitments:
        return Markup("")
    variant = f"{current_language()}:{today.isoformat()}:{int(showing_original())}"
    by_id = {commitment.id: commitment for commitment in commitments}
    slots = {commitment.id: f"tracker-row:commitment:{commitment.id}:{variant}" for commitment in commitments}
    parts = {commitment.id: [EVERY_COUNCIL, str(commitment.council_id),
                             record_part(commitment.council_id, "commitment", commitment.id)]
             for commitment in commitments}

    def write(missing: list[int]) -> dict[int, str]:
        row = current_app.jinja_env.get_template(ROWS).module.commitment_row  # type: ignore[attr-defined]
        return {record_id: str(row(by_id[record_id], today)) for record_id in missing}

    written = generations.kept_many(slots, parts, write, timeout=TIMEOUT)
    return Markup("".join(written[commitment.id] for commitment in commitments))  # noqa: S704  (Jinja's)
