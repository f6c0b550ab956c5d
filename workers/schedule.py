"""The beat schedule, in one place. RedBeat stores it in Redis; times are UTC.

Digests and reminders run often and decide for themselves who is due (07:00 in each person's time
zone, the dates of commitments and meetings); their records make a second run send nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery.schedules import crontab


def beat_schedule(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "outbox-sweep": {"task": "council.notifications.sweep",
                         "schedule": float(config["OUTBOX_SWEEP_SECONDS"])},
        "digests": {"task": "council.digests.plan", "schedule": crontab(minute="*/15")},
        "reminders": {"task": "council.reminders.send", "schedule": crontab(minute="7,37")},
    }
