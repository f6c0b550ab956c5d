"""The tracker's badges, written by Python: a status, "overdue", a progress bar.

A list shows three of them on every row, and calling a Jinja macro cost more than the badge it wrote.
Each is remembered per reader's language and value (council/formatting.py, `remembered`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Protocol

from flask_babel import gettext as _
from markupsafe import Markup, escape

from council.formatting import format_date, percent, remembered


class Dated(Protocol):
    due_date: date

    def is_overdue(self, today: date) -> bool: ...


@remembered
def status_badge(status: Enum) -> Markup:
    """A status in its colour: `status` is any of the tracker's statuses (a value and a label)."""
    label = getattr(status, "label", status.value)
    return Markup(f'<span class="badge status status-{escape(status.value)}">{escape(label)}</span>')  # noqa: S704


def overdue_badge(commitment: Dated, today: date) -> Markup:
    """"Overdue", its due date on hover; nothing for a commitment that is not overdue."""
    return _overdue(commitment.due_date) if commitment.is_overdue(today) else Markup("")


@remembered
def _overdue(due_date: date) -> Markup:
    title = escape(_("Due %(date)s", date=format_date(due_date)))
    return Markup(f'<span class="badge overdue" title="{title}">{escape(_("Overdue"))}</span>')  # noqa: S704


def progress_bar(value: int | float | Decimal | None) -> Markup:
    """A progress bar with its percentage written the reader's way; a dash for no value."""
    if value is None:
        return Markup('<span class="muted">—</span>')
    return _progress(value)


@remembered
def _progress(value: int | float | Decimal) -> Markup:
    written = escape(percent(value))
    return Markup(f'<span class="progress-value"><progress value="{escape(value)}" max="100">'  # noqa: S704
                  f'{written}</progress> {written}</span>')


TEMPLATE_GLOBALS = {"status_badge": status_badge, "overdue_badge": overdue_badge,
                    "progress_bar": progress_bar}
