"""What the council recommends, who committed to what, how far they got, and the evidence.

State machines are data: each status enum has its allowed transitions next to it, and the services
check them in one place. "Overdue" is never stored: it is derived from the due date in the council's
time zone (Asia/Aqtau; both countries are UTC+5).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Connection,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    cast,
    event,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship, validates

from council.dbtypes import JSONText, enum_type
from council.directory.models import Council, Organisation, User, WorkingGroup
from council.extensions import Model
from council.i18n import Translations, search_key
from council.timeutil import utcnow


class TrackerEvent(StrEnum):
    """The kinds of event the tracker records (stored as these strings in event.kind)."""

    RECOMMENDATION_CREATED = "recommendation.created"
    RECOMMENDATION_UPDATED = "recommendation.updated"
    RECOMMENDATION_STATUS_CHANGED = "recommendation.status_changed"
    RECOMMENDATION_TRANSLATED = "recommendation.translated"
    COMMITMENT_CREATED = "commitment.created"
    COMMITMENT_UPDATED = "commitment.updated"
    COMMITMENT_STATUS_CHANGED = "commitment.status_changed"
    COMMITMENT_PROGRESS_REPORTED = "commitment.progress_reported"
    COMMITMENT_SENT_BACK = "commitment.sent_back"
    COMMITMENT_VERIFIED = "commitment.verified"
    COMMITMENT_OWNER_CHANGED = "commitment.owner_changed"
    COMMITMENT_DUE_CHANGED = "commitment.due_changed"
    COMMITMENT_TRANSLATED = "commitment.translated"
    INITIATIVE_CREATED = "initiative.created"
    INITIATIVE_UPDATED = "initiative.updated"
    INITIATIVE_MILESTONE_ADDED = "initiative.milestone_added"
    INITIATIVE_MILESTONE_COMPLETED = "initiative.milestone_completed"
    INITIATIVE_MILESTONE_REOPENED = "initiative.milestone_reopened"
    INITIATIVE_MILESTONE_UPDATED = "initiative.milestone_updated"
    INITIATIVE_TRANSLATED = "initiative.translated"
    INDICATOR_CREATED = "indicator.created"
    INDICATOR_UPDATED = "indicator.updated"
    INDICATOR_OBSERVED = "indicator.observed"
    INDICATOR_OBSERVATION_UPDATED = "indicator.observation_updated"
    INDICATOR_TRANSLATED = "indicator.translated"


class _Labelled(StrEnum):
    """A status or kind whose members carry a translatable label (for forms, lists and exports)."""

    @property
    def label(self) -> str:
        return str(_LABELS[type(self)][self])


def refresh_search_text(record: Any, key: str, value: Any, *fields: str) -> Any:
    """Keep `search_text` (case-folded, every language) in step as one of `fields` is set."""
    values = {name: getattr(record, name) for name in fields} | {key: value}
    record.search_text = search_key(*(values[name] for name in fields))
    return value


# Recommendations ----------------------------------------------------------------------------------


class RecommendationStatus(_Labelled):
    PROPOSED = "proposed"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    IMPLEMENTED = "implemented"
    SUPERSEDED = "superseded"


RECOMMENDATION_TRANSITIONS: dict[RecommendationStatus, frozenset[RecommendationStatus]] = {
    RecommendationStatus.PROPOSED: frozenset({RecommendationStatus.ADOPTED,
                                              RecommendationStatus.REJECTED,
                                              RecommendationStatus.WITHDRAWN}),
    RecommendationStatus.ADOPTED: frozenset({RecommendationStatus.IMPLEMENTED,
                                             RecommendationStatus.SUPERSEDED}),
}
# Moving into one of these closes the record, and needs a reason.
RECOMMENDATION_CLOSED = frozenset({RecommendationStatus.REJECTED, RecommendationStatus.WITHDRAWN,
                                   RecommendationStatus.IMPLEMENTED, RecommendationStatus.SUPERSEDED})


class RecommendationSource(_Labelled):
    COUNCIL_SESSION = "council_session"
    GROUP_MEETING = "group_meeting"
    INTERGOVERNMENTAL_COMMISSION = "intergovernmental_commission"
    STUDY = "study"
    OTHER = "other"


class Priority(_Labelled):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


PRIORITY_ORDER = {Priority.HIGH: 1, Priority.MEDIUM: 2, Priority.LOW: 3}


class Recommendation(Model):
    __tablename__ = "recommendation"
    __table_args__ = (UniqueConstraint("council_id", "code"),
                      Index("ix_recommendation_group_status", "group_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_group.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))  # e.g. TRD-2026-004; the key of imports
    title: Mapped[Translations] = mapped_column(JSONText)
    text: Mapped[Translations] = mapped_column(JSONText, default=dict)
    original_language: Mapped[str] = mapped_column(String(2), default="ru")
    source: Mapped[RecommendationSource] = mapped_column(enum_type(RecommendationSource))
    source_reference: Mapped[str | None] = mapped_column(String(300))
    priority: Mapped[Priority] = mapped_column(enum_type(Priority), default=Priority.MEDIUM,
                                               index=True)
    is_public: Mapped[bool] = mapped_column(default=False, index=True)
    status: Mapped[RecommendationStatus] = mapped_column(
        enum_type(RecommendationStatus), default=RecommendationStatus.PROPOSED, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    group: Mapped[WorkingGroup] = relationship()
    created_by: Mapped[User | None] = relationship()
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="recommendation", order_by="Commitment.code")

    @validates("title", "text", "code")
    def _refresh_search_text(self, key: str, value: Any) -> Any:
        return refresh_search_text(self, key, value, "code", "title", "text")

    if TYPE_CHECKING:
        progress: Mapped[int | None]  # average of its non-cancelled commitments, in SQL (set below)

    def allowed_statuses(self) -> frozenset[RecommendationStatus]:
        return RECOMMENDATION_TRANSITIONS.get(self.status, frozenset())


# Commitments ---------------------------------------------------------------------------------------


class CommitmentStatus(_Labelled):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    REPORTED_DONE = "reported_done"
    VERIFIED = "verified"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


CS = CommitmentStatus
COMMITMENT_TRANSITIONS: dict[CommitmentStatus, frozenset[CommitmentStatus]] = {
    CS.PLANNED: frozenset({CS.IN_PROGRESS, CS.REPORTED_DONE, CS.BLOCKED, CS.CANCELLED}),
    CS.IN_PROGRESS: frozenset({CS.REPORTED_DONE, CS.BLOCKED, CS.CANCELLED}),
    # Back to in progress is a verifier sending the report back, with a comment.
    CS.REPORTED_DONE: frozenset({CS.VERIFIED, CS.IN_PROGRESS, CS.BLOCKED, CS.CANCELLED}),
    CS.BLOCKED: frozenset({CS.IN_PROGRESS, CS.CANCELLED}),
}
COMMITMENT_OPEN = frozenset(COMMITMENT_TRANSITIONS)
# Only work not yet reported done can be late: a report waiting for verification is not the owner's delay.
COMMITMENT_PENDING = frozenset({CS.PLANNED, CS.IN_PROGRESS, CS.BLOCKED})
COMMITMENT_NEEDS_REASON = frozenset({CS.BLOCKED, CS.CANCELLED})


class Commitment(Model):
    __tablename__ = "commitment"
    __table_args__ = (UniqueConstraint("council_id", "code"),
                      Index("ix_commitment_status_due", "status", "due_date"),
                      # A recommendation's commitments as the lists ask about them ("has an overdue one
                      # in Turkmenistan", its derived progress) from the index alone. The status after
                      # the due date, not before: SQLite 3.40 answered an EXISTS with `status IN (…)`
                      # and a due-date range wrongly off (recommendation_id, status, due_date, …).
                      Index("ix_commitment_recommendation_due", "recommendation_id", "due_date", "status",
                            "organisation_id", "progress"))

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))  # e.g. TRD-2026-004-KZ1; the key of imports
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"), index=True)
    # The recommendation's group, kept here so lists and permission checks need no join.
    group_id: Mapped[int] = mapped_column(ForeignKey("working_group.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                 index=True)
    counterpart_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitment.id", ondelete="SET NULL"), index=True)
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id"), index=True)
    description: Mapped[Translations] = mapped_column(JSONText)
    original_language: Mapped[str] = mapped_column(String(2), default="ru")
    start_date: Mapped[date | None]
    due_date: Mapped[date] = mapped_column(index=True)
    progress: Mapped[int] = mapped_column(default=0)
    status: Mapped[CommitmentStatus] = mapped_column(enum_type(CommitmentStatus),
                                                     default=CommitmentStatus.PLANNED)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]
    last_reported_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    recommendation: Mapped[Recommendation] = relationship(back_populates="commitments")
    group: Mapped[WorkingGroup] = relationship()
    organisation: Mapped[Organisation] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    counterpart: Mapped[Commitment | None] = relationship(remote_side=[id])
    initiative: Mapped[Initiative | None] = relationship(back_populates="commitments")
    updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="commitment", order_by="ProgressUpdate.id.desc()")

    @validates("description", "code")
    def _refresh_search_text(self, key: str, value: Any) -> Any:
        return refresh_search_text(self, key, value, "code", "description")

    def allowed_statuses(self) -> frozenset[CommitmentStatus]:
        return COMMITMENT_TRANSITIONS.get(self.status, frozenset())

    @property
    def is_open(self) -> bool:
        return self.status in COMMITMENT_OPEN

    def is_overdue(self, today: date) -> bool:
        """Past its due date (in the council's time zone) and not yet reported done."""
        return self.status in COMMITMENT_PENDING and self.due_date < today

    @property
    def country_code(self) -> str:
        return self.organisation.country_code


def overdue_condition(today: date) -> ColumnElement[bool]:
    """SQL: the commitment is overdue on `today` (the council's date)."""
    return and_(Commitment.due_date < today, Commitment.status.in_(COMMITMENT_PENDING))


def due_within_condition(today: date, days: int) -> ColumnElement[bool]:
    """SQL: the commitment is still to be done and falls due between today and today + days."""
    return and_(Commitment.due_date >= today, Commitment.due_date <= today + timedelta(days=days),
                Commitment.status.in_(COMMITMENT_PENDING))


def average_progress(*where: ColumnElement[bool]) -> Any:
    """SQL: the rounded average progress of the matching non-cancelled commitments (NULL if none)."""
    return (select(cast(func.round(func.avg(Commitment.progress)), Integer))
            .where(Commitment.status != CommitmentStatus.CANCELLED, *where)
            .correlate_except(Commitment).scalar_subquery())


class ProgressUpdate(Model):
    """One report on a commitment: percent, an optional status change, a note, and its evidence."""

    __tablename__ = "progress_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"),
                                               index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    progress: Mapped[int]
    previous_progress: Mapped[int]
    from_status: Mapped[CommitmentStatus] = mapped_column(enum_type(CommitmentStatus))
    to_status: Mapped[CommitmentStatus | None] = mapped_column(enum_type(CommitmentStatus))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(back_populates="update", order_by="Evidence.id",
                                                    cascade="all, delete-orphan")


