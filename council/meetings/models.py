"""Council sessions and working-group meetings: agenda, invitations, attendance, minutes, decisions."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import (
    CheckConstraint,
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from council.dbtypes import JSONText, enum_type
from council.directory.models import Council, Organisation, User, WorkingGroup
from council.extensions import Model
from council.i18n import Translations
from council.timeutil import utcnow
from council.tracker.models import Commitment, Recommendation


class MeetingEvent(StrEnum):
    """The kinds of event meetings record (stored as these strings in event.kind)."""

    SCHEDULED = "meeting.scheduled"
    UPDATED = "meeting.updated"
    INVITED = "meeting.invited"
    AGENDA_PUBLISHED = "meeting.agenda_published"
    AGENDA_EDITED = "meeting.agenda_edited"
    AGENDA_CHANGED = "meeting.agenda_changed"
    RESPONDED = "meeting.responded"
    CANCELLED = "meeting.cancelled"
    HELD = "meeting.held"
    ATTENDANCE_RECORDED = "meeting.attendance_recorded"
    DOCUMENT_ADDED = "meeting.document_added"
    DOCUMENT_REMOVED = "meeting.document_removed"
    DECISION_RECORDED = "meeting.decision_recorded"
    DECISION_UPDATED = "meeting.decision_updated"
    DECISION_REMOVED = "meeting.decision_removed"
    TRANSLATED = "meeting.translated"
    MINUTES_EDITED = "minutes.edited"
    MINUTES_PUBLISHED = "minutes.published"
    MINUTES_APPROVAL_REQUESTED = "minutes.approval_requested"
    MINUTES_APPROVED = "minutes.approved"
    MINUTES_FULLY_APPROVED = "minutes.fully_approved"
    MINUTES_TRANSLATION_APPROVED = "minutes.translation_approved"
    MINUTES_TRANSLATION_FULLY_APPROVED = "minutes.translation_fully_approved"
    MINUTES_REVISION_STARTED = "minutes.revision_started"
    MINUTES_MADE_PUBLIC = "minutes.made_public"
    MINUTES_MADE_PRIVATE = "minutes.made_private"
    CALENDAR_FEED_CREATED = "calendar_feed.created"
    CALENDAR_FEED_REVOKED = "calendar_feed.revoked"


class MeetingKind(StrEnum):
    COUNCIL_SESSION = "council_session"
    GROUP_MEETING = "group_meeting"

    @property
    def label(self) -> str:
        return str(MEETING_KIND_LABELS[self])


MEETING_KIND_LABELS = {
    MeetingKind.COUNCIL_SESSION: _l("Council session"),
    MeetingKind.GROUP_MEETING: _l("Working group meeting"),
}


class MeetingStatus(StrEnum):
    DRAFT = "draft"
    AGENDA_PUBLISHED = "agenda_published"
    HELD = "held"
    MINUTES_APPROVED = "minutes_approved"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(MEETING_STATUS_LABELS[self])


MEETING_STATUS_LABELS = {
    MeetingStatus.DRAFT: _l("Draft"),
    MeetingStatus.AGENDA_PUBLISHED: _l("Agenda published"),
    MeetingStatus.HELD: _l("Held"),
    MeetingStatus.MINUTES_APPROVED: _l("Minutes approved"),
    MeetingStatus.CANCELLED: lazy_pgettext("meeting", "Cancelled"),
}

# The meeting's life. An amendment to approved minutes takes the meeting back to "held" until both
# co-chairs approve the new revision.
MEETING_TRANSITIONS: dict[MeetingStatus, frozenset[MeetingStatus]] = {
    MeetingStatus.DRAFT: frozenset({MeetingStatus.AGENDA_PUBLISHED, MeetingStatus.CANCELLED}),
    MeetingStatus.AGENDA_PUBLISHED: frozenset({MeetingStatus.HELD, MeetingStatus.CANCELLED}),
    MeetingStatus.HELD: frozenset({MeetingStatus.MINUTES_APPROVED}),
    MeetingStatus.MINUTES_APPROVED: frozenset({MeetingStatus.HELD}),
    MeetingStatus.CANCELLED: frozenset(),
}

# While these hold, the agenda, the invitations and the time may still change.
# The key of the minutes' notes that belong to no agenda item (the others are keyed by item id).
GENERAL_NOTES = "general"

PLANNING_STATUSES = frozenset({MeetingStatus.DRAFT, MeetingStatus.AGENDA_PUBLISHED})


class Response(StrEnum):
    PENDING = "pending"
    ATTENDING = "attending"
    NOT_ATTENDING = "not_attending"
    DELEGATED = "delegated"

    @property
    def label(self) -> str:
        return str(RESPONSE_LABELS[self])


RESPONSE_LABELS = {
    Response.PENDING: _l("No answer yet"),
    Response.ATTENDING: _l("Attending"),
    Response.NOT_ATTENDING: _l("Not attending"),
    Response.DELEGATED: _l("Sends a delegate"),
}


class AttendanceMode(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"

    @property
    def label(self) -> str:
        return str(ATTENDANCE_MODE_LABELS[self])


ATTENDANCE_MODE_LABELS = {
    AttendanceMode.IN_PERSON: _l("In person"),
    AttendanceMode.ONLINE: _l("Online"),
}


class RevisionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    APPROVED = "approved"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return str(REVISION_STATUS_LABELS[self])


REVISION_STATUS_LABELS = {
    RevisionStatus.DRAFT: _l("Draft"),
    RevisionStatus.PUBLISHED: _l("Awaiting approval"),
    RevisionStatus.APPROVED: _l("Approved"),
    RevisionStatus.SUPERSEDED: _l("Superseded"),
}

# A published revision is frozen; changing it (or amending approved minutes) starts the next revision.
REVISION_TRANSITIONS: dict[RevisionStatus, frozenset[RevisionStatus]] = {
    RevisionStatus.DRAFT: frozenset({RevisionStatus.PUBLISHED}),
    RevisionStatus.PUBLISHED: frozenset({RevisionStatus.APPROVED, RevisionStatus.SUPERSEDED}),
    RevisionStatus.APPROVED: frozenset({RevisionStatus.SUPERSEDED}),
    RevisionStatus.SUPERSEDED: frozenset(),
}

# How the meeting's history names each event.
EVENT_LABELS = {
    MeetingEvent.SCHEDULED: _l("Scheduled"),
    MeetingEvent.UPDATED: _l("Details changed"),
    MeetingEvent.INVITED: _l("Invitations sent"),
    MeetingEvent.AGENDA_PUBLISHED: _l("Agenda published"),
    MeetingEvent.AGENDA_EDITED: _l("Agenda edited"),
    MeetingEvent.AGENDA_CHANGED: _l("Published agenda changed"),
    MeetingEvent.RESPONDED: _l("Invitation answered"),
    MeetingEvent.CANCELLED: lazy_pgettext("meeting", "Cancelled"),
    MeetingEvent.HELD: _l("Marked as held"),
    MeetingEvent.ATTENDANCE_RECORDED: _l("Attendance recorded"),
    MeetingEvent.DOCUMENT_ADDED: _l("Document attached"),
    MeetingEvent.DOCUMENT_REMOVED: _l("Document removed"),
    MeetingEvent.DECISION_RECORDED: _l("Decision recorded"),
    MeetingEvent.DECISION_UPDATED: _l("Decision changed"),
    MeetingEvent.DECISION_REMOVED: _l("Decision removed"),
    MeetingEvent.TRANSLATED: _l("Translation changed"),
    MeetingEvent.MINUTES_EDITED: _l("Minutes edited"),
    MeetingEvent.MINUTES_PUBLISHED: _l("Minutes sent for approval"),
    MeetingEvent.MINUTES_APPROVAL_REQUESTED: _l("Co-chairs asked to approve"),
    MeetingEvent.MINUTES_APPROVED: _l("Minutes approved by a co-chair"),
    MeetingEvent.MINUTES_FULLY_APPROVED: _l("Minutes approved by both co-chairs"),
    MeetingEvent.MINUTES_TRANSLATION_APPROVED: _l("Translation of the minutes approved by a co-chair"),
    MeetingEvent.MINUTES_TRANSLATION_FULLY_APPROVED:
        _l("Translation of the minutes approved by both co-chairs"),
    MeetingEvent.MINUTES_REVISION_STARTED: _l("New revision of the minutes started"),
    MeetingEvent.MINUTES_MADE_PUBLIC: _l("Minutes shown on the public portal"),
    MeetingEvent.MINUTES_MADE_PRIVATE: _l("Minutes taken off the public portal"),
}

# The two people who chair a council session and approve its minutes (a group meeting is chaired by
# the group's co-chairs).
session_chair = Table(
    "meeting_session_chair", Model.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# What an agenda item is about: recommendations and commitments from the tracker.
agenda_item_recommendation = Table(
    "agenda_item_recommendation", Model.metadata,
    Column("agenda_item_id", ForeignKey("agenda_item.id", ondelete="CASCADE"), primary_key=True),
    Column("recommendation_id", ForeignKey("recommendation.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
agenda_item_commitment = Table(
    "agenda_item_commitment", Model.metadata,
    Column("agenda_item_id", ForeignKey("agenda_item.id", ondelete="CASCADE"), primary_key=True),
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True, index=True),
)
# The commitments a decision created in the tracker (the tracker never points back at meetings).
decision_commitment = Table(
    "decision_commitment", Model.metadata,
    Column("decision_id", ForeignKey("decision.id", ondelete="CASCADE"), primary_key=True),
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True, index=True),
)


# The schedule form's limit (meetings/services.py refuses a longer meeting).
MAX_MEETING_LENGTH = timedelta(days=7)


class Meeting(Model):
    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("council_id", "reference", name="uq_meeting_reference"),
                      Index("ix_meeting_council_starts", "council_id", "starts_at"),
                      Index("ix_meeting_group_starts", "group_id", "starts_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))
    kind: Mapped[MeetingKind] = mapped_column(enum_type(MeetingKind))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("working_group.id"))
    reference: Mapped[str] = mapped_column(String(40))  # e.g. ECO-2026-02, CS-2026-01
    title: Mapped[Translations] = mapped_column(JSONText)
    original_language: Mapped[str] = mapped_column(String(2), default="ru")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    time_zone: Mapped[str] = mapped_column(String(60), default="Asia/Aqtau")
    place: Mapped[str | None] = mapped_column(String(200))
    online_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[MeetingStatus] = mapped_column(enum_type(MeetingStatus), default=MeetingStatus.DRAFT,
                                                  index=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # Calendar clients replace an event only when its SEQUENCE grows: bumped on every visible change.
    sequence: Mapped[int] = mapped_column(default=0)
    # Its approved minutes are shown on the public portal only when marked so (from the dashboards).
    is_public: Mapped[bool] = mapped_column(default=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    council: Mapped[Council] = relationship()
    group: Mapped[WorkingGroup | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    session_chairs: Mapped[list[User]] = relationship(secondary=session_chair, order_by=User.name)
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position")
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Invitation.id")
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Attendance.id")
    documents: Mapped[list[MeetingDocument]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingDocument.id")
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Decision.number")
    minutes: Mapped[Minutes | None] = relationship(back_populates="meeting", cascade="all, delete-orphan")

    @classmethod
    def not_over(cls, now: datetime) -> ColumnElement[bool]:
        """SQL: the meeting has not ended by `now`. A meeting lasts at most MAX_MEETING_LENGTH, so one that
        started before that has ended: the bound on the start lets the index on (council, start) read the
        coming meetings alone, not every meeting the council ever held."""
        return and_(cls.ends_at >= now, cls.starts_at >= now - MAX_MEETING_LENGTH)

    @property
    def is_council_session(self) -> bool:
        return self.kind == MeetingKind.COUNCIL_SESSION

    @property
    def top_items(self) -> list[AgendaItem]:
        return [item for item in self.agenda_items if item.parent_id is None]


class AgendaItem(Model):
    __tablename__ = "agenda_item"
    __table_args__ = (Index("ix_agenda_item_meeting_position", "meeting_id", "parent_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"),
                                                  index=True)
    position: Mapped[int] = mapped_column(default=0)  # order among the item's siblings
    title: Mapped[Translations] = mapped_column(JSONText)
    original_language: Mapped[str] = mapped_column(String(2), default="ru")
    notes: Mapped[Translations] = mapped_column(JSONText, default=dict)
    duration_minutes: Mapped[int] = mapped_column(default=15)
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                     index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    parent: Mapped[AgendaItem | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[AgendaItem]] = relationship(back_populates="parent", order_by=position)
    presenter: Mapped[User | None] = relationship()
    recommendations: Mapped[list[Recommendation]] = relationship(
        secondary=agenda_item_recommendation, order_by=Recommendation.code)
    commitments: Mapped[list[Commitment]] = relationship(
        secondary=agenda_item_commitment, order_by=Commitment.code)


class Invitation(Model):
    """An invited person, or an invited organisation that any of its people may answer for."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="uq_invitation_meeting_user"),
                      UniqueConstraint("meeting_id", "organisation_id",
                                       name="uq_invitation_meeting_organisation"),
                      CheckConstraint("(user_id IS NULL) <> (organisation_id IS NULL)",
                                      name="one_invitee"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"),
                                                        index=True)
    response: Mapped[Response] = mapped_column(enum_type(Response), default=Response.PENDING)
    delegate_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                    index=True)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    responded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="invitations")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation | None] = relationship()
    delegate: Mapped[User | None] = relationship(foreign_keys=[delegate_id])
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_id])

    @property
    def invited_organisation_id(self) -> int | None:
        """The organisation a delegate must come from."""
        if self.organisation_id is not None:
            return self.organisation_id
        return self.user.organisation_id if self.user is not None else None


