"""App-wide template filters: sizes, percentages, and numbers, dates and counts written the reader's way.

The tracker's amounts and indicator units are in council/tracker/units.py.

Babel rebuilds its formats for every call (the locale's data looked up through aliases, a compact
currency's pattern chosen among a dozen): a dashboard writes about 400 numbers and dates, and that was
two thirds of its time. Each formatter here remembers what it wrote, per (formatter, locale, time zone
for datetimes) and value, so a number is formatted once per process and language (bounded memory).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

import flask_babel
from babel.dates import get_date_format, get_datetime_format, get_time_format
from babel.numbers import get_decimal_symbol, get_group_symbol
from babel.units import format_unit
from flask_babel import get_locale, get_timezone
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

P = ParamSpec("P")
R = TypeVar("R")

# Distinct (formatter, locale, value) entries kept per formatter; a full table starts again empty.
REMEMBERED = 20_000


def _value_key(value: Any) -> Any:
    """What tells two values apart for a formatter: the type and, for Decimals, the digits as written
    (Decimal("1.5") == Decimal("1.50") but their formats may differ)."""
    return (type(value), str(value) if isinstance(value, Decimal) else value)


def remembered(formatter: Callable[P, R]) -> Callable[P, R]:
    """`formatter`, remembering its answer per locale (and time zone for datetimes) and arguments.

    Only for formatters whose answer depends on nothing else: the reader's locale, the arguments and,
    for a datetime, the reader's time zone (the translations and CLDR data never change in a process).
    """
    table: dict[Any, R] = {}

    @functools.wraps(formatter)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not args or args[0] is None:  # Flask-Babel writes "now" for a missing date: never remembered
            return formatter(*args, **kwargs)
        zone = str(get_timezone()) if any(isinstance(arg, datetime) for arg in args) else ""
        try:
            key = (str(get_locale()), zone, tuple(_value_key(arg) for arg in args),
                   tuple(sorted((name, _value_key(arg)) for name, arg in kwargs.items())))
            hash(key)
        except TypeError:  # an unhashable argument: formatted every time
            return formatter(*args, **kwargs)
        found = table.get(key)
        if found is None:
            found = formatter(*args, **kwargs)
            if len(table) >= REMEMBERED:
                table.clear()
            table[key] = found
        return found

    return wrapper


# One way to write a moment, everywhere (pages, e-mails, reports): a year in four digits (CLDR's short
# date is "05.12.26" in Kazakh and "12/5/26" in English) and a time to the minute (its medium time has
# seconds, "10:00:00"). The named formats ("short", "medium", "long", "full") become these patterns.
NAMED_FORMATS = frozenset({"short", "medium", "long", "full"})


@functools.cache
def date_pattern(format: str, locale: str) -> str:
    """The locale's date pattern of that name with a four-digit year; any other pattern as it is."""
    if format not in NAMED_FORMATS:
        return format
    return re.sub(r"(?<!y)yy(?!y)", "y", get_date_format(format, locale).pattern)  # type: ignore[arg-type]


@functools.cache
def datetime_pattern(format: str, locale: str) -> str:
    """The locale's date pattern of that name (four-digit year) with its time to the minute."""
    if format not in NAMED_FORMATS:
        return format
    joined = str(get_datetime_format(format, locale))  # type: ignore[arg-type]
    return joined.replace("{1}", date_pattern(format, locale)).replace(
        "{0}", get_time_format("short", locale).pattern)


def _format_date(value: date | datetime | None = None, format: str = "medium") -> str:
    return str(flask_babel.format_date(value, date_pattern(format, reader_locale())))


def _format_datetime(value: datetime | None = None, format: str = "medium") -> str:
    return str(flask_babel.format_datetime(value, datetime_pattern(format, reader_locale())))


format_date = remembered(_format_date)
format_datetime = remembered(_format_datetime)
format_decimal = remembered(flask_babel.format_decimal)
format_percent = remembered(flask_babel.format_percent)


def reader_locale() -> str:
    """The reader's locale for Babel (Russian outside a request)."""
    locale = get_locale()
    return str(locale) if locale is not None else "ru"


@remembered
def file_size(size: int | None) -> str:
    """A file's size in kilobytes or megabytes, written the reader's way ("12 кБ", "1,5 MB")."""
    size = size or 0
    if size < 1024 * 1024:
        return str(format_unit(max(1, round(size / 1024)), "digital-kilobyte", length="short",
                               locale=reader_locale()))
    return str(format_unit(round(size / 1024 / 1024, 1), "digital-megabyte", length="short",
                           locale=reader_locale()))


@remembered
def percent(value: float | int | Decimal | None) -> str:
    """45 → "45 %" in Russian and Turkmen, "45%" in Kazakh and English (CLDR's percent pattern)."""
    if value is None:
        return "—"
    return str(format_percent(Decimal(str(value)) / 100))


def number_symbols() -> dict[str, str]:
    """How the reader's language writes numbers, for the charts drawn in the browser: the browser's
    own locale (or its missing kk and tk data) must not write "1,200" beside the table's "1 200"."""
    return _number_symbols(reader_locale())


@remembered
def _number_symbols(locale: str) -> dict[str, str]:
    # Every page's layout asks for them: looked up in Babel's data once per process and language.
    return {"decimal": get_decimal_symbol(locale), "group": get_group_symbol(locale),
            "percent": str(format_percent(Decimal("0.45"))).replace("45", "#")}


@remembered
def iso_date(value: str | None) -> str:
    """A date kept as ISO text (in an event's payload) written the reader's way; else as it is."""
    try:
        return str(format_date(date.fromisoformat(str(value))))
    except ValueError:
        return str(value or "—")


@remembered
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


def page_gettext(translations: Any) -> dict[str, Callable[..., str]]:
    """The templates' `_()`, `ngettext()`, `pgettext()` and `npgettext()` bound to one catalogue, for the
    context of one page: the reader's catalogue is looked up once, not at each of a page's hundred-odd
    calls (Flask-Babel's callables ask for it every time: 22 µs a call against 8). They behave as
    Jinja's newstyle callables (the text marked safe where the template escapes, then always filled in
    with %), counts written the reader's way. Macros imported without context use the environment's."""
    return {
        "gettext": _newstyle(translations.ugettext, {}),
        "ngettext": _newstyle(lambda s, p, n: counted(translations.ungettext(s, p, n), n), {"num": 2}),
        "pgettext": _newstyle(translations.upgettext, {"context": 0}),
        "npgettext": _newstyle(lambda c, s, p, n: counted(translations.unpgettext(c, s, p, n), n),
                               {"context": 0, "num": 3}),
    }


def _newstyle(lookup: Callable[..., str], named: dict[str, int]) -> Callable[..., str]:
    """`lookup` as Jinja's newstyle gettext calls it; `named`: arguments that are also placeholders
    ("num", "context"), by position."""

    @pass_context
    def translated(context: Context, *arguments: Any, **variables: Any) -> str:
        for name, position in named.items():
            variables.setdefault(name, arguments[position])
        text = lookup(*arguments)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704  our own catalogue, as Jinja's gettext does
        return text % variables

    return translated