class EvidenceKind(_Labelled):
    FILE = "file"
    LINK = "link"


class Evidence(Model):
    """A file (stored on disk under UPLOAD_FOLDER, never in the database) or a link."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_update.id", ondelete="CASCADE"),
                                           index=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"),
                                               index=True)
    kind: Mapped[EvidenceKind] = mapped_column(enum_type(EvidenceKind))
    filename: Mapped[str | None] = mapped_column(String(255))  # as the uploader named it
    stored_name: Mapped[str | None] = mapped_column(String(255))  # path under UPLOAD_FOLDER
    content_type: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    update: Mapped[ProgressUpdate] = relationship(back_populates="evidence")


# Initiatives ----------------------------------------------------------------------------------------


class Initiative(Model):
    """A long-running joint project (a railway, a checkpoint, an industrial zone)."""

    __tablename__ = "initiative"
    __table_args__ = (UniqueConstraint("council_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("working_group.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[Translations] = mapped_column(JSONText)
    description: Mapped[Translations] = mapped_column(JSONText, default=dict)
    original_language: Mapped[str] = mapped_column(String(2), default="ru")
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    council: Mapped[Council] = relationship()
    group: Mapped[WorkingGroup | None] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="initiative", order_by="(Milestone.due_date, Milestone.id)",
        cascade="all, delete-orphan")
    commitments: Mapped[list[Commitment]] = relationship(back_populates="initiative")

    if TYPE_CHECKING:
        progress: Mapped[int | None]  # average of its non-cancelled commitments, in SQL (set below)

    @validates("name", "code")
    def _refresh_search_text(self, key: str, value: Any) -> Any:
        return refresh_search_text(self, key, value, "code", "name")


class Milestone(Model):
    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"),
                                               index=True)
    title: Mapped[Translations] = mapped_column(JSONText)
    original_language: Mapped[str] = mapped_column(String(2), default="ru")
    due_date: Mapped[date | None] = mapped_column(index=True)
    completed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    initiative: Mapped[Initiative] = relationship(back_populates="milestones")

    def is_overdue(self, today: date) -> bool:
        return self.completed_on is None and self.due_date is not None and self.due_date < today


# Indicators -----------------------------------------------------------------------------------------


class Indicator(Model):
    """A measured figure with a baseline and a target: trade turnover, checkpoint crossing time."""

    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("council_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("working_group.id"), index=True)
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[Translations] = mapped_column(JSONText)
    description: Mapped[Translations] = mapped_column(JSONText, default=dict)
    original_language: Mapped[str] = mapped_column(String(2), default="ru")
    unit: Mapped[str] = mapped_column(String(40))  # e.g. "USD million", "hours"
    baseline_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    baseline_date: Mapped[date | None]
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    target_date: Mapped[date | None]
    # Shown on the public portal only when marked so (secretaries publish it from the dashboard).
    is_public: Mapped[bool] = mapped_column(default=False, index=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    council: Mapped[Council] = relationship()
    group: Mapped[WorkingGroup | None] = relationship()
    initiative: Mapped[Initiative | None] = relationship()
    observations: Mapped[list[Observation]] = relationship(
        back_populates="indicator", order_by="Observation.observed_on.desc()",
        cascade="all, delete-orphan")

    @validates("name", "code")
    def _refresh_search_text(self, key: str, value: Any) -> Any:
        return refresh_search_text(self, key, value, "code", "name")

    def share_of_target(self, value: Decimal | None) -> int | None:
        """How far `value` has moved from the baseline towards the target, in percent (0–100)."""
        if value is None or self.baseline_value is None or self.target_value is None:
            return None
        span = self.target_value - self.baseline_value
        if span == 0:
            return 100
        return max(0, min(100, round((value - self.baseline_value) / span * 100)))


class Observation(Model):
    __tablename__ = "observation"
    __table_args__ = (UniqueConstraint("indicator_id", "observed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"),
                                              index=True)
    observed_on: Mapped[date]
    value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    source: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="observations")
    recorded_by: Mapped[User | None] = relationship()


class CommitmentCount(Model):
    """How many commitments a council has, kept by every insert of one in the same transaction: the
    unfiltered list's count, which would otherwise read an index entry per commitment on every page."""

    __tablename__ = "commitment_count"

    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"), primary_key=True)
    total: Mapped[int] = mapped_column(default=0)