class Attendance(Model):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="uq_attendance_meeting_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # The organisation the person represented that day, kept even if they move on later.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    mode: Mapped[AttendanceMode] = mapped_column(enum_type(AttendanceMode),
                                                 default=AttendanceMode.IN_PERSON)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation | None] = relationship()


class Minutes(Model):
    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="minutes")
    revisions: Mapped[list[MinutesRevision]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan", order_by="MinutesRevision.number")

    @property
    def current(self) -> MinutesRevision:
        return self.revisions[-1]


class MinutesRevision(Model):
    """One version of the minutes. Notes are {"general" or agenda item id: {language: text}}."""

    __tablename__ = "minutes_revision"
    __table_args__ = (UniqueConstraint("minutes_id", "number", name="uq_minutes_revision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"))
    number: Mapped[int]
    status: Mapped[RevisionStatus] = mapped_column(enum_type(RevisionStatus), default=RevisionStatus.DRAFT)
    original_language: Mapped[str] = mapped_column(String(2), default="ru")
    notes: Mapped[dict[str, Translations]] = mapped_column(JSONText, default=dict)
    # What the decisions said when this revision was published, so an old revision reads as it was.
    decisions_snapshot: Mapped[list[dict[str, object]]] = mapped_column(JSONText, default=list)
    reason: Mapped[str | None] = mapped_column(Text)  # why a new revision was started
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]

    minutes: Mapped[Minutes] = relationship(back_populates="revisions")
    created_by: Mapped[User | None] = relationship()
    approvals: Mapped[list[MinutesApproval]] = relationship(
        back_populates="revision", cascade="all, delete-orphan", order_by="MinutesApproval.id")
    language_approvals: Mapped[list[MinutesLanguageApproval]] = relationship(
        back_populates="revision", cascade="all, delete-orphan", order_by="MinutesLanguageApproval.id")

    def note(self, key: str | int) -> Translations:
        return self.notes.get(str(key), {}) if self.notes else {}

    @property
    def languages(self) -> list[str]:
        """The languages its notes and decisions are written in (the original first)."""
        texts: list[Any] = [*(self.notes or {}).values(),
                            *(entry.get("text") or {} for entry in self.decisions_snapshot or [])]
        present = {lang for text in texts for lang, value in (text or {}).items() if value}
        return sorted(present, key=lambda lang: (lang != self.original_language, lang))

    @property
    def approved_languages(self) -> list[str]:
        """The languages every side approved: those it had when its co-chairs approved it, and
        translations both co-chairs approved later. Empty until the revision is approved."""
        if self.approved_at is None:
            return []
        sides = {approval.country_code for approval in self.approvals}
        by_side = {side: {row.language for row in self.language_approvals if row.country_code == side}
                   for side in sides}
        return [lang for lang in self.languages if sides and all(lang in got for got in by_side.values())]

    @property
    def unapproved_languages(self) -> list[str]:
        """Translations added to approved minutes that both co-chairs have not approved yet."""
        if self.approved_at is None:
            return []
        approved = set(self.approved_languages)
        return [lang for lang in self.languages if lang not in approved]


