"""Demo data drawn from the study: idempotent, so `make run` can load it every time."""

from __future__ import annotations

from council.demo import dashboard, directory, meetings, tracker

DEMO_PASSWORD = directory.DEMO_PASSWORD


def load_demo() -> list[tuple[str, str]]:
    """Load (or top up) every domain's demo data; returns the demo accounts as (e-mail, role)."""
    accounts = directory.load()
    tracker.load()
    meetings.load()
    dashboard.load()
    return accounts
