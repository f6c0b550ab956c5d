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
every web process, else each process's memory). The cache failing only means building every time. A part
the cache does not know (never moved, or forgotten: Redis restarted or evicted it) is given a new random
generation, never a fixed "none yet", so no value kept before it was forgotten can match it again.

Each process also holds the values it has read or built (`Local`), with their generations: a value is the
same wherever it is kept, so when its generations are still the current ones the process serves its own
copy and neither reads nor unpickles the shared one (the council's figures, a few hundred kilobytes of
pickle, were most of what the council dashboard spent). Values handed out are shared: read them, never
change them.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from flask import current_app, g, has_request_context
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session

from council.extensions import cache, db

log = logging.getLogger(__name__)

K = TypeVar("K")
T = TypeVar("T")
EVERY_COUNCIL = "all"  # moved by a change that belongs to no council: every value depends on it
_STALE = "generations_stale"  # session.info: the parts this transaction's events move on
_READ = "generations_read"  # flask.g: the generations this request has read


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


def current(parts: Sequence[str]) -> list[str] | None:
    """The generation of each part; None when the cache fails (nothing can then be known current).

    Within a request each part is read once (`_read_this_request`): a dashboard asks for the council's
    own parts with every block it shows, and each read is a round trip to Redis."""
    known = _read_this_request()
    wanted = [part for part in dict.fromkeys(parts) if part not in known]
    if wanted:
        read = safely(lambda: _read(wanted))
        if read is None:
            return None
        known.update(zip(wanted, read, strict=True))
    return [known[part] for part in parts]


def _read(parts: list[str]) -> list[str] | None:
    keys = [_key(part) for part in parts]
    found = cache.get_many(*keys)
    unknown = [key for key, generation in zip(keys, found, strict=True) if not generation]
    if not unknown:
        return list(found)
    for key in unknown:  # add, not set: another process may be giving it one at the same moment
        cache.add(key, uuid.uuid4().hex, timeout=0)
    given = dict(zip(unknown, cache.get_many(*unknown), strict=True))
    generations = [generation or given[key] for key, generation in zip(keys, found, strict=True)]
    return generations if all(generations) else None


def _read_this_request() -> dict[str, str]:
    """The generations this request has read, by part; a fresh dict outside a request (a task, a
    command: they may run long, and must see the moves of others).

    Serving a value at a generation read earlier in the same request is as safe as at one read just
    now: a value is only ever kept with generations read before the data it was built from, so one built
    later in the request is at worst kept as older than it is, and built again. A commit of the request's
    own forgets them (`_committed`): what it moved must not be served as it was before."""
    if not has_request_context():
        return {}
    return g.setdefault(_READ, {})


class Local:
    """The values one process has read or built, by slot: (generations, value), the most recent
    LOCAL_SLOTS of them."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[str, tuple[list[str], Any]] = OrderedDict()
        self._lock = threading.Lock()  # gunicorn's threads, a test's live server

    def get(self, slot: str, generations: list[str]) -> tuple[bool, Any]:
        with self._lock:
            entry = self._values.get(slot)
            if entry is None or entry[0] != generations:
                return False, None
            self._values.move_to_end(slot)
            return True, entry[1]

    def put(self, slot: str, generations: list[str], value: Any) -> None:
        with self._lock:
            self._values[slot] = (generations, value)
            self._values.move_to_end(slot)
            while len(self._values) > self.size:
                self._values.popitem(last=False)


# A council's slices, filters and trends in a few languages, and the rows of the lists read lately.
LOCAL_SLOTS = 4096


def local() -> Local:
    """This app's values in this process (each app its own: tests run several apps in one process)."""
    local = current_app.extensions.get("generations_local")
    if local is None:
        local = current_app.extensions.setdefault("generations_local", Local(LOCAL_SLOTS))
    return local


def kept(slot: str, parts: Sequence[str], build: Callable[[], T], *, timeout: int,
         still_holds: Callable[[T], bool] | None = None) -> T:
    """The value kept in `slot` if it was built at the current generations of `parts` (and, with
    `still_holds`, if `still_holds(value)`: a value that time changes); else `build()`,
    kept in the slot in its stead (with the generations read before building it)."""
    return kept_many({slot: slot}, {slot: parts}, lambda missing: {slot: build()}, timeout=timeout,
                     still_holds=still_holds)[slot]


def kept_many(slots: Mapping[K, str], parts: Mapping[K, Sequence[str]],
              build: Callable[[list[K]], Mapping[K, T]], *, timeout: int,
              still_holds: Callable[[T], bool] | None = None) -> dict[K, T]:
    """`kept` for several values at once: one read of the generations, one of the slots this process
    does not hold at them, and `build(missing)` once for all those not kept at their current generations.
    `build` may leave out a key it finds nothing for (a record removed meanwhile): nothing is kept for it,
    and it is not in the answer."""
    names = sorted({part for each in parts.values() for part in each})
    read = current(names)
    if read is None:  # the cache fails: build everything, keep nothing
        return dict(build(list(slots)))
    now = dict(zip(names, read, strict=True))
    wanted = {key: [now[part] for part in parts[key]] for key in slots}
    held_here = local()
    values: dict[K, T] = {}
    for key, slot in slots.items():
        held, value = held_here.get(slot, wanted[key])
        if held:
            values[key] = value
    shared = [key for key in slots if key not in values]
    if shared:
        found = safely(lambda: cache.get_many(*(slots[key] for key in shared))) or [None] * len(shared)
        for key, entry in zip(shared, found, strict=True):
            if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == wanted[key]:
                values[key] = entry[1]
                held_here.put(slots[key], wanted[key], entry[1])
    if still_holds is not None:
        values = {key: value for key, value in values.items() if still_holds(value)}
    missing = [key for key in slots if key not in values]
    if missing:
        built = build(missing)
        values.update(built)
        for key in built:
            held_here.put(slots[key], wanted[key], built[key])
        safely(lambda: cache.set_many({slots[key]: (wanted[key], built[key]) for key in built},
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
    if has_request_context():
        g.pop(_READ, None)
    safely(lambda: cache.set_many({_key(part): uuid.uuid4().hex for part in parts}, timeout=0))


@sqlalchemy_event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_STALE, None)