def _count_by(connection: Connection, council_id: int, step: int) -> None:
    def moved() -> int:
        return connection.execute(update(CommitmentCount).where(CommitmentCount.council_id == council_id)
                                  .values(total=CommitmentCount.total + step)).rowcount

    if moved():
        return
    # The council's first: counted from the table (this flush's row included), once even when two
    # transactions race to it (the loser's insert does nothing and it counts itself after all).
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    counted = select(func.count()).select_from(Commitment).where(Commitment.council_id == council_id)
    added = connection.execute(insert(CommitmentCount).values(council_id=council_id,
                                                               total=counted.scalar_subquery())
                               .on_conflict_do_nothing())
    if not added.rowcount:
        moved()


@event.listens_for(Commitment, "after_insert")
def _counted_in(mapper: Any, connection: Connection, commitment: Commitment) -> None:
    _count_by(connection, commitment.council_id, 1)


@event.listens_for(Commitment, "after_delete")
def _counted_out(mapper: Any, connection: Connection, commitment: Commitment) -> None:
    _count_by(connection, commitment.council_id, -1)


# Derived progress, computed in SQL with every load (a correlated subquery on an indexed column).
Recommendation.progress = column_property(
    average_progress(Commitment.recommendation_id == Recommendation.id))
Initiative.progress = column_property(average_progress(Commitment.initiative_id == Initiative.id))


