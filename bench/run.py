"""Time the dashboards, the lists, the exports (and the digest run, once it exists) at two volumes.

    python -m bench.run                      # both backends, 10k and 100k commitments (make bench)
    python -m bench.run --backends sqlite --repeat 5
    python -m bench.run --generate           # refill the benchmark databases first

Each page is requested in-process through Flask's test client, signed in as a secretary (who sees the
whole council), once to warm up and then --repeat times. The JSON printed on stdout holds, per page and
backend: the median time, the queries per request and the peak Python memory (tracemalloc, one extra
request) at each size, and the ratio of the 100k median to the 10k one. Then, for each backend, the
slowest statement of the slowest page at 100k, with its plan (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN
QUERY PLAN on SQLite). Progress goes to stderr. Databases: instance/bench-<size>.sqlite3 and
council_bench_<size> on the PostgreSQL server of $BENCH_POSTGRES_URL (default postgres@127.0.0.1:5432);
a database without the expected volume is generated first (bench/generate.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dt_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import create_engine, delete, event, func, select, text
from sqlalchemy.engine import make_url

from bench import trivial
from bench.generate import BENCH_SECRET_KEY, COUNCIL_SLUG, PASSWORD, SIZES, generate, sign_in
from council import create_app
from council.config import INSTANCE_PATH
from council.extensions import db

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# Databases council_bench_10k and council_bench_100k unless named otherwise (engineers sharing a server).
POSTGRES_PREFIX = os.environ.get("BENCH_POSTGRES_PREFIX", "council_bench")
SECRETARY = "person1@bench.example"


def database_url(backend: str, size: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{INSTANCE_PATH / f'bench-{size}.sqlite3'}"
    return make_url(POSTGRES).set(database=f"{POSTGRES_PREFIX}_{size}").render_as_string(hide_password=False)


def ensure_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
        return
    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": parsed.database})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    engine.dispose()


def has_volume(url: str, size: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            count = connection.scalar(text("SELECT count(*) FROM commitment"))
    except Exception:  # no table yet: the database has not been generated
        return False
    finally:
        engine.dispose()
    return count == SIZES[size]["commitments"]


# What is timed -------------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    kind: str  # trivial, dashboard, portal, list, export, digest
    url: str


def pages(app: Flask) -> tuple[list[Page], list[str]]:
    """The pages to time on this code base, and what could not be measured (and why)."""
    with app.app_context():
        public_recommendation = db.session.execute(text(
            "SELECT min(id) FROM recommendation WHERE is_public")).scalar()
    portal = f"/public/{COUNCIL_SLUG}"
    found = [
        # The yardstick: the layout alone, signed in (bench/trivial.py); "× trivial" divides by it.
        Page("trivial signed-in page", "trivial", trivial.PATH),
        Page("council dashboard", "dashboard", "/dashboard"),
        Page("working-group dashboard", "dashboard", "/dashboard/groups/1"),
        Page("organisation dashboard", "dashboard", "/dashboard/organisations/1"),
        Page("organisations by progress", "dashboard", "/dashboard/organisations?sort=overdue"),
        Page("my work", "dashboard", "/my-work"),
        Page("dashboard figures CSV", "export", "/dashboard/figures.csv"),
        Page("public portal", "portal", portal),
        Page("public recommendations, page 2", "portal", f"{portal}/recommendations?page=2"),
        Page("public recommendations, TM overdue", "portal",
             f"{portal}/recommendations?country=TM&overdue=1"),
        Page("public recommendation", "portal", f"{portal}/recommendations/{public_recommendation}"),
        Page("public working group", "portal", f"{portal}/groups/1"),
    ]
    missing = []
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    if "tracker.commitments" in endpoints:
        found += [
            Page("commitments list", "list", "/tracker/commitments"),
            Page("commitments list, group overdue", "list", "/tracker/commitments?group=1&overdue=1"),
            Page("commitments list, search", "list", "/tracker/commitments?q=c-00420"),
            Page("recommendations list", "list", "/tracker/recommendations"),
            Page("recommendations list, TM overdue", "list", "/tracker/recommendations?country=TM&overdue=1"),
        ]
    else:
        missing.append("tracker lists: the tracker's pages are not on this branch yet")
    if "tracker.export_commitments" in endpoints:
        found += [
            Page("commitments export CSV, one organisation", "export",
                 "/tracker/commitments/export.csv?organisation=1"),
            Page("commitments export CSV, all", "export", "/tracker/commitments/export.csv"),
            Page("recommendations export CSV, all", "export", "/tracker/recommendations/export.csv"),
        ]
    else:
        missing.append("tracker exports: the tracker's pages are not on this branch yet")
    if "notifications.index" not in endpoints:
        missing.append("digest run: the notifications branch is not on this branch yet")
    return found, missing


# Measuring -----------------------------------------------------------------------------------------


@dataclass
class Statements:
    """Every statement a request ran, with its parameters and duration."""

    rows: list[tuple[str, Any, float]] = field(default_factory=list)


@contextmanager
def recorded(app: Flask) -> Iterator[Statements]:
    found = Statements()
    with app.app_context():
        engine = db.engine

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        found.rows.append((statement, parameters, time.perf_counter() - conn.info.pop("bench_started")))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def _get(client: Any, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    response.get_data()
    response.close()


@dataclass
class Target:
    """One benchmark database, its app and a client signed in as a secretary."""

    size: str
    app: Flask
    client: Any
    pages: list[Page]


def _time(target: Target, page: Page) -> tuple[float, int]:
    with recorded(target.app) as statements:
        started = time.perf_counter()
        _get(target.client, page.url)
        elapsed = time.perf_counter() - started
    return elapsed, len(statements.rows)


def _peak_memory(target: Target, page: Page) -> int:
    tracemalloc.start()
    _get(target.client, page.url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def measure(targets: list[Target], index: int, repeat: int) -> dict[str, dict[str, Any]]:
    """Time page `index` at every size, the sizes taking turns so both see the same machine load; each
    request is preceded by one of the trivial page (page 0), whose median in the same turns is the
    page's yardstick ("x_trivial"): on a shared machine the load changes from one page to the next."""
    times: dict[str, list[float]] = {target.size: [] for target in targets}
    yardstick: dict[str, list[float]] = {target.size: [] for target in targets}
    queries: dict[str, int] = {}
    for target in targets:
        _get(target.client, target.pages[index].url)  # warm up: templates compiled, caches filled
    for _ in range(repeat):
        for target in targets:
            yardstick[target.size].append(_time(target, target.pages[0])[0])
            elapsed, count = _time(target, target.pages[index])
            times[target.size].append(elapsed)
            queries[target.size] = max(queries.get(target.size, 0), count)
    return {target.size: {
        "median_ms": round(statistics.median(times[target.size]) * 1000, 1),
        "min_ms": round(min(times[target.size]) * 1000, 1), "queries": queries[target.size],
        "trivial_ms": round(statistics.median(yardstick[target.size]) * 1000, 1),
        "x_trivial": round(statistics.median(times[target.size])
                           / statistics.median(yardstick[target.size]), 1),
        "peak_kib": round(_peak_memory(target, target.pages[index]) / 1024)} for target in targets}


