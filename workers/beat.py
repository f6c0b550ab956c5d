"""The beat scheduler: RedBeat (schedule and lock in Redis) that also leaves a heartbeat there.

It outlives a Redis outage. RedBeat's own tick raised on the first refused connection and beat exited
(nothing restarts it, and the outbox sweep, digests and reminders stopped for good; bench/faults.py);
ours waits, and when Redis is back, perhaps empty (no persistence), takes the lock again and reinstalls
the schedule before going on.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import redis
from redbeat.schedulers import RedBeatScheduler, acquire_distributed_beat_lock, get_redis
from redis.exceptions import LockError

from council.notifications.outbox import record_beat

logger = logging.getLogger(__name__)

# A refused or lost connection, a timeout, or the lock gone with Redis's data.
REDIS_TROUBLE = (redis.ConnectionError, redis.TimeoutError, LockError)


class CouncilScheduler(RedBeatScheduler):
    lost_redis = False

    def tick(self, *args: Any, **kwargs: Any) -> float:
        try:
            # A standby whose wait for the lock met a Redis outage has a lock key and no lock (RedBeat
            # swallows the error in beat_init): its first tick would fail on the missing lock and exit.
            if self.lost_redis or (self.lock_key and getattr(self, "lock", None) is None):
                self.recover()
            # Only the beat holding the lock gets past this (tick extends the lock first), so the
            # heartbeat says "a beat is scheduling", which is what the admins' page needs to know.
            interval = super().tick(*args, **kwargs)
            record_beat(get_redis(self.app))
        except REDIS_TROUBLE as error:
            if not self.lost_redis:
                logger.warning("beat: Redis unavailable (%s: %s); trying again every %s s",
                               error.__class__.__name__, error, self.max_interval)
            self.lost_redis = True
            return float(self.max_interval)
        return float(interval)

    def recover(self) -> None:
        """Redis answers again: hold the lock (again, if it went with the data; a standby beat may have
        it now, and then this one waits, as at start) and reinstall the schedule."""
        lock = getattr(self, "lock", None)
        if self.lock_key and (lock is None or not lock.owned()):
            acquire_distributed_beat_lock(sender=SimpleNamespace(scheduler=self))
        self.setup_schedule()
        self.lost_redis = False
        logger.warning("beat: Redis is back; lock held and schedule installed")
