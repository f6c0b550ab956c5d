"""The meetings the dashboards and "my work" list: the queries, and the lists kept as plain cards.

Each dashboard listed its next meetings and its latest approved minutes, and "my work" the meetings its
reader is invited to, with a query each at every view: about a tenth of those pages. The lists change
only by a meeting's events (a meeting scheduled, its agenda published, moved, cancelled, its minutes
approved or made public, invitations sent), which all move the council's own generation
(council/dashboard/cache.py, `changed_parts`), and by time: a meeting that ends leaves the coming ones.
So each list is kept (council/generations.py) with the moment the first of its meetings ends, and read
again then, or at the council's next change.

Drafts are for those who may edit them (council/meetings/services.py, `visible_meetings`): a scope's
kept list holds its next meetings that are not drafts and, apart, its coming drafts (a handful at most;
more and the list is read for each reader as before), and each reader's list is merged from the two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.orm import joinedload

from council import generations
from council.auth.permissions import group_roles
from council.dashboard.figures import SHORT_LIST, Scope
from council.directory.models import GroupRole, User
from council.extensions import db
from council.generations import EVERY_COUNCIL
from council.i18n import KeptName
from council.meetings.models import (
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesApproval,
    MinutesRevision,
    RevisionStatus,
    session_chair,
)
from council.meetings.services import drafts_seen_in, visible_meetings
from council.timeutil import utcnow

# The queries ----------------------------------------------------------------------------------------

UPCOMING_MEETINGS = 5
RECENT_MINUTES = 5


def approved_condition(meeting_id: Any) -> ColumnElement[bool]:
    """SQL: the meeting has minutes of which a revision was approved (an amendment may be under way)."""
    return exists(select(MinutesRevision.id).join(Minutes, Minutes.id == MinutesRevision.minutes_id)
                  .where(Minutes.meeting_id == meeting_id, MinutesRevision.approved_at.is_not(None)))


def upcoming_meetings(reader: User, scope: Scope, limit: int = UPCOMING_MEETINGS) -> list[Meeting]:
    """The next meetings the reader may see: of the council, of a group, or to which an organisation
    or its people are invited (one query, their groups read with them)."""
    return list(db.session.scalars(coming_meetings(visible_meetings(reader), scope).limit(limit)))


def coming_meetings(query: Select[Meeting], scope: Scope) -> Select[Meeting]:
    """`query` narrowed to the scope's meetings not over nor cancelled, the first first, with their
    groups: the council's, a group's, or those to which an organisation or its people are invited."""
    query = (query.where(Meeting.not_over(utcnow()), Meeting.status != MeetingStatus.CANCELLED)
             .options(joinedload(Meeting.group)).order_by(Meeting.starts_at, Meeting.id))
    if scope.group_id is not None:
        query = query.where(Meeting.group_id == scope.group_id)
    if scope.organisation_id is not None:
        query = query.where(exists(select(Invitation.id).where(
            Invitation.meeting_id == Meeting.id,
            or_(Invitation.organisation_id == scope.organisation_id,
                Invitation.user_id.in_(select(User.id).where(
                    User.organisation_id == scope.organisation_id))))))
    return query


def approved_minutes(scope: Scope, limit: int = RECENT_MINUTES) -> list[Meeting]:
    """The latest meetings whose minutes were approved; on the portal, those marked public."""
    query = (select(Meeting).where(Meeting.council_id == scope.council_id, approved_condition(Meeting.id))
             .options(joinedload(Meeting.group)).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
             .limit(limit))
    if scope.group_id is not None:
        query = query.where(Meeting.group_id == scope.group_id)
    if scope.public:
        query = query.where(Meeting.is_public.is_(True))
    return list(db.session.scalars(query))


def my_meetings(user: User, limit: int = UPCOMING_MEETINGS) -> list[Meeting]:
    """The next meetings the person, or their organisation, is invited to."""
    invited = Invitation.user_id == user.id
    if user.organisation_id is not None:
        invited = or_(invited, Invitation.organisation_id == user.organisation_id)
    query = (select(Meeting).where(
        Meeting.council_id == user.council_id, Meeting.not_over(utcnow()),
        Meeting.status.not_in([MeetingStatus.DRAFT, MeetingStatus.CANCELLED]),
        exists(select(Invitation.id).where(Invitation.meeting_id == Meeting.id, invited)))
        .options(joinedload(Meeting.group)).order_by(Meeting.starts_at, Meeting.id).limit(limit))
    return list(db.session.scalars(query))


def minutes_awaiting(user: User, limit: int = SHORT_LIST) -> list[Meeting]:
    """Meetings whose published minutes wait for this co-chair's approval (their side has not approved)."""
    country = user.organisation.country_code if user.organisation is not None else None
    if country is None:
        return []
    co_chaired = [group_id for group_id, role in group_roles(user).items() if role == GroupRole.CO_CHAIR]
    chairs = or_(Meeting.group_id.in_(co_chaired), and_(Meeting.group_id.is_(None), exists(
        select(session_chair.c.meeting_id).where(session_chair.c.meeting_id == Meeting.id,
                                                 session_chair.c.user_id == user.id))))
    query = (select(Meeting).join(Minutes, Minutes.meeting_id == Meeting.id)
             .join(MinutesRevision, MinutesRevision.minutes_id == Minutes.id)
             .where(Meeting.council_id == user.council_id, MinutesRevision.status == RevisionStatus.PUBLISHED,
                    chairs, ~exists(select(MinutesApproval.id).where(
                        MinutesApproval.revision_id == MinutesRevision.id,
                        MinutesApproval.country_code == country)))
             .options(joinedload(Meeting.group)).order_by(Meeting.starts_at, Meeting.id).limit(limit))
    return list(db.session.scalars(query))