def statement_times(app: Flask, client: Any, url: str, runs: int = 3) -> list[tuple[float, str, Any]]:
    """Each statement of one request to `url`, run again on its own to the last row (SQLite does most of
    its work while rows are fetched), with its median time, slowest first."""
    with recorded(app) as statements:
        _get(client, url)
    timed = []
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            for statement, parameters, _ in statements.rows:
                samples = []
                for _ in range(runs):
                    started = time.perf_counter()
                    cursor.execute(statement, parameters)
                    cursor.fetchall()
                    samples.append(time.perf_counter() - started)
                timed.append((statistics.median(samples), statement, parameters))
        finally:
            connection.close()
    return sorted(timed, key=lambda row: -row[0])


def slowest_statement(app: Flask, client: Any, url: str) -> dict[str, Any]:
    """The slowest statement of one request to `url`, with the database's plan for it."""
    seconds, statement, parameters = statement_times(app, client, url)[0]
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            postgres = db.engine.dialect.name == "postgresql"
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
            cursor.execute(prefix + statement, parameters)
            plan = [" | ".join(str(cell) for cell in row) if not postgres else row[0]
                    for row in cursor.fetchall()]
        finally:
            connection.close()
    return {"url": url, "ms": round(seconds * 1000, 1), "statement": " ".join(statement.split()),
            "parameters": repr(parameters)[:500], "plan": plan}


