"""The beat scheduler: RedBeat (schedule and lock in Redis) that also leaves a heartbeat there."""

from __future__ import annotations

from typing import Any

from redbeat.schedulers import RedBeatScheduler, get_redis

from council.notifications.outbox import record_beat


class CouncilScheduler(RedBeatScheduler):
    def tick(self, *args: Any, **kwargs: Any) -> float:
        # Only the beat holding the lock gets here (tick extends the lock first), so the heartbeat
        # says "a beat is scheduling", which is what the admins' page needs to know.
        interval = super().tick(*args, **kwargs)
        record_beat(get_redis(self.app))
        return float(interval)
