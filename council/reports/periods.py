"""The period a report covers, from the form's words: a quarter, a half-year, a year, or two dates, and
the period of the same length just before it (for "what changed")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from council.errors import ValidationFailed

KINDS = ("quarter", "half", "year", "dates")
MIN_YEAR, MAX_YEAR = 2000, 2100
LONGEST_DAYS = 366 * 5


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # included

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period just before: the previous quarter, half-year or year, or as many days before."""
        if self.kind == "quarter":
            return quarter(*_step(self.start, -3), self.kind)
        if self.kind == "half":
            return quarter(*_step(self.start, -6), self.kind)
        if self.kind == "year":
            return Period(self.kind, self.start.replace(year=self.start.year - 1),
                          self.end.replace(year=self.end.year - 1))
        end = self.start - timedelta(days=1)
        return Period(self.kind, end - timedelta(days=self.days - 1), end)

    def as_parameters(self) -> dict[str, str]:
        return {"period": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat()}


def _step(start: date, months: int) -> tuple[int, int]:
    index = start.year * 12 + start.month - 1 + months
    return index // 12, index % 12 + 1


def _month_end(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def quarter(year: int, month: int, kind: str) -> Period:
    """The quarter (or half-year) that starts in `month` of `year`."""
    length = 3 if kind == "quarter" else 6
    end_year, end_month = _step(date(year, month, 1), length - 1)
    return Period(kind, date(year, month, 1), _month_end(end_year, end_month))


def period_of(kind: str, *, year: int | None, part: int | None, start: date | None,
              end: date | None) -> Period:
    """The period the form names; a missing or impossible value is refused naming its field."""
    if kind not in KINDS:
        raise ValidationFailed(_("Choose the period: a quarter, a half-year, a year or dates."), "period")
    if kind == "dates":
        if start is None:
            raise ValidationFailed(_("Enter the first day of the period."), "start")
        if end is None:
            raise ValidationFailed(_("Enter the last day of the period."), "end")
        if end < start:
            raise ValidationFailed(_("The period's end must not be before its start."), "end")
        if (end - start).days > LONGEST_DAYS:
            raise ValidationFailed(_("A report covers at most five years."), "end")
        return Period(kind, start, end)
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(_("Enter a year between %(first)d and %(last)d.", first=MIN_YEAR,
                                 last=MAX_YEAR), "year")
    if kind == "year":
        return Period(kind, date(year, 1, 1), date(year, 12, 31))
    parts = 4 if kind == "quarter" else 2
    if part is None or not 1 <= part <= parts:
        raise ValidationFailed(_("Choose which quarter or half-year."), "part")
    return quarter(year, (part - 1) * (12 // parts) + 1, kind)
