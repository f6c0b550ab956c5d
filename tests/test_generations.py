"""council/generations.py: a kept value is served only at the generations it was built at, from this
process's copy when it has one, and never again once the cache has forgotten its parts."""

from __future__ import annotations

from typing import Any

from council import generations
from council.extensions import cache, db

PARTS = ["all", "1", "1:group:7"]


def keep(value: Any) -> Any:
    return generations.kept("test-slot", PARTS, lambda: value, timeout=60)


def test_a_value_is_kept_until_a_part_moves(make_app):
    with make_app(CACHE_TYPE="SimpleCache").app_context():
        assert keep("first") == "first"
        assert keep("second") == "first"  # kept: nothing moved
        generations.mark_stale(["1:group:7"])
        db.session.commit()
        assert keep("third") == "third"


def test_this_process_s_copy_is_served_without_reading_the_shared_cache(make_app):
    with make_app(CACHE_TYPE="SimpleCache").app_context():
        keep({"figures": [1, 2, 3]})
        read = cache.cache.get_many
        slots_read: list[str] = []

        def counting(*keys: str) -> Any:
            slots_read.extend(key for key in keys if "test-slot" in key)
            return read(*keys)

        cache.cache.get_many = counting  # type: ignore[method-assign]
        try:
            assert keep("other") == {"figures": [1, 2, 3]}
        finally:
            del cache.cache.get_many
        assert slots_read == []  # the generations were read, the value was not


def test_a_cache_that_forgot_its_generations_serves_nothing_kept_before(make_app):
    """Redis restarted without its data, or evicted a generation: the parts get new generations, so
    no copy kept under the old ones (in this process, or anywhere) matches them again."""
    with make_app(CACHE_TYPE="SimpleCache").app_context():
        assert keep("before the restart") == "before the restart"
        for part in PARTS:
            cache.delete(f"dashboard-generation:{part}")
        assert keep("after the restart") == "after the restart"
        assert keep("later") == "after the restart"


def test_a_cache_that_fails_builds_every_time(make_app):
    with make_app(CACHE_TYPE="RedisCache", CACHE_REDIS_URL="redis://127.0.0.1:1/0",
                  CACHE_OPTIONS={"socket_timeout": 0.2, "socket_connect_timeout": 0.2}).app_context():
        assert keep("first") == "first"
        assert keep("second") == "second"


def counting_generation_reads(monkeypatch: Any) -> list[list[str]]:
    """The parts each round trip for generations asks the cache for."""
    reads: list[list[str]] = []
    read = generations._read

    def counting(parts: list[str]) -> Any:
        reads.append(parts)
        return read(parts)

    monkeypatch.setattr(generations, "_read", counting)
    return reads


def test_a_request_reads_each_part_s_generation_once(make_app, monkeypatch):
    """A dashboard asks for the council's parts with every block: one round trip per part a request
    has not read yet, not one per block."""
    app = make_app(CACHE_TYPE="SimpleCache")
    reads = counting_generation_reads(monkeypatch)
    with app.test_request_context():
        assert keep("first") == "first"
        assert keep("second") == "first"
        assert generations.current(["1", "1:filters"]) is not None
    assert [sorted(parts) for parts in reads] == [sorted(PARTS), ["1:filters"]]
    with app.test_request_context():  # the next request reads them again: others may have moved them
        keep("third")
    assert [sorted(parts) for parts in reads[2:]] == [sorted(PARTS)]


def test_a_request_s_own_commit_is_seen_by_what_it_reads_next(make_app):
    """A request that changes a part (a form saved, then a page shown) builds what depends on it anew."""
    with make_app(CACHE_TYPE="SimpleCache").test_request_context():
        assert keep("before") == "before"
        generations.mark_stale(["1:group:7"])
        db.session.commit()
        assert keep("after") == "after"


def test_a_move_by_another_process_is_seen_by_the_next_request(make_app):
    app = make_app(CACHE_TYPE="SimpleCache")
    with app.test_request_context():
        assert keep("before") == "before"
        cache.set("dashboard-generation:1:group:7", "moved elsewhere", timeout=0)  # another process's commit
        assert keep("same request") == "before"  # as read at the request's start
    with app.test_request_context():
        assert keep("next request") == "next request"
