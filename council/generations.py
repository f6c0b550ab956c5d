"""Generations: how a cached value knows that the data under it changed.

A cached value (a dashboard block, a list's filter choices) is kept in one slot of the cache together
with the generation of every part of a council it depends on ("3:group:2", "3:filters", …), read before
the value was built (`kept`). Whoever knows what an event changes marks those parts stale during the
transaction (`mark_stale`, usually from an events listener); when the transaction commits they get new
generations, so the next read finds the slot's generations old and builds the value anew in its place;
a value built from data read before the commit carries the generations of before and is never served
after it. A rolled-back transaction moves nothing. One slot per value, however often its parts move:
the cache holds no trail of superseded values (a council reporting a few times a second would leave
hundreds of megabytes of them an hour).

The generations live in the app's cache (council.extensions.cache: Redis when the app has one, shared by
every web process, else each process's memory). The cache failing only means building every time.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session

from council.extensions import cache, db

log = logging.getLogger(__name__)

K = TypeVar("K")
T = TypeVar("T")
EVERY_COUNCIL = "all"  # moved by a change that belongs to no council: every value depends on it
_STALE = "generations_stale"  # session.info: the parts this transaction's events move on


def _key(part: str) -> str:
    # The dashboard's blocks were the first users: the prefix stays, so a deployment keeps its cache.
    return f"dashboard-generation:{part}"


def safely(action: Callable[[], Any], default: Any = None) -> Any:
    """`action()`, or `default` when the cache fails (a cache that fails is one that misses)."""
    try:
        return action()
    except Exception as error:  # Redis unreachable, a value that cannot be read: build as without a cache
        log.warning("cache unavailable: %s", error)
        return default


def current(parts: list[str]) -> list[Any]:
    """The generation of each part, 0 for a part never moved (or when the cache fails)."""
    generations = safely(lambda: cache.get_many(*map(_key, parts))) or [None] * len(parts)
    return [generation or 0 for generation in generations]


def kept(slot: str, parts: Sequence[str], build: Callable[[], T], *, timeout: int) -> T:
    """The value kept in `slot` if it was built at the current generations of `parts`; else `build()`,
    kept in the slot in its stead (with the generations read before building it)."""
    return kept_many({slot: slot}, {slot: parts}, lambda missing: {slot: build()}, timeout=timeout)[slot]


def kept_many(slots: Mapping[K, str], parts: Mapping[K, Sequence[str]],
              build: Callable[[list[K]], Mapping[K, T]], *, timeout: int) -> dict[K, T]:
    """`kept` for several values at once: one read of the generations and one of the slots, and
    `build(missing)` once for all those not kept at their current generations."""
    names = sorted({part for each in parts.values() for part in each})
    now = dict(zip(names, current(names), strict=True))
    wanted = {key: [now[part] for part in parts[key]] for key in slots}
    found = safely(lambda: cache.get_many(*slots.values())) or [None] * len(slots)
    values = {key: entry[1] for key, entry in zip(slots, found, strict=True)
              if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == wanted[key]}
    missing = [key for key in slots if key not in values]
    if missing:
        built = build(missing)
        values.update(built)
        safely(lambda: cache.set_many({slots[key]: (wanted[key], built[key]) for key in missing},
                                      timeout=timeout))
    return values


def mark_stale(parts: Iterable[str]) -> None:
    """These parts change in the current transaction: they move on when it commits."""
    db.session.info.setdefault(_STALE, set()).update(parts)


def council_part(council_id: int | None, name: str) -> str:
    """A council's part by its name: "3:filters"."""
    return f"{council_id}:{name}"


def mark_council_stale(council_id: int | None, name: str) -> None:
    """The council's `name` part moves on when the transaction commits; for a change of no council,
    every value (EVERY_COUNCIL)."""
    mark_stale([EVERY_COUNCIL] if council_id is None else [council_part(council_id, name)])


@sqlalchemy_event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    parts = session.info.pop(_STALE, None)
    if not parts or not current_app:
        return
    safely(lambda: cache.set_many({_key(part): uuid.uuid4().hex for part in parts}, timeout=0))


@sqlalchemy_event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_STALE, None)
