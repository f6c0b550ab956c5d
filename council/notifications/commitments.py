"""What notifications know about the tracker: the commitment sections of digests and the reminders.

Dates are the council's (Asia/Aqtau, UTC+5, like Ashgabat), the same day the tracker uses to call a
commitment overdue. Each reminder fires once per window, so a run missed by beat (or a machine down for a
day) sends it on the next run instead of never:
- due soon: once when 2 to 7 days are left, once when 1 or 0 days are left;
- overdue: once in each week of lateness (days 1–7, 8–14, …);
- escalation to the group's co-chairs: once, from 14 days of lateness.
The keys carry the due date, so moving a commitment's due date arms its reminders again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from council.directory.models import GroupRole, Membership, Organisation, User
from council.extensions import db
from council.notifications.messages import Reader, page_link
from council.notifications.models import ReminderKind
from council.notifications.reminders import Reminder, reminder_source
from council.notifications.sections import SECTION_LIMIT, Items, Line, Window, digest_section
from council.timeutil import council_today
from council.tracker.models import (
    COMMITMENT_PENDING,
    Commitment,
    CommitmentStatus,
    Recommendation,
    due_within_condition,
    overdue_condition,
)

DUE_SOON_DAYS = 14
ESCALATION_DAYS = 14
REMINDER_BATCH = 500


def _commitment_link(item: dict[str, Any]) -> str:
    return page_link("commitment", item["id"])


def _collect(*conditions: Any, today: date) -> tuple[Items, int]:
    """One query for the section's commitments, with their titles and organisations (and a count only
    when there are more than the section shows)."""
    rows = db.session.execute(
        select(Commitment.id, Commitment.code, Commitment.due_date, Recommendation.title,
               Organisation.name)
        .join(Recommendation, Commitment.recommendation_id == Recommendation.id)
        .join(Organisation, Commitment.organisation_id == Organisation.id)
        .where(*conditions).order_by(Commitment.due_date, Commitment.id).limit(SECTION_LIMIT))
    items = [{"id": id_, "code": code, "title": title, "due_date": due.isoformat(),
              "days": abs((due - today).days), "organisation": organisation}
             for id_, code, due, title, organisation in rows]
    total = len(items)
    if total == SECTION_LIMIT:
        total = db.session.scalar(select(func.count()).select_from(Commitment).where(*conditions)) or 0
    return items, total


def _theirs(person: User) -> Any:
    """The person's own commitments and their organisation's."""
    if person.organisation_id is None:
        return Commitment.owner_id == person.id
    return or_(Commitment.owner_id == person.id, Commitment.organisation_id == person.organisation_id)


# Digest sections ----------------------------------------------------------------------------------


def _what(item: dict[str, Any], reader: Reader) -> str:
    return f"{item['code']} {reader.text(item['title'])}".strip()


def _render_due(item: dict[str, Any], reader: Reader) -> Line:
    days = item["days"]
    when = ngettext("in %(num)d day", "in %(num)d days", days) if days else _("today")
    return Line(_("%(what)s: due %(date)s (%(when)s)", what=_what(item, reader),
                  date=reader.date(item["due_date"]), when=when), _commitment_link(item))


def _render_overdue(item: dict[str, Any], reader: Reader) -> Line:
    late = ngettext("%(num)d day overdue", "%(num)d days overdue", item["days"])
    text = _("%(what)s (%(organisation)s): due %(date)s, %(late)s", what=_what(item, reader),
             organisation=reader.text(item["organisation"]), date=reader.date(item["due_date"]), late=late)
    return Line(text, _commitment_link(item))


def _render_verification(item: dict[str, Any], reader: Reader) -> Line:
    return Line(_("%(what)s (%(organisation)s)", what=_what(item, reader),
                  organisation=reader.text(item["organisation"])), _commitment_link(item))


@digest_section("due_soon", _l("Due in the next 14 days"), _render_due)
def collect_due_soon(person: User, window: Window) -> tuple[Items, int]:
    today = council_today(window.until)
    return _collect(_theirs(person), due_within_condition(today, DUE_SOON_DAYS), today=today)


@digest_section("overdue", _l("Overdue: yours and your organisation's"), _render_overdue)
def collect_overdue(person: User, window: Window) -> tuple[Items, int]:
    today = council_today(window.until)
    return _collect(_theirs(person), overdue_condition(today), today=today)


@digest_section("verification", _l("Waiting for your verification"), _render_verification)
def collect_verification(person: User, window: Window) -> tuple[Items, int]:
    """Reports of done in the groups the person co-chairs (all of the council for its secretaries)."""
    from council.auth.permissions import is_secretary

    if is_secretary(person, person.council_id):
        theirs = Commitment.council_id == person.council_id
    else:
        theirs = Commitment.group_id.in_(select(Membership.group_id).where(
            Membership.user_id == person.id, Membership.role == GroupRole.CO_CHAIR))
    return _collect(Commitment.status == CommitmentStatus.REPORTED_DONE, theirs,
                    today=council_today(window.until))


# Reminders ----------------------------------------------------------------------------------------


def _reminder(commitment: Commitment, kind: ReminderKind, key: str, recipients: set[int],
              days: int) -> Reminder:
    return Reminder(kind=kind, council_id=commitment.council_id, recipient_ids=frozenset(recipients),
                    key=f"commitment:{commitment.id}:{key}:{commitment.due_date.isoformat()}",
                    group_id=commitment.group_id,
                    payload={"subject_type": "commitment", "subject_id": commitment.id,
                             "code": commitment.code, "title": commitment.recommendation.title,
                             "due_date": commitment.due_date.isoformat(), "days": days,
                             "organisation": commitment.organisation.name})


def _responsible(commitment: Commitment) -> set[int]:
    """The owner; without one (or if they left), the active people of the responsible organisation."""
    if commitment.owner_id is not None and db.session.scalar(
            select(User.active).where(User.id == commitment.owner_id)):
        return {commitment.owner_id}
    return set(db.session.scalars(select(User.id).where(
        User.organisation_id == commitment.organisation_id, User.active.is_(True))))


def _co_chairs(group_id: int) -> set[int]:
    return set(db.session.scalars(select(Membership.user_id).where(
        Membership.group_id == group_id, Membership.role == GroupRole.CO_CHAIR)))


def reminders_for(commitment: Commitment, today: date) -> Iterator[Reminder]:
    days_left = (commitment.due_date - today).days
    if 2 <= days_left <= 7:
        yield _reminder(commitment, ReminderKind.COMMITMENT_DUE, "due-7", _responsible(commitment), days_left)
    elif 0 <= days_left <= 1:
        yield _reminder(commitment, ReminderKind.COMMITMENT_DUE, "due-1", _responsible(commitment), days_left)
    elif days_left < 0:
        late = -days_left
        week = (late - 1) // 7
        yield _reminder(commitment, ReminderKind.COMMITMENT_OVERDUE, f"overdue-w{week}",
                        _responsible(commitment), late)
        if late >= ESCALATION_DAYS:
            yield _reminder(commitment, ReminderKind.COMMITMENT_ESCALATION, "escalation",
                            _co_chairs(commitment.group_id), late)


@reminder_source
def commitment_reminders(at: datetime) -> Iterator[Reminder]:
    """Every unfinished commitment due within a week or overdue, streamed by id in batches."""
    today = council_today(at)
    last_id = 0
    while True:
        batch = list(db.session.scalars(
            select(Commitment)
            .where(Commitment.status.in_(COMMITMENT_PENDING),
                   Commitment.due_date <= today + timedelta(days=7), Commitment.id > last_id)
            .options(selectinload(Commitment.recommendation).load_only(Recommendation.title),
                     selectinload(Commitment.organisation).load_only(Organisation.name))
            .order_by(Commitment.id).limit(REMINDER_BATCH)))
        if not batch:
            return
        last_id = batch[-1].id
        # Worked out before any is written: writing commits, and memory stays one batch wide.
        reminders = [reminder for commitment in batch for reminder in reminders_for(commitment, today)]
        yield from reminders
