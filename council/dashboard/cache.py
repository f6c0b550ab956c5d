"""The dashboards' figure blocks, rendered once per (council, scope, language, day) and kept in the cache.

The cache is Flask-Caching's (council.extensions.cache): Redis when the app has one, so every web process
shares it, else each process's memory (the embedded default). A block has one slot in the cache per
everything its HTML depends on besides the data: the whole scope (group, organisation, owner, public or
not), the reader's language, the council's day and what the block shows differently to different readers
(`variant`, e.g. whether they may publish indicators). Nothing personal is in a block: the CSRF token of a
form inside one is written as a mark and put in for each reader when the block is served.

Invalidation, by generations (council/generations.py): a slot holds its block with the generation of
every part of the council its HTML depends on, read before rendering it, and a domain event
(council/events.py; every change of a commitment, a recommendation, an indicator, a meeting or the
directory records one) moves on, when its transaction commits, the generations of what it changes, so the
next page renders those blocks anew in their slots. A change of one commitment (a progress report, a
status, its owner or due date) moves only the scopes that commitment is in: the council's own figures,
its working group's, its organisation's, its owner's, the portal's (the council's public figures), and
the initiatives' blocks if it counts towards an initiative; the working-group cards and the indicators
stay. Any other event of a council moves the whole council on, an event without a council every
council, and the events that change no figure (signing in, notification choices) nothing. A block
rendered from data read before the commit carries the old generations and is never served after it.

What a block shows (`shown`): the figures block's slot also holds a digest of every value it shows, as
shown (averages rounded). A progress report moves the scope's generations on, yet most reports move no
number a council's dashboard shows (one report among thousands of commitments rarely changes a rounded
average): the figures are then read again (cheaply, council/dashboard/slices.py) and, the digest and the
council's own generations being the same, the block in the slot is served again.

The cache failing (Redis down) only means rendering every time (a Redis that
does not answer at all costs a page up to a second per block: the client's timeouts).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from council import events, generations
from council.dashboard.figures import Scope
from council.extensions import cache, db
from council.generations import EVERY_COUNCIL, safely
from council.tracker.models import Commitment, CommitmentStatus, TrackerEvent
from council.tracker.rows import every_commitment_part, record_part

# Written in a cached block where a form's CSRF token goes; replaced by the reader's token when served.
CSRF_MARK = "\x00csrf-token\x00"
# A change of one commitment changes the figures of the scopes it is in, nothing else.
COMMITMENT_CHANGES = frozenset({
    TrackerEvent.COMMITMENT_CREATED, TrackerEvent.COMMITMENT_STATUS_CHANGED,
    TrackerEvent.COMMITMENT_PROGRESS_REPORTED, TrackerEvent.COMMITMENT_SENT_BACK,
    TrackerEvent.COMMITMENT_VERIFIED, TrackerEvent.COMMITMENT_OWNER_CHANGED,
    TrackerEvent.COMMITMENT_DUE_CHANGED})
# Events that change no figure a dashboard shows: who signed in, how people hear of things.
UNSEEN = frozenset({
    "auth.signed_in", "auth.sign_in_failed", "auth.signed_out_everywhere", "auth.second_factor_enabled",
    "auth.second_factor_disabled", "auth.recovery_codes_renewed", "auth.recovery_code_used",
    "person.password_set", "person.password_reset_requested", "person.second_factor_reset",
    "person.notifications_changed", "person.unsubscribed", "notification.retried",
    "notification.retried_all"})
INITIATIVES = "initiatives"
# Commitments verified month by month (the trend): moved when a commitment becomes verified or stops being
# so, never by a progress report alone, which is most of what a busy council writes
# (services.Dashboard.completed).
COMPLETED = "completed"
KEEPS_COMPLETED = frozenset({TrackerEvent.COMMITMENT_PROGRESS_REPORTED, TrackerEvent.COMMITMENT_DUE_CHANGED})
# Events that move a commitment from one status to another (the payload says which, "from" and "to"): the
# trend moves only when one of them is "verified", the verification queue when one is "reported done". A
# first report on a planned commitment, which puts it in progress, moves neither.
STATUS_MOVES = frozenset({TrackerEvent.COMMITMENT_STATUS_CHANGED, TrackerEvent.COMMITMENT_VERIFIED,
                          TrackerEvent.COMMITMENT_SENT_BACK})
# "My work"'s queue of commitments reported done (council/dashboard/my_work.py): moved when a commitment
# becomes reported done or stops being so, and by a report or a new due date on one in the queue, never
# by the reports on all the others.
VERIFICATION = "verification"
# What each block shows besides the council's records at large (the default: its scope's commitment
# figures and the initiatives' progress, to be safe with a block added later).
BLOCK_PARTS: dict[str, tuple[str, ...]] = {
    "figures": ("scope",), "initiatives": (INITIATIVES,), "indicators": (), "cards": (),
    "verification": (VERIFICATION,), "mine": ("scope",), "top-organisations": ("scope",),
    "trend": (COMPLETED,), "my-organisation": ("scope",), "organisations": ("scope",)}
# A block lives an hour at most: were a generation's move lost (Redis unreachable at that commit, but
# not emptied), no block could stay stale longer than that.
TIMEOUT = 3600


def completed_parts(scope: Scope) -> list[str]:
    """The generations the trend of commitments verified month by month depends on."""
    return [EVERY_COUNCIL, str(scope.council_id), f"{scope.council_id}:{COMPLETED}"]


def scope_parts(scope: Scope) -> list[str]:
    """The generations a scope's commitment figures depend on: its group's, organisation's or owner's
    (each moved by a change of a commitment in it), else the council's own figures; public ones apart."""
    council = scope.council_id
    parts = [f"{council}:{kind}:{value}" for kind, value in (
        ("group", scope.group_id), ("organisation", scope.organisation_id), ("owner", scope.owner_id))
        if value is not None]
    if scope.public:
        parts.append(f"{council}:public")
    return parts or [f"{council}:council"]


