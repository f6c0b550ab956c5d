"""The figures of the admins' status page and of /metrics, read in a few aggregate queries."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select, text

from council.auth.permissions import administrators, rule
from council.directory.models import User
from council.extensions import db
from council.notifications import outbox
from council.notifications.models import Channel, DeliveryState, DigestRun, Notification
from council.timeutil import utcnow

logger = logging.getLogger(__name__)

# Beat's periodic runs leave their last time here (Redis), so a run that had nothing to send shows too.
RUN_KEY = "council:runs:{name}"
RUNS = ("digests", "reminders", "sweep")


@rule("operations.status", who=administrators)
def _see_status(user: User, target: Any) -> bool:
    """The status page is the platform administrators' (can() lets them; nobody else)."""
    return False


@dataclass(frozen=True)
class OutboxFigures:
    by_state: dict[DeliveryState, int]
    oldest_pending: datetime | None
    in_doubt_now: int  # "sending" with the claim expired: waiting to be sent again
    failed_last_day: int
    in_doubt_sends: int  # re-sends in doubt so far (README, "E-mail delivery")


@dataclass(frozen=True)
class Status:
    outbox: OutboxFigures
    last_beat: datetime | None
    beat_stale: bool
    scheduled: bool  # a broker and beat are configured (not in-process)
    queue_length: int | None
    last_runs: dict[str, datetime | None]
    last_digest: datetime | None
    last_reminder: datetime | None
    database_bytes: int | None
    uploads_bytes: int
    uploads_files: int
    version: str


def outbox_figures(council_id: int | None = None, now: datetime | None = None) -> OutboxFigures:
    """E-mail rows by state, the oldest pending, the failures of the last day; one council or all."""
    now = now or utcnow()
    scope = [Notification.channel == Channel.EMAIL]
    if council_id is not None:
        scope.append(Notification.council_id == council_id)
    by_state = dict.fromkeys(DeliveryState, 0)
    for state, count in db.session.execute(
            select(Notification.state, func.count()).where(*scope).group_by(Notification.state)):
        by_state[DeliveryState(state)] = count
    oldest = db.session.scalar(select(func.min(Notification.created_at))
                               .where(*scope, Notification.state == DeliveryState.PENDING))
    in_doubt_now = db.session.scalar(select(func.count()).where(
        *scope, Notification.state == DeliveryState.SENDING, Notification.claimed_until < now)) or 0
    failed_last_day = db.session.scalar(select(func.count()).where(
        *scope, Notification.state == DeliveryState.FAILED,
        Notification.failed_at >= now - timedelta(days=1))) or 0
    in_doubt_sends = db.session.scalar(select(func.coalesce(func.sum(Notification.in_doubt_sends), 0))
                                       .where(*scope)) or 0
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return OutboxFigures(by_state, oldest, in_doubt_now, failed_last_day, int(in_doubt_sends))


def _redis() -> Any:
    import redis

    url = current_app.config.get("REDIS_URL")
    return redis.Redis.from_url(url, socket_timeout=2) if url else None


def record_run(name: str) -> None:
    """A periodic task finished (workers/tasks.py): remember when, for the status page."""
    import redis

    client = _redis()
    if client is None:
        return
    try:
        client.set(RUN_KEY.format(name=name), utcnow().isoformat(), ex=30 * 24 * 3600)
    except redis.RedisError as error:  # the run itself succeeded; only its trace is missing
        logger.warning("Could not record the %s run: %s", name, error)


def last_runs() -> dict[str, datetime | None]:
    import redis

    runs: dict[str, datetime | None] = dict.fromkeys(RUNS)
    client = _redis()
    if client is None:
        return runs
    try:
        values = client.mget([RUN_KEY.format(name=name) for name in RUNS])
    except redis.RedisError:
        return runs
    for name, value in zip(RUNS, values, strict=True):
        if value is not None:
            runs[name] = datetime.fromisoformat(value.decode()).astimezone(UTC)
    return runs


def queue_length() -> int | None:
    """Tasks waiting in the Celery queue (a Redis list); None without a broker or when it is down."""
    import redis

    client = _redis()
    if client is None:
        return None
    try:
        return int(client.llen(current_app.config.get("CELERY_QUEUE") or "celery"))
    except redis.RedisError:
        return None


def database_bytes() -> int | None:
    engine = db.engine
    if engine.dialect.name == "postgresql":
        return db.session.scalar(text("SELECT pg_database_size(current_database())"))
    path = engine.url.database
    if path and os.path.exists(path):
        return os.path.getsize(path)
    return None


def uploads_size() -> tuple[int, int]:
    """Bytes and files under the upload folder (evidence, meeting documents)."""
    total = files = 0
    root = Path(current_app.config["UPLOAD_FOLDER"])
    if not root.exists():
        return 0, 0
    for path in root.rglob("*"):
        if path.is_file():
            total += path.stat().st_size
            files += 1
    return total, files


def version() -> str:
    """The installed release, and the deployment's own label when it sets one (COUNCIL_RELEASE)."""
    try:
        installed = metadata.version("council")
    except metadata.PackageNotFoundError:
        installed = "unknown"
    release = os.environ.get("COUNCIL_RELEASE")
    return f"{installed} ({release})" if release else installed


def status(council_id: int | None) -> Status:
    scheduled = bool(current_app.config.get("REDIS_URL"))
    last_digest = db.session.scalar(select(func.max(DigestRun.created_at)))
    last_reminder = db.session.scalar(select(func.max(Notification.created_at))
                                      .where(Notification.kind.like("reminder.%")))
    uploads_bytes, uploads_files = uploads_size()
    return Status(
        outbox=outbox_figures(council_id), last_beat=outbox.last_beat() if scheduled else None,
        beat_stale=scheduled and outbox.beat_is_stale(), scheduled=scheduled, queue_length=queue_length(),
        last_runs=last_runs(), last_digest=last_digest, last_reminder=last_reminder,
        database_bytes=database_bytes(), uploads_bytes=uploads_bytes, uploads_files=uploads_files,
        version=version())
