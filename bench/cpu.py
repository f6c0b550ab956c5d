"""Where a run's CPU went: seconds of CPU by kind of process between two readings of Linux's /proc.

A load run shares the machine's cores between the web workers, PostgreSQL, Redis and the load's own
client; its throughput says how much work a request costs all of them, and this says whose work it is.
A process that ends between the two readings is not counted (none of a run's do).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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
