"""What needs the reader, at the top of their digest: home's own sections and queries (minutes to
approve, reports to verify, their overdue and due-soon commitments), as of the digest's morning."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from council.auth.permissions import is_secretary
from council.dashboard.figures import SHORT_LIST
from council.dbtypes import among
from council.directory.models import GroupRole, Membership, Organisation, PlatformRole, User
from council.extensions import db
from council.home.services import DUE_SOON_DAYS, SECTION_SIZE
from council.i18n import LANGUAGE_NAMES
from council.meetings.models import (
    Meeting,
    Minutes,
    MinutesApproval,
    MinutesRevision,
    RevisionStatus,
    session_chair,
)
from council.notifications.messages import Reader, external_url, page_link
from council.notifications.sections import Items, Line, Readers, by_window, digest_section
from council.timeutil import council_today
from council.tracker.models import (
    Commitment,
    CommitmentStatus,
    Recommendation,
    due_within_condition,
    overdue_condition,
)

HOME = "home.home"


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


# Collecting for a batch of readers ----------------------------------------------------------------
# Each section answers a whole batch (council/notifications/digests.py) with a fixed number of queries:
# the lists are ranked per owner, organisation or group in SQL (ROW_NUMBER, COUNT over the partition),
# then each reader's list is put together from their partitions. A reader's items and total are what
# home's own queries (commitments_of, verification_queue, awaiting_approval) give them.


def _known(values: Any) -> list[int]:
    """Ids for an IN list: distinct, sorted, without None."""
    return sorted({value for value in values if value is not None})


def _none(readers: Readers) -> list[tuple[Items, int]]:
    return [([], 0) for _reader in readers]


def _roles(readers: Readers) -> dict[int, dict[int, GroupRole]]:
    """Each reader's role per working group, in one query."""
    roles: dict[int, dict[int, GroupRole]] = {person.id: {} for person, _window in readers}
    for user_id, group_id, role in db.session.execute(
            select(Membership.user_id, Membership.group_id, Membership.role)
            .where(among(Membership.user_id, sorted(roles)))):
        roles[user_id][group_id] = role
    return roles


def _co_chaired(roles: dict[int, GroupRole]) -> list[int]:
    return sorted(group_id for group_id, role in roles.items() if role == GroupRole.CO_CHAIR)


def _ranked(keys: Sequence[Any], *conditions: ColumnElement[bool],
            limit: int) -> dict[tuple[Any, ...], tuple[list[Any], int]]:
    """The first `limit` commitments of each partition (by due date, then id) and the partition's size."""
    order = (Commitment.due_date, Commitment.id)
    inner = (select(*(key.label(f"key{n}") for n, key in enumerate(keys)), Commitment.id, Commitment.code,
                    Commitment.description, Commitment.due_date, Organisation.name.label("organisation"),
                    func.row_number().over(partition_by=keys, order_by=order).label("rank"),
                    func.count().over(partition_by=keys).label("total"))
             .join(Organisation, Commitment.organisation_id == Organisation.id)
             .join(Recommendation, Commitment.recommendation_id == Recommendation.id)
             .where(*conditions).subquery())
    names = [f"key{n}" for n in range(len(keys))]
    ranked: dict[tuple[Any, ...], tuple[list[Any], int]] = {}
    for row in db.session.execute(select(inner).where(inner.c.rank <= limit)
                                  .order_by(*(inner.c[name] for name in names), inner.c.rank)):
        key = tuple(row._mapping[name] for name in names)
        ranked.setdefault(key, ([], row.total))[0].append(row)
    return ranked


def _merged(parts: list[tuple[list[Any], int]], today: date, limit: int) -> tuple[Items, int]:
    """One reader's list from their disjoint partitions: the first `limit` by due date and id, and
    how many in all."""
    rows = sorted((row for part, _total in parts for row in part), key=lambda row: (row.due_date, row.id))
    items = [{"id": row.id, "code": row.code, "title": row.description, "organisation": row.organisation,
              "due_date": row.due_date.isoformat(), "days": abs((row.due_date - today).days)}
             for row in rows[:limit]]
    return items, sum(total for _part, total in parts)


def _theirs(readers: Readers, condition: Callable[[date], ColumnElement[bool]]) -> list[tuple[Items, int]]:
    """Each reader's commitments that meet the condition (home's `commitments_of`): those they own, and
    their organisation's that nobody owns. Two disjoint partitions, ranked in one query per day."""
    results = _none(readers)
    for until, positions in by_window(readers, lambda window: window.until).items():
        today = council_today(until)
        people = [readers[position][0] for position in positions]
        unowned = Commitment.owner_id.is_(None)
        keys = (unowned, func.coalesce(Commitment.owner_id, Commitment.organisation_id),
                Commitment.council_id)
        ranked = _ranked(keys, or_(among(Commitment.owner_id, _known(person.id for person in people)),
                                   and_(unowned, Commitment.organisation_id.in_(
                                       _known(person.organisation_id for person in people)))),
                         Commitment.council_id.in_(_known(person.council_id for person in people)),
                         condition(today), limit=SECTION_SIZE)
        for position, person in zip(positions, people, strict=True):
            parts = [ranked.get((False, person.id, person.council_id), ([], 0))]
            if person.organisation_id is not None:
                parts.append(ranked.get((True, person.organisation_id, person.council_id), ([], 0)))
            results[position] = _merged(parts, today, SECTION_SIZE)
    return results


@digest_section("approvals", _l("Minutes waiting for your approval"), _render_approval, more=HOME,
                needs_reader=True)
