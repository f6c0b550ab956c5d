"""Time helpers: everything is stored in UTC and shown in the reader's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import get_timezone_location
from flask_babel import get_locale

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


def time_zone_name(tz: str | None) -> str:
    """"Актау (UTC+5)": the city in the reader's language and today's offset."""
    if not tz or tz == "UTC":
        return tz or "—"
    try:
        offset = datetime.now(ZoneInfo(tz)).utcoffset() or timedelta()
    except (ZoneInfoNotFoundError, ValueError):
        return tz
    total = int(offset.total_seconds()) // 60
    hours, minutes = divmod(abs(total), 60)
    shift = ("-" if total < 0 else "+") + str(hours) + (f":{minutes:02d}" if minutes else "")
    city = get_timezone_location(tz, locale=get_locale() or "ru", return_city=True)
    return f"{city} (UTC{shift})"
