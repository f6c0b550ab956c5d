"""N signed-in people browse dashboards and tracker lists and report progress, against the real stack.

    .venv/bin/python -m bench.load --clients 50 --duration 60 --think 5

bench/stack.py starts a fresh PostgreSQL database filled by bench/generate.py, Redis, gunicorn (2 workers of
two threads, council/gunicorn_conf.py; GUNICORN_CMD_ARGS='--worker-class sync' for the older workers),
a Celery worker, a beat and an SMTP sink. Each client is a different member who owns open commitments:
it signs in through the login form (with its CSRF token), then until the time is up picks a page —
the council, group or organisation dashboard, my work, a page of the commitments or recommendations list,
or one of its commitments, whose form it then posts a progress report through — and waits a think time
(uniform between half and one and a half times --think; 0 for the worst case). In a fault run
(bench/faults.py) every client also asks for /healthz once per cycle; a load run does not, so that its
app pages and the trivial page alone below are measured under the same kind of cycle.
Before that, for --trivial seconds, the same signed-in clients ask only for the trivial signed-in page of
the same layout (bench/trivial.py) with the same think time: the app pages' throughput is stated as a
fraction of that page's, measured alone in the same run.
Prints per request kind: count, requests/s, p50/p95/p99 latency, errors and the web workers' mean CPU per
request (bench/cpu.py's WebCpu); under each table, CPU per request by kind of process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench import cpu
from bench.generate import PASSWORD
from bench.stack import Stack, stop_on_signals

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
# How often each page is chosen (a progress report is a commitment page, then its form's POST).
WEIGHTS = {"council dashboard": 3, "group dashboard": 2, "organisation dashboard": 2, "my work": 3,
           "commitments list": 3, "recommendations list": 2, "commitment page + progress": 2}


@dataclass
class Person:
    id: int
    email: str
    organisation_id: int
    groups: list[int]
    commitments: list[int]


@dataclass
class Stats:
    """Latencies (seconds) and errors per request kind; the saved progress reports and the failed ones."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[str]] = field(default_factory=dict)
    saved: list[tuple[int, str]] = field(default_factory=list)  # (commitment, note) answered with a redirect
    failed_posts: list[tuple[int, str]] = field(default_factory=list)
    phase: str = "load"  # bench/faults.py names the fault under way
    faults: bool = False
    phase_errors: dict[tuple[str, str], int] = field(default_factory=dict)
    phase_statuses: dict[tuple[str, int], int] = field(default_factory=dict)  # (phase, HTTP status)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by kind of process (bench/cpu.py)
    web_cpu: dict[str, tuple[int, float]] = field(default_factory=dict)  # (requests, web CPU s) by kind

    def record(self, kind: str, seconds: float, error: str | None, phase: str | None = None) -> None:
        """One answer; `phase` is the fault under way when the request was sent (an answer to a request
        sent during an outage counts in the outage, however late it comes)."""
        self.latencies.setdefault(kind, []).append(seconds)
        if error is not None:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            key = (phase or self.phase, kind)
            self.phase_errors[key] = self.phase_errors.get(key, 0) + 1
            samples = self.samples.setdefault(kind, [])
            if len(samples) < 5:
                samples.append(error)


def people(stack: Stack, count: int, seed: int = 9) -> list[Person]:
    """`count` members (not secretaries or observers) who own open commitments, with those commitments."""
    with stack.connect() as connection:
        rows = connection.execute(
            "SELECT u.id, u.email, u.organisation_id, array_agg(c.id ORDER BY c.id) FROM \"user\" u "
            "JOIN commitment c ON c.owner_id = u.id AND c.status IN ('planned', 'in_progress', 'blocked') "
            "WHERE u.role = 'member' AND u.active GROUP BY u.id ORDER BY u.id").fetchall()
        memberships: dict[int, list[int]] = {}
        for user_id, group_id in connection.execute("SELECT user_id, group_id FROM membership"):
            memberships.setdefault(user_id, []).append(group_id)
        groups = [row[0] for row in connection.execute("SELECT id FROM working_group ORDER BY id")]
    chosen = random.Random(seed).sample(rows, count)
    return [Person(id_, email, organisation, memberships.get(id_) or groups, list(commitments))
            for id_, email, organisation, commitments in chosen]


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if match is None:
        raise ValueError("no csrf_token in the page")
    return match.group(1) or match.group(2)