# Kept as cards -------------------------------------------------------------------------------------

KEPT = 3600  # seconds, as the dashboards' blocks: the longest a lost move of a generation could last
MAX_DRAFTS = 20  # coming drafts kept beside a scope's list; with more, each reader's is read apart


@dataclass(frozen=True)
class MeetingCard:
    """What a list of meetings shows of one, and what tells who may organise it: plain values, which
    the cache may keep and every reader may be shown."""

    id: int
    council_id: int
    group_id: int | None
    created_by_id: int | None
    kind: MeetingKind
    status: MeetingStatus
    reference: str
    title: dict[str, str]
    original_language: str
    starts_at: datetime
    ends_at: datetime
    place: str | None
    online_url: str | None
    is_public: bool
    group: KeptName | None


def card(meeting: Meeting) -> MeetingCard:
    return MeetingCard(
        meeting.id, meeting.council_id, meeting.group_id, meeting.created_by_id, meeting.kind, meeting.status,
        meeting.reference, dict(meeting.title or {}), meeting.original_language, meeting.starts_at,
        meeting.ends_at, meeting.place, meeting.online_url, meeting.is_public, KeptName.of(meeting.group))


@dataclass(frozen=True)
class Coming:
    """A list of coming meetings as kept: those anyone may see, the drafts, and when the first ends."""

    meetings: list[MeetingCard]
    drafts: list[MeetingCard]
    until: datetime | None  # the end of the first meeting: the list is read again after it

    def current(self) -> bool:
        return self.until is None or utcnow() <= self.until


def upcoming(reader: User, scope: Scope, limit: int = UPCOMING_MEETINGS) -> list[MeetingCard]:
    """upcoming_meetings as cards: the next meetings of the scope the reader may see."""
    if reader.council_id != scope.council_id:  # an administrator elsewhere: not the scope's readers
        return [card(meeting) for meeting in upcoming_meetings(reader, scope, limit)]
    slot = ":".join(str(part) for part in ("coming-meetings", scope.council_id, scope.group_id,
                                           scope.organisation_id, limit))
    coming = _kept(slot, scope.council_id, lambda: _coming(scope, limit))
    if len(coming.drafts) > MAX_DRAFTS:
        return [card(meeting) for meeting in upcoming_meetings(reader, scope, limit)]
    co_chaired = drafts_seen_in(reader)
    drafts = [draft for draft in coming.drafts if co_chaired is None or draft.created_by_id == reader.id
              or draft.group_id in co_chaired]
    return sorted([*coming.meetings, *drafts], key=lambda meeting: (meeting.starts_at, meeting.id))[:limit]


def _coming(scope: Scope, limit: int) -> Coming:
    everyone = coming_meetings(select(Meeting).where(Meeting.council_id == scope.council_id), scope)
    meetings = [card(meeting) for meeting in db.session.scalars(
        everyone.where(Meeting.status != MeetingStatus.DRAFT).limit(limit))]
    drafts = [card(meeting) for meeting in db.session.scalars(
        everyone.where(Meeting.status == MeetingStatus.DRAFT).limit(MAX_DRAFTS + 1))]
    return Coming(meetings, drafts, _first_end([*meetings, *drafts]))


def approved(scope: Scope) -> list[MeetingCard]:
    """approved_minutes as cards (minutes approved stay so: only an event changes the list)."""
    slot = ":".join(str(part) for part in ("approved-minutes", scope.council_id, scope.group_id,
                                           int(scope.public)))
    return generations.kept(slot, [EVERY_COUNCIL, str(scope.council_id)],
                            lambda: [card(meeting) for meeting in approved_minutes(scope)],
                            timeout=KEPT)


def invited(user: User) -> list[MeetingCard]:
    """my_meetings as cards: the next meetings the person, or their organisation, is invited to
    (a change of their organisation is a directory event, which moves the council too)."""
    coming = _kept(f"my-meetings:{user.council_id}:{user.id}:{user.organisation_id}", user.council_id,
                   lambda: _invited(user))
    return coming.meetings


def awaiting(user: User) -> list[MeetingCard]:
    """minutes_awaiting as cards, kept per person: approvals, publications and co-chairs appointed are
    events of the council, and nothing here changes with time."""
    return generations.kept(f"minutes-awaiting:{user.council_id}:{user.id}:{user.organisation_id}",
                            [EVERY_COUNCIL, str(user.council_id)],
                            lambda: [card(meeting) for meeting in minutes_awaiting(user)], timeout=KEPT)


def _invited(user: User) -> Coming:
    meetings = [card(meeting) for meeting in my_meetings(user)]
    return Coming(meetings, [], _first_end(meetings))


def _kept(slot: str, council_id: int | None, build: Callable[[], Coming]) -> Coming:
    return generations.kept(slot, [EVERY_COUNCIL, str(council_id)], build, timeout=KEPT,
                            still_holds=Coming.current)


def _first_end(meetings: list[MeetingCard]) -> datetime | None:
    return min((meeting.ends_at for meeting in meetings), default=None)
