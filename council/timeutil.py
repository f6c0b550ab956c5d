"""Time helpers: everything is stored in UTC and shown in the reader's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, available_timezones

COUNCIL_TIME_ZONES = ("Asia/Aqtau", "Asia/Ashgabat", "Asia/Almaty", "Europe/Moscow", "UTC")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_in(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def is_time_zone(name: str) -> bool:
    return name in available_timezones()


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