_LABELS: dict[type[_Labelled], dict[Any, Any]] = {
    RecommendationStatus: {
        RecommendationStatus.PROPOSED: _l("Proposed"),
        RecommendationStatus.ADOPTED: _l("Adopted"),
        RecommendationStatus.REJECTED: _l("Rejected"),
        RecommendationStatus.WITHDRAWN: _l("Withdrawn"),
        RecommendationStatus.IMPLEMENTED: _l("Implemented"),
        RecommendationStatus.SUPERSEDED: _l("Superseded"),
    },
    RecommendationSource: {
        RecommendationSource.COUNCIL_SESSION: _l("Council session"),
        RecommendationSource.GROUP_MEETING: _l("Working group meeting"),
        RecommendationSource.INTERGOVERNMENTAL_COMMISSION: _l("Intergovernmental commission"),
        RecommendationSource.STUDY: _l("Study"),
        RecommendationSource.OTHER: _l("Other"),
    },
    Priority: {Priority.HIGH: _l("High"), Priority.MEDIUM: _l("Medium"), Priority.LOW: _l("Low")},
    CommitmentStatus: {
        CommitmentStatus.PLANNED: _l("Planned"),
        CommitmentStatus.IN_PROGRESS: _l("In progress"),
        CommitmentStatus.REPORTED_DONE: _l("Reported done"),
        CommitmentStatus.VERIFIED: _l("Verified"),
        CommitmentStatus.BLOCKED: _l("Blocked"),
        CommitmentStatus.CANCELLED: _l("Cancelled"),
    },
    EvidenceKind: {EvidenceKind.FILE: _l("File"), EvidenceKind.LINK: _l("Link")},
}
