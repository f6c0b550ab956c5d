"""What needs the reader, at the top of their digest: home's own sections and queries (minutes to
approve, reports to verify, their overdue and due-soon commitments), as of the digest's morning."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from council.dashboard.my_work import verification_queue
from council.directory.models import User
from council.home.services import (
    DUE_SOON_DAYS,
    Listed,
    approves_minutes,
    awaiting_approval,
    commitments_of,
    verifies,
)
from council.i18n import LANGUAGE_NAMES
from council.notifications.messages import Reader, external_url, page_link
from council.notifications.sections import Items, Line, Window, digest_section
from council.timeutil import council_today
from council.tracker.models import Commitment, due_within_condition, overdue_condition

HOME = "home.home"


def _commitment(commitment: Commitment, today: date) -> dict[str, Any]:
    return {"id": commitment.id, "code": commitment.code, "title": commitment.description,
            "organisation": commitment.organisation.name, "due_date": commitment.due_date.isoformat(),
            "days": abs((commitment.due_date - today).days)}


def _listed(listed: Listed[Commitment], today: date) -> tuple[Items, int]:
    return [_commitment(commitment, today) for commitment in listed.items], listed.total


def _what(item: dict[str, Any], reader: Reader) -> str:
    """A commitment is named by what will be done; its code and organisation come after."""
    return reader.text(item["title"]) or item["code"]


def _about(item: dict[str, Any], reader: Reader, *parts: str) -> str:
    return " · ".join((item["code"], reader.text(item["organisation"]), *parts))


def _render_approval(item: dict[str, Any], reader: Reader) -> Line:
    parts = [item["code"], reader.meeting_time(item["starts_at"], item["time_zone"])]
    if reader.language not in item["languages"]:
        parts.append(_("These minutes are not yet in %(language)s. Read them in a language you know "
                       "before you approve.", language=LANGUAGE_NAMES[reader.language]))
    return Line(reader.text(item["title"]) or item["code"],
                external_url("meetings.meeting", meeting_id=item["id"], _anchor="minutes"),
                detail=" · ".join(parts))


def _render_verification(item: dict[str, Any], reader: Reader) -> Line:
    return Line(_what(item, reader), page_link("commitment", item["id"]), detail=_about(item, reader))


def _render_overdue(item: dict[str, Any], reader: Reader) -> Line:
    late = ngettext("%(num)d day overdue", "%(num)d days overdue", item["days"])
    return Line(_what(item, reader), page_link("commitment", item["id"]), detail=_about(
        item, reader, f"{_('due %(date)s', date=reader.date(item['due_date']))}, {late}"))


def _render_due(item: dict[str, Any], reader: Reader) -> Line:
    days = item["days"]
    when = ngettext("in %(num)d day", "in %(num)d days", days) if days else _("today")
    return Line(_what(item, reader), page_link("commitment", item["id"]), detail=_about(
        item, reader, f"{_('due %(date)s', date=reader.date(item['due_date']))} ({when})"))


@digest_section("approvals", _l("Minutes waiting for your approval"), _render_approval, more=HOME,
                needs_reader=True)
def collect_approvals(person: User, window: Window) -> tuple[Items, int]:
    if not approves_minutes(person):
        return [], 0
    items = [{"id": meeting.id, "code": meeting.reference, "title": meeting.title,
              "starts_at": meeting.starts_at.isoformat(), "time_zone": meeting.time_zone,
              "languages": meeting.minutes.current.languages if meeting.minutes else []}
             for meeting in awaiting_approval(person)]
    return items, len(items)


@digest_section("verification", _l("Waiting for your verification"), _render_verification, more=HOME,
                needs_reader=True)
def collect_verification(person: User, window: Window) -> tuple[Items, int]:
    if not verifies(person):
        return [], 0
    queue = verification_queue(person)
    today = council_today(window.until)
    return [_commitment(commitment, today) for commitment in queue.commitments], queue.total


@digest_section("overdue", _l("Overdue: yours and your organisation's"), _render_overdue, more=HOME,
                needs_reader=True)
def collect_overdue(person: User, window: Window) -> tuple[Items, int]:
    today = council_today(window.until)
    return _listed(commitments_of(person, overdue_condition(today)), today)


@digest_section("due_soon", _l("Due in the next 14 days"), _render_due, more=HOME, needs_reader=True)
def collect_due_soon(person: User, window: Window) -> tuple[Items, int]:
    today = council_today(window.until)
    return _listed(commitments_of(person, due_within_condition(today, DUE_SOON_DAYS)), today)
