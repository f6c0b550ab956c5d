"""Whether the navigation shows a person the "to translate" link, kept in the cache.

Every page asks, since the navigation is on every page, and the answer is one EXISTS over the texts of
every kind the person may translate: a statement of about 18 KB, which cost a page more than the rest of
its layout (psycopg does not keep the conversion of a statement that long, and PostgreSQL parses it
anew). The answer changes only when a text is added, changed, translated or removed, or when who may
edit what changes; so it is kept per person under the council's "texts" generation
(council/generations.py), which every event moves on when it commits except signing in and the
commitment events that touch no text and no one's rights (progress, status, verification, due date).
"""

from __future__ import annotations

from collections.abc import Callable

from council import events, generations
from council.directory.models import User
from council.generations import EVERY_COUNCIL
from council.tracker.models import TrackerEvent

# Events that add or change no text and change no one's right to translate one.
_TEXTLESS = frozenset(str(kind) for kind in (
    TrackerEvent.COMMITMENT_PROGRESS_REPORTED, TrackerEvent.COMMITMENT_STATUS_CHANGED,
    TrackerEvent.COMMITMENT_SENT_BACK, TrackerEvent.COMMITMENT_VERIFIED, TrackerEvent.COMMITMENT_DUE_CHANGED))
PART = "texts"  # the council's part (council/generations.py) that moves this cache on
# Were a generation's move lost (Redis briefly unreachable), a wrong link for ten minutes at most.
TIMEOUT = 600


def remembered(user: User, compute: Callable[[], bool]) -> bool:
    """`compute()`'s answer for this person, from the cache while the council's texts are unchanged."""
    parts = [EVERY_COUNCIL, generations.council_part(user.council_id, PART)]
    return generations.kept(f"translation-work:{user.id}:{user.role}", parts, compute, timeout=TIMEOUT)


@events.listen
def _changed(event: events.Event) -> None:
    if event.kind in _TEXTLESS or event.kind.startswith("auth."):
        return
    generations.mark_council_stale(event.council_id, PART)
