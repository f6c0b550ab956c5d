"""The dashboards' figure blocks, rendered once per (council, scope, language, day) and kept in the cache.

The cache is Flask-Caching's (council.extensions.cache): Redis when the app has one, so every web process
shares it, else each process's memory (the embedded default). A block's key holds everything its HTML
depends on: the council's generation (below), the whole scope (group, organisation, owner, public or
not), the reader's language, the council's day and what the block shows differently to different readers
(`variant`, e.g. whether they may publish indicators). Nothing personal is in a block: the CSRF token of a
form inside one is written as a mark and put in for each reader when the block is served.

Invalidation: any domain event of a council (council/events.py; every change of a commitment, a
recommendation, an indicator, a meeting or the directory records one) moves that council's generation on
when its transaction commits, so the next page renders its blocks anew; an event without a council moves
every council on. A block rendered from data read before the commit was stored under the old generation
and is never served again. The cache failing (Redis down) only means rendering every time (a Redis that
does not answer at all costs a page up to a second per block: the client's timeouts).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session

from council import events
from council.dashboard.figures import Scope
from council.extensions import cache, db

log = logging.getLogger(__name__)

# Written in a cached block where a form's CSRF token goes; replaced by the reader's token when served.
CSRF_MARK = "\x00csrf-token\x00"
_EVERY_COUNCIL = "all"
_STALE = "dashboard_stale_councils"  # session.info: councils whose events this transaction recorded
# A block lives an hour at most: were a generation's move lost (Redis unreachable at that commit, but
# not emptied), no block could stay stale longer than that.
TIMEOUT = 3600


def _generation_key(council: int | str) -> str:
    return f"dashboard-generation:{council}"


def _safely(action: Callable[[], Any], default: Any = None) -> Any:
    try:
        return action()
    except Exception as error:  # a cache that fails is one that misses: pages render as without one
        log.warning("dashboard cache unavailable: %s", error)
        return default


def block_key(scope: Scope, today: Any, name: str, variant: Any = "") -> str:
    """The cache key of one block of one scope's dashboard, as of the council's current generation."""
    generations = _safely(lambda: cache.get_many(_generation_key(scope.council_id),
                                                 _generation_key(_EVERY_COUNCIL)), [None, None])
    council_generation, every_generation = generations or (None, None)
    return ":".join(str(part) for part in (
        "dashboard-block", council_generation or 0, every_generation or 0, scope.council_id,
        scope.group_id, scope.organisation_id, scope.owner_id, int(scope.public), get_locale(),
        today.isoformat(), name, variant))


def cached_block(scope: Scope, today: Any, name: str, variant: Any = "", *,
                 caller: Callable[[], str]) -> Markup:
    """Jinja: `{% call cached_block(board.scope, board.today, 'figures') %}…{% endcall %}` renders the
    body once per key and serves it from the cache afterwards."""
    key = block_key(scope, today, name, variant)
    html = _safely(lambda: cache.get(key))
    if html is None:
        html = str(caller())
        _safely(lambda: cache.set(key, html, timeout=TIMEOUT))
    if CSRF_MARK in html:
        html = html.replace(CSRF_MARK, generate_csrf())
    return Markup(html)  # noqa: S704  (rendered by Jinja with autoescape, as the page around it)


def template_context() -> dict[str, Any]:
    return {"cached_block": cached_block, "CSRF_MARK": CSRF_MARK}


# Invalidation ----------------------------------------------------------------------------------------


@events.listen
def _changed(event: events.Event) -> None:
    """Remember the council an event changes; its blocks are invalidated when the transaction commits."""
    db.session.info.setdefault(_STALE, set()).add(event.council_id or _EVERY_COUNCIL)


@sqlalchemy_event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    councils = session.info.pop(_STALE, None)
    if not councils or not current_app:
        return
    _safely(lambda: cache.set_many({_generation_key(council): uuid.uuid4().hex for council in councils},
                                   timeout=0))


@sqlalchemy_event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_STALE, None)
