"""The load run's page mix in-process: CPU per request of each page, and of the mix, against the trivial page.

    .venv/bin/python -m bench.mix                                   # SQLite, 10k, the in-process cache
    .venv/bin/python -m bench.mix --backend postgresql --redis redis://127.0.0.1:6379/13

bench/load.py measures the whole stack, but on a shared two-core machine its figures move by a third
from one run to the next. This measures what the load run's pages cost the web process, with none of
the rest: two members of the council signed in through Flask's test client, the reader and a reporter.
Each round the reporter reports progress on one of their commitments, the reader on one of theirs every
other round (in the load run a client's own reports are a few of many), then the reader asks for each
page of the load run's mix once. Figures are the median CPU time (`time.process_time()`, this process
only: PostgreSQL's and Redis's work is not in them) over the rounds, after three rounds to warm up. The
mix is the average over the pages weighted as bench/load.py chooses them (reports left out). Beside
them, the median number of SQL statements each request ran and, with --redis, of its round trips to
Redis: counts the machine's speed does not move.
--without-reports stops the reports once the warm-up is over, so every page finds what it keeps in the
cache: the floor that caching alone could bring the pages down to.

It runs on a copy of the benchmark database (bench/run.py's, generated first if missing), dropped at the
end, so every run starts from the same data. With --redis the app's cache is that Redis (flushed
first), as in production; without, each process's memory, as in the embedded default.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from bench import trivial
from bench.generate import BENCH_SECRET_KEY, PASSWORD, generate, sign_in
from bench.load import WEIGHTS
from bench.run import database_url, ensure_database, has_volume
from council import create_app
from council.extensions import db

T = TypeVar("T")
WARM_UP = 3  # rounds before the measured ones: templates compiled, caches filled

# The load run's "commitment page + progress" is a commitment page before and after its report.
PAGE_WEIGHTS = {**{kind: weight for kind, weight in WEIGHTS.items() if kind != "commitment page + progress"},
                "commitment page": 2 * WEIGHTS["commitment page + progress"]}


@contextmanager
def copy_of(url: str) -> Iterator[str]:
    """A throwaway copy of the database at `url`: a file beside it, or a PostgreSQL database made from
    it as a template."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        folder = Path(tempfile.mkdtemp(prefix="council-mix-"))
        copy = folder / "mix.sqlite3"
        shutil.copyfile(parsed.database or "", copy)
        try:
            yield parsed.set(database=str(copy)).render_as_string(hide_password=False)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"{parsed.database}_mix_{uuid.uuid4().hex[:8]}"
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _members(url: str) -> list[tuple[int, str, int, list[int], int]]:
    """The first two members who own open commitments: (id, e-mail, organisation, open commitments,
    a working group of theirs)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            'SELECT u.id, u.email, u.organisation_id FROM "user" u WHERE u.role = \'member\' AND u.active '
            "AND EXISTS (SELECT 1 FROM commitment c WHERE c.owner_id = u.id "
            "AND c.status IN ('planned', 'in_progress', 'blocked')) "
            "ORDER BY u.id LIMIT 2")).all()
        members = []
        for user_id, email, organisation_id in rows:
            commitments = list(connection.scalars(text(
                "SELECT id FROM commitment WHERE owner_id = :user "
                "AND status IN ('planned', 'in_progress', 'blocked') ORDER BY id"),
                {"user": user_id}))
            group = connection.scalar(text("SELECT group_id FROM membership WHERE user_id = :user "
                                           "ORDER BY group_id LIMIT 1"), {"user": user_id}) \
                or connection.scalar(text("SELECT min(id) FROM working_group"))
            members.append((user_id, email, organisation_id, commitments, group))
    engine.dispose()
    return members


def measure(url: str, rounds: int, redis_url: str | None,
            profiles: dict[str, cProfile.Profile] | None = None, reports: bool = True,
            statements: dict[str, int] | None = None,
            round_trips: dict[str, int] | None = None) -> dict[str, float]:
    """Median CPU milliseconds per request kind, "trivial signed-in page" included. With `statements`,
    the median number of SQL statements each kind ran is put there (a count the machine's speed does
    not move, unlike the milliseconds); with `round_trips` and Redis, the median number of round trips
    to Redis. With `profiles`, each
    page's measured requests are profiled into its own profile there (wall-clock, so time spent
    waiting for PostgreSQL shows; the times then include the profiler's own cost). Without `reports`,
    nobody reports once the warm-up is over: every page finds what it keeps in the cache, the floor
    that caching alone could reach."""
    (_, email, organisation_id, mine, group), (_, reporter_email, _, theirs, _) = _members(url)
    app = mix_app(url, redis_url)
    ran = [0]  # statements run so far (a counter: a list of them would cost the measured pages time)
    asked = [0]  # round trips to Redis so far: commands, and pipelines (set_many) as one each

    def count(*_arguments: Any) -> None:
        ran[0] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    if redis_url:
        _count_redis_commands(asked)
    reader, reporter = app.test_client(), app.test_client()
    if not (sign_in(reader, email, PASSWORD) and sign_in(reporter, reporter_email, PASSWORD)):
        raise SystemExit("could not sign the two members in")
    rng = random.Random(3)
    shown = [mine[0]]  # the reader's commitment of the round

    def report(client: Any, commitment: int) -> None:
        answer = client.post(f"/tracker/commitments/{commitment}/progress", data={
            "progress": str(rng.randint(1, 95)), "status": "", "note": "bench.mix", "links": ""})
        if answer.status_code not in (302, 303):
            raise SystemExit(f"a progress report was answered {answer.status_code}")

    pages = {
        "trivial signed-in page": lambda: trivial.PATH,
        "council dashboard": lambda: "/dashboard",
        "group dashboard": lambda: f"/dashboard/groups/{group}",
        "organisation dashboard": lambda: f"/dashboard/organisations/{organisation_id}",
        "my work": lambda: "/my-work",
        "commitments list": lambda: f"/tracker/commitments?group={group}",
        "recommendations list": lambda: "/tracker/recommendations?page=2",
        "commitment page": lambda: f"/tracker/commitments/{shown[0]}",
    }
    times: dict[str, list[float]] = {kind: [] for kind in [*pages, "progress report (POST)"]}
    counts: dict[str, list[int]] = {kind: [] for kind in times}
    redis_counts: dict[str, list[int]] = {kind: [] for kind in times}

    def profile_of(kind: str) -> cProfile.Profile | None:
        return profiles.setdefault(kind, cProfile.Profile()) if profiles is not None else None

    for number in range(WARM_UP + rounds):
        reporting = reports or number < WARM_UP
        if reporting:
            report(reporter, rng.choice(theirs))
        shown[0] = rng.choice(mine)
        if reporting and number % 2 == 0:
            before, before_redis = ran[0], asked[0]
            _, spent = timed(lambda: report(reader, shown[0]), profile_of("progress report (POST)"))
            times["progress report (POST)"].append(spent)
            counts["progress report (POST)"].append(ran[0] - before)
            redis_counts["progress report (POST)"].append(asked[0] - before_redis)
        for kind, path in pages.items():
            measured = number >= WARM_UP
            before, before_redis = ran[0], asked[0]
            answer, spent = timed(partial(reader.get, path()), profile_of(kind) if measured else None)
            if answer.status_code != 200:
                raise SystemExit(f"{kind}: {answer.status_code}")
            if measured:
                times[kind].append(spent)
                counts[kind].append(ran[0] - before)
                redis_counts[kind].append(asked[0] - before_redis)
    if statements is not None:
        statements.update({kind: round(statistics.median(values))
                           for kind, values in counts.items() if values})
    if round_trips is not None and redis_url:
        round_trips.update({kind: round(statistics.median(values))
                            for kind, values in redis_counts.items() if values})
    return {kind: statistics.median(values) * 1000 for kind, values in times.items() if values}


def mix_app(url: str, redis_url: str | None) -> Flask:
    """The app on the database at `url`, with the trivial page; its cache on `redis_url` (flushed) when
    given, else in this process."""
    cache: dict[str, Any] = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url} if redis_url else {}
    app = trivial.add_trivial_page(create_app({
        "SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://", "REDIS_URL": None,
        "MAIL_BACKEND": "dummy",
        "SECRET_KEY": BENCH_SECRET_KEY, **cache}))
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    return app


def _count_redis_commands(asked: list[int]) -> None:
    """Count in `asked` every round trip to Redis from this process: a command, or a pipeline sent at
    once (the app's cache is the only client of the mix's app: no broker, no rate limiter)."""
    import redis
    from redis.client import Pipeline

    send, send_all = redis.Redis.execute_command, Pipeline.execute

    def counted(client: Any, *arguments: Any, **options: Any) -> Any:
        asked[0] += 1
        return send(client, *arguments, **options)

    def counted_once(pipeline: Any, *arguments: Any, **options: Any) -> Any:
        asked[0] += 1
        return send_all(pipeline, *arguments, **options)

    redis.Redis.execute_command = counted  # type: ignore[method-assign]
    Pipeline.execute = counted_once  # type: ignore[method-assign]


def timed(action: Callable[[], T], profile: cProfile.Profile | None) -> tuple[T, float]:
    """`action()` and the CPU seconds it took, profiled into `profile` when one is given."""
    started = time.process_time()
    if profile is not None:
        profile.enable()
    try:
        return action(), time.process_time() - started
    finally:
        if profile is not None:
            profile.disable()


def table(figures: dict[str, float], title: str, statements: dict[str, int] | None = None,
          round_trips: dict[str, int] | None = None) -> str:
    statements, round_trips = statements or {}, round_trips or {}
    trivial_ms = figures["trivial signed-in page"]
    weighted = sum(figures[kind] * weight for kind, weight in PAGE_WEIGHTS.items())
    mix = weighted / sum(PAGE_WEIGHTS.values())
    lines = [f"### {title}", "", "| request | CPU ms | × trivial | weight | statements | Redis round trips |",
             "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {kind} | {ms:.1f} | {ms / trivial_ms:.2f} | {PAGE_WEIGHTS.get(kind, '')} "
              f"| {statements.get(kind, '')} | {round_trips.get(kind, '')} |" for kind, ms in figures.items()]
    lines.append(f"| **the mix, per page** | **{mix:.1f}** | **{mix / trivial_ms:.2f}** | | | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--size", default="10k", help="bench/generate.py size (bench/run.py's databases)")
    parser.add_argument("--rounds", type=int, default=16)
    parser.add_argument("--redis", help="the app's cache on this Redis URL (its database is flushed)")
    parser.add_argument("--profile", type=Path, help="write each page's profile (cProfile) into this folder")
    parser.add_argument("--without-reports", action="store_true",
                        help="no reports after the warm-up: every page finds its blocks in the cache")
    options = parser.parse_args()
    profiles: dict[str, cProfile.Profile] | None = {} if options.profile else None
    url = database_url(options.backend, options.size)
    ensure_database(url)
    if not has_volume(url, options.size):
        print(f"[{options.backend} {options.size}] generating", file=sys.stderr, flush=True)
        generate(url, options.size, echo=False)
    statements: dict[str, int] = {}
    round_trips: dict[str, int] = {}
    with copy_of(url) as copy:
        figures = measure(copy, options.rounds, options.redis, profiles, reports=not options.without_reports,
                          statements=statements, round_trips=round_trips)
    title = (f"{options.backend}, {options.size}, {options.rounds} rounds, "
             f"cache {'Redis' if options.redis else 'in-process'}"
             f"{', no reports after the warm-up' if options.without_reports else ''}")
    print(table(figures, title, statements, round_trips))
    if options.profile and profiles:
        options.profile.mkdir(parents=True, exist_ok=True)
        for kind, profile in profiles.items():
            path = options.profile / (kind.replace(" ", "-") + ".txt")
            with path.open("w") as out:
                pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(60)
            profile.dump_stats(path.with_suffix(".prof"))
        print(f"profiles in {options.profile}", file=sys.stderr)


if __name__ == "__main__":
    main()
