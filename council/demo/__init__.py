"""Demo data drawn from the study: idempotent, so `make run` can load it every time."""

from __future__ import annotations

from council.demo import dashboard, directory, meetings, notifications, tracker
from council.notifications.services import in_app_only

DEMO_PASSWORD = directory.DEMO_PASSWORD
DEMO_TOTP_SECRET = directory.DEMO_TOTP_SECRET


def load_demo() -> list[tuple[str, str]]:
    """Load (or top up) every domain's demo data; returns the demo accounts as (e-mail, role)."""
    with in_app_only():  # the demo's history is listed in the app, not e-mailed to anyone
        accounts = directory.load()
        tracker.load()
        meetings.load()
        dashboard.load()
    notifications.load()
    notifications.read_the_history()
    return accounts
