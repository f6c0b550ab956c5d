"""Time helpers: everything is stored in UTC and shown in the reader's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import get_timezone_location
from flask import current_app, has_app_context
from flask_babel import get_locale

from council.config import COUNCIL_TIME_ZONE

COUNCIL_TIME_ZONES = ("Asia/Aqtau", "Asia/Ashgabat", "Asia/Almaty", "Europe/Moscow", "UTC")


def utcnow() -> datetime:
    return datetime.now(UTC)


def council_time_zone() -> str:
    """The zone of the council's calendar (Config.COUNCIL_TIME_ZONE; its default outside the app)."""
    return str(current_app.config["COUNCIL_TIME_ZONE"]) if has_app_context() else COUNCIL_TIME_ZONE


def council_today(at: datetime | None = None) -> date:
    """The council's calendar day now (or at `at`): what "overdue" and "due soon" are measured against."""
    return (at or utcnow()).astimezone(ZoneInfo(council_time_zone())).date()


def is_time_zone(name: str) -> bool:
    return name in available_timezones()


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