def _digest_moment() -> datetime:
    """08:00 today in Aktau, when every benchmark person's daily digest is due."""
    return datetime.combine(datetime.now(UTC).date(), dt_time(8), tzinfo=ZoneInfo("Asia/Aqtau"))


def _digest_run(target: Target) -> tuple[float, int, int, int]:
    """One whole digest run, in-process (no broker: delivery runs eagerly to the dummy mail backend):
    (seconds, statements, people, e-mails queued). The previous run's digests are removed first."""
    from council.notifications import digests
    from council.notifications.models import DigestRun, Notification

    at = _digest_moment()
    with target.app.app_context():
        db.session.execute(delete(DigestRun))
        db.session.execute(delete(Notification).where(Notification.kind == "digest"))
        db.session.commit()
        people = queued = 0
        with recorded(target.app) as statements:
            started = time.perf_counter()
            for ids in digests.due_batches(at):
                queued += digests.send_due(ids, at)
                people += len(ids)
            elapsed = time.perf_counter() - started
        db.session.remove()
    return elapsed, len(statements.rows), people, queued


def measure_digests(targets: list[Target], repeat: int) -> dict[str, Any]:
    times: dict[str, list[float]] = {target.size: [] for target in targets}
    figures: dict[str, Any] = {}
    for _ in range(repeat):
        for target in targets:
            elapsed, count, people, queued = _digest_run(target)
            times[target.size].append(elapsed)
            figures[target.size] = {"queries": count, "people": people, "emails": queued}
    for target in targets:
        tracemalloc.start()
        _digest_run(target)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        people = figures[target.size]["people"] or 1
        figures[target.size].update(
            median_ms=round(statistics.median(times[target.size]) * 1000, 1),
            min_ms=round(min(times[target.size]) * 1000, 1), peak_kib=round(peak / 1024),
            queries_per_person=round(figures[target.size]["queries"] / people, 1))
    return figures


def _target(backend: str, size: str, regenerate: bool) -> Target:
    url = database_url(backend, size)
    ensure_database(url)
    if regenerate or not has_volume(url, size):
        print(f"[{backend} {size}] generating", file=sys.stderr, flush=True)
        generate(url, size, echo=False)
    app = trivial.add_trivial_page(create_app({
        "SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://", "REDIS_URL": None,
        "MAIL_BACKEND": "dummy",
        "SECRET_KEY": BENCH_SECRET_KEY}))
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    if not sign_in(client, SECRETARY, PASSWORD):
        raise SystemExit(f"[{backend} {size}] could not sign in as {SECRETARY}")
    return Target(size, app, client, [])


