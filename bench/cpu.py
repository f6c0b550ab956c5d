"""Where a run's CPU went: seconds of CPU by kind of process between two readings of Linux's /proc.

A load run shares the machine's cores between the web workers, PostgreSQL, Redis and the load's own
client; its throughput says how much work a request costs all of them, and this says whose work it is.
A process that ends between the two readings is not counted (none of a run's do).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

PROC = Path("/proc")
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Reading:
    by_kind: dict[str, float]  # CPU seconds used so far by the processes alive, by kind
    idle: float  # the machine's idle seconds so far, all cores together


def _kind(pid: int, name: str, command: bytes) -> str:
    if pid == os.getpid():
        return "load client"
    if b"gunicorn" in command:
        return "web"
    if b"celery" in command:
        return "Celery"
    if name.startswith("postgres"):
        return "PostgreSQL"
    if name.startswith("redis-server"):
        return "Redis"
    return "other"


def read() -> Reading:
    by_kind: dict[str, float] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        seconds = (int(fields[11]) + int(fields[12])) / TICK  # utime and stime
        kind = _kind(int(entry.name), name, command)
        by_kind[kind] = by_kind.get(kind, 0.0) + seconds
    cpu = (PROC / "stat").read_text().splitlines()[0].split()
    return Reading(by_kind, int(cpu[4]) / TICK)


def spent(before: Reading, after: Reading) -> dict[str, float]:
    """CPU seconds by kind between the readings (processes alive at both), and "idle"."""
    kinds = sorted(set(after.by_kind) & set(before.by_kind))
    figures = {kind: max(0.0, after.by_kind[kind] - before.by_kind[kind]) for kind in kinds}
    figures["idle"] = after.idle - before.idle
    return figures


def per_request(figures: dict[str, float], requests: int) -> str:
    """"web 12.1, PostgreSQL 3.0, … ms of CPU a request; idle 8 %" for a table's note."""
    if not requests or not figures:
        return ""
    busy = {kind: seconds for kind, seconds in figures.items() if kind != "idle"}
    everything = sum(busy.values()) + figures["idle"]
    parts = ", ".join(f"{kind} {seconds / requests * 1000:.1f}"
                      for kind, seconds in sorted(busy.items(), key=lambda item: -item[1]) if seconds > 0)
    total = sum(busy.values()) / requests * 1000
    idle = figures["idle"] / everything * 100 if everything else 0.0
    return f"CPU ms a request: {total:.1f} in all ({parts}); the cores idle {idle:.0f} % of the time"


# The web workers' own CPU per page ----------------------------------------------------------------------

# A request's path, as the load run's kinds name it (bench/load.py); the first that matches wins.
PAGE_KINDS = [
    ("POST", re.compile(r"/tracker/commitments/\d+/progress$"), "progress report (POST)"),
    ("POST", re.compile(r"/login$"), "sign-in"),
    ("GET", re.compile(r"/login$"), "sign-in page"),
    ("GET", re.compile(r"/bench/trivial$"), "trivial signed-in page"),
    ("GET", re.compile(r"/dashboard/?$"), "council dashboard"),
    ("GET", re.compile(r"/dashboard/groups/\d+$"), "group dashboard"),
    ("GET", re.compile(r"/dashboard/organisations/\d+$"), "organisation dashboard"),
    ("GET", re.compile(r"/my-work$"), "my work"),
    ("GET", re.compile(r"/tracker/commitments$"), "commitments list"),
    ("GET", re.compile(r"/tracker/recommendations$"), "recommendations list"),
    ("GET", re.compile(r"/tracker/commitments/\d+$"), "commitment page"),
    ("GET", re.compile(r"/healthz$"), "hello world (/healthz)"),
]


def page_kind(method: str, path: str) -> str:
    for kind_method, pattern, kind in PAGE_KINDS:
        if method == kind_method and pattern.match(path):
            return kind
    return f"other {method}"


class WebCpu:
    """WSGI middleware for the benches' gunicorn: appends each request's kind and the CPU seconds the
    thread serving it spent on it (from the call into the app until it returns, which for Flask holds
    the whole page; a worker's other threads serve other requests meanwhile) to a file of its own per
    worker in `folder`. One short write per request, about 10 µs."""

    def __init__(self, app: Callable[..., Iterable[bytes]], folder: Path) -> None:
        self.app, self.folder = app, folder
        self.out: IO[str] | None = None
        self.lock = threading.Lock()  # the worker's threads share its file

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.thread_time()
        try:
            return self.app(environ, start_response)
        finally:
            spent = time.thread_time() - started
            kind = page_kind(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""))
            with self.lock:
                if self.out is None:  # opened after gunicorn forks this worker
                    self.out = open(self.folder / f"web-cpu-{os.getpid()}.tsv", "a", buffering=1)  # noqa: SIM115
                self.out.write(f"{kind}\t{spent:.6f}\n")

    def close(self) -> None:
        """The worker's file (gunicorn's workers keep theirs until they exit)."""
        if self.out is not None:
            self.out.close()
            self.out = None


def web_cpu(folder: Path) -> dict[str, tuple[int, float]]:
    """What the web workers wrote so far: (requests, CPU seconds) by kind of page."""
    totals: dict[str, tuple[int, float]] = {}
    for path in folder.glob("web-cpu-*.tsv"):
        for line in path.read_text().splitlines():
            kind, _, seconds = line.partition("\t")
            count, total = totals.get(kind, (0, 0.0))
            totals[kind] = (count + 1, total + float(seconds or 0))
    return totals


def web_cpu_since(before: dict[str, tuple[int, float]],
                  after: dict[str, tuple[int, float]]) -> dict[str, tuple[int, float]]:
    """The requests and CPU seconds by kind between two readings of `web_cpu` (kinds with new requests)."""
    since: dict[str, tuple[int, float]] = {}
    for kind, (count, total) in after.items():
        count_before, total_before = before.get(kind, (0, 0.0))
        if count > count_before:
            since[kind] = (count - count_before, total - total_before)
    return since