def collect_approvals(readers: Readers) -> list[tuple[Items, int]]:
    """Meetings whose published minutes wait for the reader's side (home's `awaiting_approval`), for the
    co-chairs of the batch: one query per council and side, whatever the number of co-chairs."""
    results = _none(readers)
    roles = _roles(readers)
    chairs = {position: person for position, (person, _window) in enumerate(readers)
              if _co_chaired(roles[person.id]) and person.organisation_id is not None}
    if not chairs:
        return results
    countries: dict[int | None, str] = dict(db.session.execute(
        select(Organisation.id, Organisation.country_code).where(
            Organisation.id.in_(_known(person.organisation_id for person in chairs.values())))).all())
    sides: dict[tuple[int, str], list[User]] = {}
    for person in chairs.values():
        sides.setdefault((person.council_id, countries[person.organisation_id]), []).append(person)
    waiting: dict[tuple[int, str], list[tuple[Meeting, set[int]]]] = {}
    for (council_id, country), people in sides.items():
        ids = sorted(person.id for person in people)
        groups = sorted({group for person in people for group in _co_chaired(roles[person.id])})
        sessions = select(session_chair.c.meeting_id).where(session_chair.c.meeting_id == Meeting.id,
                                                            session_chair.c.user_id.in_(ids))
        meetings = list(db.session.scalars(
            select(Meeting).join(Minutes, Minutes.meeting_id == Meeting.id)
            .join(MinutesRevision, MinutesRevision.minutes_id == Minutes.id)
            .where(Meeting.council_id == council_id, MinutesRevision.status == RevisionStatus.PUBLISHED,
                   or_(Meeting.group_id.in_(groups), and_(Meeting.group_id.is_(None), exists(sessions))),
                   ~exists(select(MinutesApproval.id).where(MinutesApproval.revision_id == MinutesRevision.id,
                                                             MinutesApproval.country_code == country)))
            .order_by(Meeting.starts_at, Meeting.id)))
        chaired: dict[int, set[int]] = {}
        if any(meeting.group_id is None for meeting in meetings):
            for meeting_id, user_id in db.session.execute(
                    select(session_chair.c.meeting_id, session_chair.c.user_id).where(
                        session_chair.c.meeting_id.in_(_known(m.id for m in meetings if m.group_id is None)),
                        session_chair.c.user_id.in_(ids))):
                chaired.setdefault(meeting_id, set()).add(user_id)
        waiting[(council_id, country)] = [(meeting, chaired.get(meeting.id, set())) for meeting in meetings]
    shown: dict[int, list[Meeting]] = {}
    for position, person in chairs.items():
        chaired_groups = set(_co_chaired(roles[person.id]))
        shown[position] = [meeting for meeting, session_chairs in
                           waiting[(person.council_id, countries[person.organisation_id])]
                           if (meeting.group_id in chaired_groups if meeting.group_id is not None
                               else person.id in session_chairs)][:SHORT_LIST]
    meeting_ids = sorted({meeting.id for meetings in shown.values() for meeting in meetings})
    if meeting_ids:  # the languages of each current revision, for the "not in your language" warning
        db.session.scalars(select(Meeting).where(Meeting.id.in_(meeting_ids))
                           .options(selectinload(Meeting.minutes).selectinload(Minutes.revisions))).all()
    for position, meetings in shown.items():
        items = [{"id": meeting.id, "code": meeting.reference, "title": meeting.title,
                  "starts_at": meeting.starts_at.isoformat(), "time_zone": meeting.time_zone,
                  "languages": meeting.minutes.current.languages if meeting.minutes else []}
                 for meeting in meetings]
        results[position] = (items, len(items))
    return results


@digest_section("verification", _l("Waiting for your verification"), _render_verification, more=HOME,
                needs_reader=True)
def collect_verification(readers: Readers) -> list[tuple[Items, int]]:
    """Commitments reported done that the reader may verify (home's `verification_queue`): council-wide
    for secretaries and administrators, in the groups they co-chair for co-chairs; ranked per group."""
    results = _none(readers)
    roles = _roles(readers)
    verifiers: dict[int, tuple[User, list[int] | None]] = {}
    for position, (person, _window) in enumerate(readers):
        if person.role == PlatformRole.ADMIN or is_secretary(person, person.council_id):
            verifiers[position] = (person, None)
        elif chaired := _co_chaired(roles[person.id]):
            verifiers[position] = (person, chaired)
    if not verifiers:
        return results
    ranked = _ranked((Commitment.council_id, Commitment.group_id),
                     Commitment.council_id.in_(_known(person.council_id for person, _ in verifiers.values())),
                     Commitment.status == CommitmentStatus.REPORTED_DONE, limit=SHORT_LIST)
    for position, (person, groups) in verifiers.items():
        parts = [part for (council_id, group_id), part in ranked.items()
                 if council_id == person.council_id and (groups is None or group_id in groups)]
        results[position] = _merged(parts, council_today(readers[position][1].until), SHORT_LIST)
    return results


@digest_section("overdue", _l("Overdue: yours and your organisation's"), _render_overdue, more=HOME,
                needs_reader=True)
def collect_overdue(readers: Readers) -> list[tuple[Items, int]]:
    return _theirs(readers, overdue_condition)


@digest_section("due_soon", _l("Due in the next 14 days"), _render_due, more=HOME, needs_reader=True)
def collect_due_soon(readers: Readers) -> list[tuple[Items, int]]:
    return _theirs(readers, lambda today: due_within_condition(today, DUE_SOON_DAYS))