class Client:
    def __init__(self, number: int, person: Person, stack: Stack, stats: Stats, think: float,
                 rng: random.Random) -> None:
        self.number = number
        self.person = person
        self.stats = stats
        self.think = think
        self.rng = rng
        self.reports = 0
        self.blocked: set[int] = set()  # commitments this client last reported blocked (fault runs)
        # With several web processes (bench/faults.py --hosts 2) the clients are spread over them.
        base_url = stack.base_urls[number % len(stack.base_urls)]
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30.0, follow_redirects=False)

    async def request(self, kind: str, method: str, path: str, expect: tuple[int, ...] = (200,),
                      **kwargs: Any) -> httpx.Response | None:
        started = time.perf_counter()
        phase = self.stats.phase  # the fault under way when the request leaves
        error: str | None = None
        response: httpx.Response | None = None
        try:
            response = await self.http.request(method, path, **kwargs)
            key = (phase, response.status_code)
            self.stats.phase_statuses[key] = self.stats.phase_statuses.get(key, 0) + 1
            if response.status_code not in expect:
                error = f"{response.status_code} {method} {path}"
        except httpx.HTTPError as exc:
            error = f"{exc.__class__.__name__} {method} {path}"
        self.stats.record(kind, time.perf_counter() - started, error, phase)
        return None if error else response

    async def sign_in(self) -> bool:
        page = await self.request("sign-in form", "GET", "/login")
        if page is None:
            return False
        answer = await self.request("sign-in", "POST", "/login", expect=(302,), data={
            "csrf_token": csrf_token(page.text), "email": self.person.email, "password": PASSWORD})
        return answer is not None

    async def pause(self) -> None:
        if self.think > 0:
            await asyncio.sleep(self.rng.uniform(0.5, 1.5) * self.think)

    async def trivial(self, deadline: float, stats: Stats) -> None:
        """Only the trivial signed-in page (bench/trivial.py), until `deadline`."""
        own, self.stats = self.stats, stats
        try:
            while time.monotonic() < deadline:
                await self.request("trivial signed-in page", "GET", "/bench/trivial")
                await self.pause()
        finally:
            self.stats = own

    async def browse(self, deadline: float) -> None:
        kinds = list(WEIGHTS)
        weights = list(WEIGHTS.values())
        while time.monotonic() < deadline:
            kind = self.rng.choices(kinds, weights)[0]
            await self.visit(kind)
            if self.stats.faults:  # in a fault run, /healthz tells when a dependency is down
                await self.healthz()
            await self.pause()

    async def healthz(self) -> None:
        """The trivial route. In a fault run, its 503 while Redis or PostgreSQL is down is right (saying
        so is the health check's job): those answers are counted apart, not as errors."""
        if not self.stats.faults:
            await self.request("hello world (/healthz)", "GET", "/healthz")
            return
        started = time.perf_counter()
        try:
            status = (await self.http.get("/healthz")).status_code
        except httpx.HTTPError as exc:
            self.stats.record("hello world (/healthz)", time.perf_counter() - started, exc.__class__.__name__)
            return
        kind = "/healthz saying 503 (a dependency down)" if status == 503 else "hello world (/healthz)"
        self.stats.record(kind, time.perf_counter() - started,
                          None if status in (200, 503) else f"{status} GET /healthz")

    async def visit(self, kind: str) -> None:
        person, rng = self.person, self.rng
        if kind == "council dashboard":
            await self.request(kind, "GET", "/dashboard")
        elif kind == "group dashboard":
            await self.request(kind, "GET", f"/dashboard/groups/{rng.choice(person.groups)}")
        elif kind == "organisation dashboard":
            await self.request(kind, "GET", f"/dashboard/organisations/{person.organisation_id}")
        elif kind == "my work":
            await self.request(kind, "GET", "/my-work")
        elif kind == "commitments list":
            params = rng.choice([{"page": rng.randint(1, 20)}, {"group": rng.choice(person.groups)},
                                 {"organisation": person.organisation_id}])
            await self.request(kind, "GET", "/tracker/commitments", params=params)
        elif kind == "recommendations list":
            await self.request(kind, "GET", "/tracker/recommendations", params={"page": rng.randint(1, 10)})
        else:
            await self.report()

    async def report(self) -> None:
        commitment = self.rng.choice(self.person.commitments)
        page = await self.request("commitment page", "GET", f"/tracker/commitments/{commitment}")
        if page is None:
            return
        await self.pause()  # reading the page and filling the form
        self.reports += 1
        note = f"bench client {self.number} report {self.reports} at {time.time():.3f}"
        # A report on one's own commitment e-mails nobody (the rest read it in the day's round-up); in a
        # fault run every other one says "blocked", which e-mails the group's co-chairs, so that e-mails
        # are being sent while each fault strikes. The next one on it says "in progress" again.
        status = ""
        if self.stats.faults:
            status = "in_progress" if commitment in self.blocked else "blocked"
        answer = await self.request("progress report (POST)", "POST",
                                    f"/tracker/commitments/{commitment}/progress", expect=(302, 303), data={
                                        "csrf_token": csrf_token(page.text),
                                        "progress": str(self.rng.randint(1, 95)), "status": status,
                                        "note": note, "links": ""})
        if answer is None:
            self.stats.failed_posts.append((commitment, note))
            return
        self.blocked.symmetric_difference_update({commitment} if status else set())
        self.stats.saved.append((commitment, note))
        await self.request("commitment page", "GET", answer.headers["location"])

    async def close(self) -> None:
        await self.http.aclose()


