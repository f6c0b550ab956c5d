"""App-wide template filters: sizes, percentages, and numbers, dates and counts written the reader's way.

The tracker's amounts and indicator units are in council/tracker/units.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.units import format_unit
from flask_babel import format_date, format_decimal, format_percent, get_locale


def reader_locale() -> str:
    """The reader's locale for Babel (Russian outside a request)."""
    locale = get_locale()
    return str(locale) if locale is not None else "ru"


def file_size(size: int | None) -> str:
    """A file's size in kilobytes or megabytes, written the reader's way ("12 кБ", "1,5 MB")."""
    size = size or 0
    if size < 1024 * 1024:
        return str(format_unit(max(1, round(size / 1024)), "digital-kilobyte", length="short",
                               locale=reader_locale()))
    return str(format_unit(round(size / 1024 / 1024, 1), "digital-megabyte", length="short",
                           locale=reader_locale()))


def percent(value: float | int | Decimal | None) -> str:
    """45 → "45 %" in Russian and Turkmen, "45%" in Kazakh and English (CLDR's percent pattern)."""
    if value is None:
        return "—"
    return str(format_percent(Decimal(str(value)) / 100))


def iso_date(value: str | None) -> str:
    """A date kept as ISO text (in an event's payload) written the reader's way; else as it is."""
    try:
        return str(format_date(date.fromisoformat(str(value))))
    except ValueError:
        return str(value or "—")


def number_text(value: str | None) -> str:
    """A number kept as text (in an event's payload) written the reader's way; else as it is."""
    try:
        return str(format_decimal(Decimal(str(value)).normalize()))
    except ArithmeticError:
        return str(value or "—")


# The placeholders a plural message names its count with: `num` in ngettext(), `count` in {% trans %}.
_COUNT_PLACEHOLDERS = ("%(num)d", "%(num)s", "%(count)d", "%(count)s")


def counted(message: str, n: int) -> str:
    """A plural message with its count already written the reader's way ("12 345", not "12345");
    the other placeholders are left for the caller to fill."""
    if not isinstance(n, int) or abs(n) < 1000:
        return message
    shown = str(format_decimal(n)).replace("%", "%%")
    for placeholder in _COUNT_PLACEHOLDERS:
        message = message.replace(placeholder, shown)
    return message