class MinutesApproval(Model):
    """A co-chair's approval of one revision: one per country, so both sides must approve."""

    __tablename__ = "minutes_approval"
    __table_args__ = (UniqueConstraint("revision_id", "country_code", name="uq_minutes_approval_country"),
                      UniqueConstraint("revision_id", "user_id", name="uq_minutes_approval_user"))

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("minutes_revision.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)

    revision: Mapped[MinutesRevision] = relationship(back_populates="approvals")
    user: Mapped[User] = relationship()


class MinutesLanguageApproval(Model):
    """One side's approval of the minutes in one language. Approving a revision approves the languages
    it has then; a translation added afterwards is approved on its own, by both sides, before the
    portal and the print show it as approved minutes."""

    __tablename__ = "minutes_language_approval"
    __table_args__ = (UniqueConstraint("revision_id", "language", "country_code",
                                       name="uq_minutes_language_approval"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("minutes_revision.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(2))
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)

    revision: Mapped[MinutesRevision] = relationship(back_populates="language_approvals")
    user: Mapped[User | None] = relationship()


class Decision(Model):
    """What the meeting decided; numbered within the meeting."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("meeting_id", "number", name="uq_decision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    number: Mapped[int]
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"),
                                                       index=True)
    text: Mapped[Translations] = mapped_column(JSONText)
    original_language: Mapped[str] = mapped_column(String(2), default="ru")
    # The recommendation this decision created in the tracker, if any.
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")
    agenda_item: Mapped[AgendaItem | None] = relationship()
    recommendation: Mapped[Recommendation | None] = relationship()
    commitments: Mapped[list[Commitment]] = relationship(secondary=decision_commitment,
                                                         order_by=Commitment.code)

    @property
    def created_in_tracker(self) -> bool:
        return self.recommendation_id is not None or bool(self.commitments)


class MeetingDocument(Model):
    """A file attached to a meeting or one of its agenda items; stored under UPLOAD_FOLDER."""

    __tablename__ = "meeting_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"),
                                                       index=True)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, cleaned
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="documents")
    agenda_item: Mapped[AgendaItem | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()


class CalendarFeedToken(Model):
    """A private calendar address: a person's meetings, or one working group's. Only a hash is kept."""

    __tablename__ = "calendar_feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("working_group.id", ondelete="CASCADE"),
                                                 index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    group: Mapped[WorkingGroup | None] = relationship()
