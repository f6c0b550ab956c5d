"""The queries of home: each section is one or two indexed queries, whatever the volume."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from council.auth.permissions import group_roles, is_secretary
from council.conversations.models import Comment
from council.conversations.services import questions_for
from council.dashboard.meetings import minutes_awaiting
from council.dashboard.my_work import VerificationQueue, verification_queue
from council.directory.models import Country, GroupRole, Organisation, PlatformRole, User
from council.directory.services import council_sides
from council.extensions import db
from council.meetings.models import Invitation, Meeting, MeetingStatus, Minutes
from council.notifications.models import Channel, DeliveryState, Notification
from council.notifications.services import inbox_query, unread_count
from council.timeutil import council_today, utcnow
from council.tracker.models import Commitment, due_within_condition, overdue_condition

DUE_SOON_DAYS = 14
MEETING_DAYS = 7
SECTION_SIZE = 8  # each section shows this many and says how many more there are
NOTIFICATIONS_SHOWN = 5
T = TypeVar("T")


@dataclass
class Listed(Generic[T]):
    """A section's first items and how many there are in all."""

    items: list[T]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


@dataclass
class MeetingAhead:
    meeting: Meeting
    invitation: Invitation | None  # the invitation this person answers (their own or their organisation's)


@dataclass
class Exceptions:
    """What goes wrong council-wide, for its secretaries: lateness by side, e-mails that failed."""

    overdue_by_side: list[tuple[Country, int]]  # every side of the council, late or not
    failed_emails: int

    @property
    def any(self) -> bool:
        return bool(self.failed_emails or any(count for _side, count in self.overdue_by_side))


@dataclass
class Home:
    today: date
    overdue: Listed[Commitment]
    due_soon: Listed[Commitment]
    approvals: list[Meeting] | None  # None: this person approves no minutes
    verification: VerificationQueue | None  # None: this person verifies nothing
    meetings: list[MeetingAhead]
    notifications: list[Notification]
    unread: int
    exceptions: Exceptions | None  # secretaries (and administrators) only
    # Open questions of the other side that this person must answer (council/conversations).
    questions: Listed[Comment] | None = None
    order: list[str] = field(default_factory=list)  # the sections, most urgent first
    due_soon_days: int = DUE_SOON_DAYS


def _mine(user: User) -> ColumnElement[bool]:
    """The person's commitments: those they own, and their organisation's that nobody owns."""
    if user.organisation_id is None:
        return Commitment.owner_id == user.id
    return or_(Commitment.owner_id == user.id,
               (Commitment.organisation_id == user.organisation_id) & Commitment.owner_id.is_(None))


def commitments_of(user: User, condition: ColumnElement[bool]) -> Listed[Commitment]:
    """The person's commitments that meet the condition (home's sections and the digest's)."""
    conditions = (Commitment.council_id == user.council_id, _mine(user), condition)
    items = list(db.session.scalars(
        select(Commitment).join(Commitment.organisation).join(Commitment.recommendation).where(*conditions)
        .options(contains_eager(Commitment.organisation), contains_eager(Commitment.recommendation))
        .order_by(Commitment.due_date, Commitment.id).limit(SECTION_SIZE)))
    total = db.session.scalar(select(func.count()).select_from(Commitment).where(*conditions)) or 0
    return Listed(items, total)


def approves_minutes(user: User) -> bool:
    return any(role == GroupRole.CO_CHAIR for role in group_roles(user).values())


def verifies(user: User) -> bool:
    return user.role == PlatformRole.ADMIN or is_secretary(user, user.council_id) or approves_minutes(user)


def meetings_this_week(user: User) -> list[MeetingAhead]:
    """Published meetings of the coming week the person or their organisation is invited to."""
    invited = Invitation.user_id == user.id
    if user.organisation_id is not None:
        invited = or_(invited, Invitation.organisation_id == user.organisation_id)
    now = utcnow()
    meetings = list(db.session.scalars(
        select(Meeting).where(
            Meeting.council_id == user.council_id, Meeting.status == MeetingStatus.AGENDA_PUBLISHED,
            Meeting.not_over(now), Meeting.starts_at <= now + timedelta(days=MEETING_DAYS),
            Meeting.id.in_(select(Invitation.meeting_id).where(invited)))
        .options(selectinload(Meeting.group), selectinload(Meeting.invitations))
        .order_by(Meeting.starts_at, Meeting.id).limit(SECTION_SIZE)))
    return [MeetingAhead(meeting, _invitation_of(user, meeting)) for meeting in meetings]


def _invitation_of(user: User, meeting: Meeting) -> Invitation | None:
    own = next((i for i in meeting.invitations if i.user_id == user.id), None)
    return own or next((i for i in meeting.invitations if i.organisation_id is not None
                        and i.organisation_id == user.organisation_id), None)


def exceptions(council_id: int, today: date) -> Exceptions:
    overdue = dict(db.session.execute(
        select(Organisation.country_code, func.count()).select_from(Commitment)
        .join(Organisation, Commitment.organisation_id == Organisation.id)
        .where(Commitment.council_id == council_id, overdue_condition(today))
        .group_by(Organisation.country_code)).all())
    sides = db.session.scalars(select(Country).where(Country.code.in_(council_sides(council_id)))
                               .order_by(Country.code))
    by_side = [(side, overdue.get(side.code, 0)) for side in sides]
    failed = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.council_id == council_id, Notification.channel == Channel.EMAIL,
        Notification.state == DeliveryState.FAILED)) or 0
    return Exceptions(by_side, failed)


def awaiting_approval(user: User) -> list[Meeting]:
    meetings = minutes_awaiting(user)
    if meetings:  # the languages of each current revision, for the "not in your language" warning
        db.session.scalars(select(Meeting).where(Meeting.id.in_([m.id for m in meetings]))
                           .options(selectinload(Meeting.minutes).selectinload(Minutes.revisions))).all()
    return meetings


def home(user: User, today: date | None = None) -> Home:
    """Everything home shows for this person, in a fixed number of queries."""
    today = today or council_today()
    page = Home(
        today=today,
        overdue=commitments_of(user, overdue_condition(today)),
        due_soon=commitments_of(user, due_within_condition(today, DUE_SOON_DAYS)),
        approvals=awaiting_approval(user) if approves_minutes(user) else None,
        verification=verification_queue(user) if verifies(user) else None,
        meetings=meetings_this_week(user),
        notifications=list(db.session.scalars(
            inbox_query(user, unread_only=True).options(selectinload(Notification.event))
            .limit(NOTIFICATIONS_SHOWN))),
        unread=unread_count(user),
        exceptions=exceptions(user.council_id, today)
        if user.role == PlatformRole.ADMIN or is_secretary(user, user.council_id) else None,
        questions=Listed(*questions_for(user, SECTION_SIZE)))
    page.order = _by_urgency(page)
    return page


def _by_urgency(page: Home) -> list[str]:
    """Sections with something in them first, the most pressing first; the empty ones after, in the
    same order, each saying so. Sections that do not concern the person are left out."""
    sections = [("overdue", page.overdue.total),
                ("questions", page.questions.total if page.questions is not None else None),
                ("approvals", len(page.approvals) if page.approvals is not None else None),
                ("verification", page.verification.total if page.verification is not None else None),
                ("meetings", len(page.meetings)),
                ("due_soon", page.due_soon.total),
                ("exceptions", int(page.exceptions.any) if page.exceptions is not None else None),
                ("notifications", page.unread)]
    present = [(key, count) for key, count in sections if count is not None]
    return [key for key, count in present if count] + [key for key, count in present if not count]