def _block_parts(scope: Scope, name: str) -> list[str]:
    parts = [EVERY_COUNCIL, str(scope.council_id)]
    for depends in BLOCK_PARTS.get(name, ("scope", INITIATIVES)):
        parts += scope_parts(scope) if depends == "scope" else [f"{scope.council_id}:{depends}"]
    return parts


def page_parts(*scopes: Scope) -> list[str]:
    """Every generation the blocks of these scopes depend on. A page reads them in one round trip
    before its first block (council/generations.py keeps them for the request) instead of one per block
    that asks for a part not read yet."""
    names = (*BLOCK_PARTS, "")  # "": a block without parts of its own (the default)
    return sorted({part for scope in scopes for name in names for part in _block_parts(scope, name)})


def block_slot(scope: Scope, today: Any, name: str, variant: Any = "") -> str:
    """The cache slot of one block of one scope's dashboard, in one language on one day."""
    return ":".join(str(part) for part in (
        "dashboard-block", scope.council_id, scope.group_id, scope.organisation_id, scope.owner_id,
        int(scope.public), get_locale(), today.isoformat(), name, variant))


def _digest(shown: Any) -> str:
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def cached_block(scope: Scope, today: Any, name: str, variant: Any = "", *,
                 caller: Callable[[], str], shown: Callable[[], Any] | None = None) -> Markup:
    """Jinja: `{% call cached_block(board.scope, board.today, 'figures') %}…{% endcall %}` renders the
    body once per slot and generations, and serves it from the cache afterwards.

    A slot holds (generations, digest, HTML): the generations of the block's parts read before it was
    rendered and, with `shown`, the digest of every value it shows as shown. When a change has moved
    the block's generations on but the council's own are the same and so are those values, the block
    is served again: most progress reports move no number a dashboard shows once averages are rounded.
    """
    slot = block_slot(scope, today, name, variant)
    generation = generations.current(_block_parts(scope, name))
    if generation is None:  # the cache fails: render, keep nothing
        return _with_csrf(str(caller()))
    local = generations.local()
    held, html = local.get(slot, generation)  # this process's copy: no read of the shared cache
    if held:
        return _with_csrf(html)
    entry = safely(lambda: cache.get(slot))
    kept = entry if isinstance(entry, tuple) and len(entry) == 3 else None
    if kept is not None and kept[0] == generation:
        html = str(kept[2])
    else:
        digest = None
        # The first two parts are the council's own (EVERY_COUNCIL, the council): the directory's names.
        if kept is not None and shown is not None and kept[0][:2] == generation[:2]:
            digest = _digest(shown())
        if digest is not None and kept is not None and kept[1] == digest:
            html = str(kept[2])
        else:
            html = str(caller())
            if shown is not None and digest is None:  # after rendering: from what the block has read
                digest = _digest(shown())
        safely(lambda: cache.set(slot, (generation, digest, html), timeout=TIMEOUT))
    local.put(slot, generation, html)
    return _with_csrf(html)


def _with_csrf(html: str) -> Markup:
    if CSRF_MARK in html:
        html = html.replace(CSRF_MARK, generate_csrf())
    return Markup(html)  # noqa: S704  (rendered by Jinja with autoescape, as the page around it)


def template_context() -> dict[str, Any]:
    return {"cached_block": cached_block, "CSRF_MARK": CSRF_MARK}


# Invalidation ----------------------------------------------------------------------------------------


@events.listen
def _changed(event: events.Event) -> None:
    """Remember what an event changes; those blocks are invalidated when the transaction commits."""
    if event.kind in UNSEEN:
        return
    generations.mark_stale(changed_parts(event))


def changed_parts(event: events.Event) -> set[str]:
    """The generations an event moves on."""
    council = event.council_id
    if council is None:
        return {EVERY_COUNCIL}
    payload = event.payload or {}
    if event.kind not in COMMITMENT_CHANGES or event.subject_type != "commitment" \
            or payload.get("group_id") is None or payload.get("organisation_id") is None:
        return {str(council)}
    parts = {every_commitment_part(council), f"{council}:public", f"{council}:group:{payload['group_id']}",
             f"{council}:organisation:{payload['organisation_id']}",
             record_part(council, "commitment", event.subject_id)}  # its row in the lists
    if payload.get("recommendation_id") is not None:  # the recommendation's row: progress, counts
        parts.add(record_part(council, "recommendation", payload["recommendation_id"]))
    owners = {payload.get("owner_id"), payload.get("previous_owner_id")} - {None}
    parts |= {f"{council}:owner:{owner}" for owner in owners}
    commitment = db.session.get(Commitment, event.subject_id)  # in the session already: no query
    moved = {payload.get("from"), payload.get("to")}
    if event.kind in STATUS_MOVES and None not in moved:
        if CommitmentStatus.VERIFIED.value in moved:
            parts.add(f"{council}:{COMPLETED}")
        if CommitmentStatus.REPORTED_DONE.value in moved:
            parts.add(f"{council}:{VERIFICATION}")
    elif event.kind not in KEEPS_COMPLETED:
        parts |= {f"{council}:{COMPLETED}", f"{council}:{VERIFICATION}"}
    elif commitment is None or commitment.status == CommitmentStatus.REPORTED_DONE:
        parts.add(f"{council}:{VERIFICATION}")
    if commitment is None or commitment.initiative_id is not None:
        parts.add(f"{council}:{INITIATIVES}")
    return parts