async def run_clients(stack: Stack, count: int, duration: float, think: float,
                      during: Callable[[], Any] | None = None, seed: int = 1,
                      stats: Stats | None = None,
                      yardstick: tuple[Stats, float] | None = None) -> tuple[Stats, float]:
    """Sign `count` people in, then let them browse for `duration` seconds; `during` (a coroutine
    function) runs alongside, e.g. the faults. With `yardstick` (figures, seconds), the clients first ask
    only for the trivial page for that long, into those figures. Returns the figures and the seconds
    measured."""
    stats = stats or Stats()
    clients = [Client(number, person, stack, stats, think, random.Random(seed * 1000 + number))
               for number, person in enumerate(people(stack, count), start=1)]
    try:
        signed = await asyncio.gather(*(client.sign_in() for client in clients))
        if not all(signed):
            print(f"{signed.count(False)} of {count} clients could not sign in", file=sys.stderr)
        if yardstick is not None:
            figures, seconds = yardstick
            until = time.monotonic() + seconds
            before, web_before = cpu.read(), cpu.web_cpu(stack.workdir)
            await asyncio.gather(*(client.trivial(until, figures)
                                   for client, ok in zip(clients, signed, strict=True) if ok))
            figures.cpu = cpu.spent(before, cpu.read())
            figures.web_cpu = cpu.web_cpu_since(web_before, cpu.web_cpu(stack.workdir))
        started = time.monotonic()
        before, web_before = cpu.read(), cpu.web_cpu(stack.workdir)
        deadline = started + duration
        # Spread the first requests over one think time, as people do not all click at once.
        async def start(client: Client) -> None:
            if think > 0:
                await asyncio.sleep(client.rng.uniform(0, think))
            await client.browse(deadline)

        tasks = [start(client) for client, ok in zip(clients, signed, strict=True) if ok]
        if during is not None:
            tasks.append(during())
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - started
        stats.cpu = cpu.spent(before, cpu.read())
        stats.web_cpu = cpu.web_cpu_since(web_before, cpu.web_cpu(stack.workdir))
    finally:
        await asyncio.gather(*(client.close() for client in clients))
    return stats, elapsed


