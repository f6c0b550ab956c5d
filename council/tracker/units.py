"""Units of indicators, and amounts shown in the reader's language.

An indicator's unit is stored as written ("USD million", "hours"). The usual ones have a label in
every language; a unit that names a currency (USD, KZT or TMT, optionally in thousands or millions)
makes the values amounts of money, written with Babel's currency format of the reader's locale
("950 млн $", "1,2 mlrd KZT"). Any other unit is shown as its author wrote it.
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import format_compact_currency, format_currency
from babel.units import UnknownUnitError, format_unit
from flask_babel import lazy_pgettext, npgettext

from council.formatting import format_decimal, reader_locale, remembered

SCALES = {"": 1, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}

# The units people pick most; the form offers them, and they are translated wherever shown. The
# context keeps "minutes" of time apart from the minutes of a meeting.
UNIT_LABELS = {
    "hours": lazy_pgettext("unit", "hours"),
    "days": lazy_pgettext("unit", "days"),
    "minutes": lazy_pgettext("unit", "minutes"),
    "percent": lazy_pgettext("unit", "percent"),
    "tonnes": lazy_pgettext("unit", "tonnes"),
    "thousand tonnes": lazy_pgettext("unit", "thousand tonnes"),
    "vehicles": lazy_pgettext("unit", "vehicles"),
    "people": lazy_pgettext("unit", "people"),
    "USD": lazy_pgettext("unit", "USD"),
    "USD thousand": lazy_pgettext("unit", "USD thousand"),
    "USD million": lazy_pgettext("unit", "USD million"),
    "KZT": lazy_pgettext("unit", "KZT"),
    "KZT thousand": lazy_pgettext("unit", "KZT thousand"),
    "KZT million": lazy_pgettext("unit", "KZT million"),
    "TMT": lazy_pgettext("unit", "TMT"),
    "TMT thousand": lazy_pgettext("unit", "TMT thousand"),
    "TMT million": lazy_pgettext("unit", "TMT million"),
}

# Units CLDR knows, so a value gets the right plural form ("1 час", "3 часа", "9 часов").
CLDR_UNITS = {"hours": "duration-hour", "minutes": "duration-minute", "days": "duration-day",
              "percent": "concentr-percent", "tonnes": "mass-tonne"}

_MONEY = re.compile(r"^(?P<currency>USD|KZT|TMT)(?: (?P<scale>thousand|million|billion))?$")


def currency_of(unit: str) -> tuple[str, int] | None:
    """("USD", 1_000_000) for "USD million"; None when the unit is not money."""
    match = _MONEY.match((unit or "").strip())
    if match is None:
        return None
    return match["currency"], SCALES[match["scale"] or ""]


def unit_label(unit: str) -> str:
    """The unit in the reader's language when it is a usual one, else as written."""
    label = UNIT_LABELS.get((unit or "").strip())
    return str(label) if label is not None else unit


@remembered
def format_amount(value: Decimal | float | int | None, unit: str) -> str:
    """A value with its unit: money through Babel's currency formats, anything else as a number
    followed by the unit's name."""
    if value is None:
        return "—"
    money = currency_of(unit)
    if money is None:
        cldr = CLDR_UNITS.get((unit or "").strip())
        if cldr is not None:
            try:
                shown = str(format_unit(value, cldr, length="long", locale=reader_locale()))
            except UnknownUnitError:
                shown = ""
            if shown and cldr not in shown:  # CLDR lacks some names in some locales
                return shown
        counted_unit = _counted_unit((unit or "").strip(), value)
        if counted_unit is not None:
            return counted_unit
        return f"{format_decimal(value)} {unit_label(unit)}"
    currency, scale = money
    amount = Decimal(str(value)) * scale
    if scale == 1:
        return str(format_currency(amount, currency, locale=reader_locale()))
    return str(format_compact_currency(amount, currency, locale=reader_locale(), fraction_digits=1))


def _counted_unit(unit: str, value: Decimal | float | int) -> str | None:
    """A count of a unit CLDR does not know, in the form its number asks for: «1 транспортное
    средство», «3 транспортных средства», «5 человек». A fraction takes the form of 2 («2,5 человека»)."""
    number = Decimal(str(value))
    n = int(number) if number == number.to_integral_value() else 2
    shown = str(format_decimal(value))
    if unit == "vehicles":
        return str(npgettext("unit", "%(value)s vehicle", "%(value)s vehicles", n, value=shown))
    if unit == "people":
        return str(npgettext("unit", "%(value)s person", "%(value)s people", n, value=shown))
    return None


@remembered
def format_figure(value: Decimal | float | int | None, unit: str) -> str:
    """A value in a table whose heading names the unit: money keeps its currency, other figures are
    bare numbers."""
    if value is None:
        return "—"
    if currency_of(unit) is None:
        return str(format_decimal(value))
    return format_amount(value, unit)