def bench_backend(backend: str, sizes: list[str], repeat: int, regenerate: bool,
                  only: list[str] | None = None) -> dict[str, Any]:
    targets = [_target(backend, size, regenerate) for size in sizes]
    missing: list[str] = []
    for target in targets:
        target.pages, missing = pages(target.app)
        if only:  # the trivial page is always measured: the other pages' ratios need it
            target.pages = [page for page in target.pages
                            if page.kind == "trivial" or any(word in page.name for word in only)]
    rows = []
    for index, page in enumerate(targets[0].pages):
        figures = measure(targets, index, repeat)
        row: dict[str, Any] = {"page": page.name, "kind": page.kind, "url": page.url, **figures}
        if "10k" in figures and "100k" in figures:
            row["ratio_100k_10k"] = round(figures["100k"]["median_ms"] / figures["10k"]["median_ms"], 2)
            row["queries_constant"] = figures["100k"]["queries"] == figures["10k"]["queries"]
        rows.append(row)
        print(f"[{backend}] {page.name:<42} " + "  ".join(
            f"{size}: {values['median_ms']:>7} ms ×{values['x_trivial']:<5} "
            f"(trivial {values['trivial_ms']:>5}) {values['queries']:>2} q "
            f"{values['peak_kib']:>5} KiB"
            for size, values in figures.items()) + (f"  ×{row['ratio_100k_10k']}" if "ratio_100k_10k" in row
                                                    else ""), file=sys.stderr, flush=True)
    if not only and "notifications.index" in {rule.endpoint for rule in targets[0].app.url_map.iter_rules()}:
        figures = measure_digests(targets, min(repeat, 3))
        people = max(values["people"] for values in figures.values())
        row = {"page": f"digest run ({people} people)", "kind": "digest", "url": None, **figures}
        if "10k" in figures and "100k" in figures:
            row["ratio_100k_10k"] = round(figures["100k"]["median_ms"] / figures["10k"]["median_ms"], 2)
            row["queries_constant"] = figures["100k"]["queries"] == figures["10k"]["queries"]
        rows.append(row)
        print(f"[{backend}] digest run: " + "  ".join(
            f"{size}: {values['median_ms']} ms for {values['people']} people, {values['emails']} e-mails, "
            f"{values['queries_per_person']} queries each" for size, values in figures.items()),
            file=sys.stderr, flush=True)
    largest = targets[-1]

    def plan_of_slowest(kinds: set[str]) -> dict[str, Any]:
        chosen = [i for i, row in enumerate(rows) if row["kind"] in kinds and row["url"]]
        if not chosen:  # --pages left none of these kinds
            return {}
        slowest = max(chosen, key=lambda i: rows[i][largest.size]["median_ms"])
        return {"page": rows[slowest]["page"], "size": largest.size,
                **slowest_statement(largest.app, largest.client, largest.pages[slowest].url)}
    plans = {"slowest_query": plan_of_slowest({page.kind for page in largest.pages}),
             "slowest_dashboard_query": plan_of_slowest({"dashboard", "portal"})}
    for target in targets:
        with target.app.app_context():
            db.session.remove()
            db.engine.dispose()
    return {"results": rows, **plans, "not_measured": missing}


def _versions(backend: str, size: str) -> str:
    if backend == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    engine = create_engine(database_url(backend, size))
    with engine.connect() as connection:
        version = connection.scalar(select(func.version()))
    engine.dispose()
    return str(version).split(" on ")[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", nargs="+", choices=["sqlite", "postgresql"],
                        default=["sqlite", "postgresql"])
    parser.add_argument("--sizes", nargs="+", choices=sorted(SIZES), default=["10k", "100k"])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--generate", action="store_true", help="refill the databases first")
    parser.add_argument("--pages", nargs="+", metavar="WORD",
                        help="only the pages whose name holds one of these words (and the trivial page; "
                             "no digest run)")
    arguments = parser.parse_args()
    report: dict[str, Any] = {
        "command": "python -m bench.run " + " ".join(sys.argv[1:]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_before": [round(value, 2) for value in os.getloadavg()],
        "repeat": arguments.repeat, "backends": {}}
    for backend in arguments.backends:
        figures = bench_backend(backend, arguments.sizes, arguments.repeat, arguments.generate,
                                arguments.pages)
        report["backends"][backend] = {"version": _versions(backend, arguments.sizes[0]), **figures}
    report["load_average_after"] = [round(value, 2) for value in os.getloadavg()]
    print(json.dumps(report, ensure_ascii=False, indent=2))
    print(markdown(report), file=sys.stderr)


def markdown(report: dict[str, Any]) -> str:
    """The same figures as a Markdown table (for bench/README.md)."""
    lines = [f"load average (1, 5, 15 min) before {report['load_average_before']}, "
             f"after {report['load_average_after']}"]
    for backend, figures in report["backends"].items():
        lines += ["", f"{backend} ({figures['version']})", "",
                  "| page | 10k ms | trivial ms | × trivial | 100k ms | trivial ms | × trivial | 100k / 10k "
                  "| queries (10k, 100k) | peak KiB (100k) |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for row in figures["results"]:
            small, large = row.get("10k", {}), row.get("100k", {})
            lines.append(f"| {row['page']} | {small.get('median_ms', '')} | {small.get('trivial_ms', '')} | "
                         f"{small.get('x_trivial', '')} | {large.get('median_ms', '')} | "
                         f"{large.get('trivial_ms', '')} | {large.get('x_trivial', '')} | "
                         f"{row.get('ratio_100k_10k', '')} | {small.get('queries', '')}, "
                         f"{large.get('queries', '')} | {large.get('peak_kib', '')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