def percentile(values: list[float], fraction: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def web_ms(stats: Stats, *kinds: str) -> str:
    """The web workers' mean CPU per request of these kinds, in ms (bench/cpu.py's WebCpu)."""
    figures = [stats.web_cpu[kind] for kind in kinds if kind in stats.web_cpu]
    count = sum(requests for requests, _ in figures)
    return f"{sum(seconds for _, seconds in figures) / count * 1000:.1f}" if count else ""


def table(stats: Stats, elapsed: float, title: str) -> str:
    """The figures as a Markdown table (sign-in is done before the clock starts: its rps is not shown)."""
    lines = [title, "",
             "| request | count | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | web CPU ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    browsing = [kind for kind in stats.latencies if not kind.startswith("sign-in") and "healthz" not in kind]
    everything: list[float] = []
    for kind in sorted(stats.latencies, key=lambda k: (k.startswith("hello"), not k.startswith("sign"), k)):
        values = stats.latencies[kind]
        if kind in browsing:
            everything += values
        rate = "" if kind.startswith("sign-in") else f"{len(values) / elapsed:.1f}"
        lines.append(f"| {kind} | {len(values)} | {rate} | {percentile(values, .5) * 1000:.0f} | "
                     f"{percentile(values, .95) * 1000:.0f} | {percentile(values, .99) * 1000:.0f} | "
                     f"{max(values) * 1000:.0f} | {stats.errors.get(kind, 0)} | {web_ms(stats, kind)} |")
    if everything:
        errors = sum(stats.errors.get(kind, 0) for kind in browsing)
        lines.append(f"| **all app pages** | {len(everything)} | {len(everything) / elapsed:.1f} | "
                     f"{percentile(everything, .5) * 1000:.0f} | {percentile(everything, .95) * 1000:.0f} | "
                     f"{percentile(everything, .99) * 1000:.0f} | {max(everything) * 1000:.0f} | {errors} | "
                     f"{web_ms(stats, *browsing)} |")
        if stats.cpu:
            lines.append("\n" + cpu.per_request(stats.cpu, len(everything)))
    for kind, samples in stats.samples.items():
        lines.append(f"\nerrors of {kind}, first ones: {'; '.join(samples)}")
    return "\n".join(lines)


def arguments(description: str | None = __doc__) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of browsing")
    parser.add_argument("--think", type=float, default=5.0, help="mean think time in seconds (0: none)")
    parser.add_argument("--size", default="10k", help="bench/generate.py size")
    parser.add_argument("--keep-database", action="store_true", help="leave council_load_bench behind")
    parser.add_argument("--without-beat", action="store_true",
                        help="no beat: a fresh database's first reminders (at :07 and :37, thousands of "
                             "e-mails) and digests (every quarter hour from 07:00 in Aqtau, 501) are not "
                             "in the measurement; e-mails of the run still go at once")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers (default: one a core)")
    parser.add_argument("--trivial", type=float, default=20.0,
                        help="seconds of the trivial signed-in page alone first (bench/load.py; 0: none)")
    return parser


def main() -> None:
    options = arguments().parse_args()
    stack = Stack(size=options.size, beat=not options.without_beat, web_workers=options.web_workers)
    stop_on_signals(stack)
    try:
        stack.start()
        print(f"load: {options.clients} clients, {options.duration:.0f} s, think {options.think:g} s",
              file=sys.stderr, flush=True)
        alone = Stats()
        load_before = os.getloadavg()
        yardstick = (alone, options.trivial) if options.trivial else None
        stats, elapsed = asyncio.run(run_clients(stack, options.clients, options.duration, options.think,
                                                 yardstick=yardstick))
        print(f"load average (1, 5, 15 min) before {load_before}, after {os.getloadavg()}")
        if options.trivial:
            title = (f"the trivial signed-in page alone, {options.clients} clients, "
                     f"think {options.think:g} s, {options.trivial:.0f} s")
            print(table(alone, options.trivial, title))
            pages = [values for kind, values in stats.latencies.items()
                     if not kind.startswith("sign-in") and "healthz" not in kind]
            trivial_rate = len(alone.latencies.get("trivial signed-in page", [])) / options.trivial
            app_rate = sum(len(values) for values in pages) / elapsed
            if trivial_rate:
                print(f"\napp pages {app_rate:.1f} req/s against the trivial page's {trivial_rate:.1f} req/s "
                      f"alone: {app_rate / trivial_rate:.2f} of it (target: at least 0.5)\n")
        print(table(stats, elapsed, f"{options.clients} clients, think {options.think:g} s, "
                                    f"{elapsed:.0f} s measured"))
        with stack.connect() as connection:
            sent = connection.execute("SELECT state, count(*) FROM notification WHERE channel = 'email' "
                                      "GROUP BY state ORDER BY state").fetchall()
            kinds = connection.execute("SELECT kind, count(*) FROM notification WHERE channel = 'email' "
                                       "GROUP BY kind ORDER BY count(*) DESC").fetchall()
        print(f"\nprogress reports saved: {len(stats.saved)}; e-mail outbox rows by state: {dict(sent)}; "
              f"messages in the SMTP sink: {len(stack.sink.received)}")
        print(f"e-mail outbox rows by kind: {dict(kinds)}")
    finally:
        stack.stop()
        if not options.keep_database:
            stack.drop_database()


if __name__ == "__main__":
    main()
