"""A comment on a record, a question to the other side, and what is kept of each change.

A thread is not a table of its own: a comment names its record by type and id (a recommendation, a
commitment, an initiative, a meeting, an agenda item, minutes), like an event names its subject. Its text
is {language: Markdown}, the original language marked, so it gains translations like any other record.
Nothing here is ever deleted: a withdrawn or hidden comment keeps its place in the thread, and an edit
keeps the earlier text in the comment's revisions.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from council.dbtypes import JSONText, enum_type
from council.directory.models import Organisation, User
from council.extensions import Model
from council.i18n import Translations
from council.timeutil import utcnow


class ConversationEvent(StrEnum):
    """The kinds of event conversations record (stored as these strings in event.kind)."""

    COMMENTED = "comment.added"
    EDITED = "comment.edited"
    WITHDRAWN = "comment.withdrawn"
    HIDDEN = "comment.hidden"
    TRANSLATED = "comment.translated"
    ASKED = "question.asked"
    ANSWERED = "question.answered"


class RecordType(StrEnum):
    """The kinds of record a thread can be about."""

    RECOMMENDATION = "recommendation"
    COMMITMENT = "commitment"
    INITIATIVE = "initiative"
    MEETING = "meeting"
    AGENDA_ITEM = "agenda_item"
    MINUTES = "minutes"


class CommentState(StrEnum):
    VISIBLE = "visible"
    WITHDRAWN = "withdrawn"  # by its author: the thread says so, the text is gone from view
    HIDDEN = "hidden"  # by a secretary, with a reason the author is told

    @property
    def label(self) -> str:
        return str({CommentState.VISIBLE: _l("Visible"), CommentState.WITHDRAWN: _l("Withdrawn"),
                    CommentState.HIDDEN: _l("Hidden")}[self])


class QuestionState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"

    @property
    def label(self) -> str:
        return str({QuestionState.OPEN: _l("Open question"),
                    QuestionState.ANSWERED: _l("Answered")}[self])


class Comment(Model):
    __tablename__ = "comment"
    __table_args__ = (Index("ix_comment_record", "record_type", "record_id", "id"),
                      Index("ix_comment_question", "addressed_organisation_id", "question_state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    record_type: Mapped[RecordType] = mapped_column(enum_type(RecordType))
    record_id: Mapped[int]
    # The working group of the record, when it has one: who co-chairs it answers for the thread.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("working_group.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    original_language: Mapped[str] = mapped_column(String(2), default="ru")
    body: Mapped[Translations] = mapped_column(JSONText)
    state: Mapped[CommentState] = mapped_column(enum_type(CommentState), default=CommentState.VISIBLE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    # A question: addressed to an organisation of the other side, open until marked answered.
    addressed_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    question_state: Mapped[QuestionState | None] = mapped_column(enum_type(QuestionState))
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    addressed_organisation: Mapped[Organisation | None] = relationship()
    mentions: Mapped[list[CommentMention]] = relationship(
        back_populates="comment", cascade="all, delete-orphan", order_by="CommentMention.user_id")
    revisions: Mapped[list[CommentRevision]] = relationship(
        back_populates="comment", cascade="all, delete-orphan", order_by="CommentRevision.id")
    attachments: Mapped[list[CommentAttachment]] = relationship(
        back_populates="comment", cascade="all, delete-orphan", order_by="CommentAttachment.id")

    @property
    def is_question(self) -> bool:
        return self.question_state is not None


class CommentMention(Model):
    """A person named with @ in a comment: they are told, and they may read the record."""

    __tablename__ = "comment_mention"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)

    comment: Mapped[Comment] = relationship(back_populates="mentions")
    user: Mapped[User] = relationship()


class CommentRevision(Model):
    """The text a comment had before an edit, in its original language (the history keeps it)."""

    __tablename__ = "comment_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(2))
    body: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime]
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="revisions")


class CommentAttachment(Model):
    """A file attached to a comment, under the evidence rules (types sniffed, size limited); kept on disk
    under UPLOAD_FOLDER/comments/<comment>/, never in the database, and served only to the record's
    readers."""

    __tablename__ = "comment_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))  # as the author named it
    stored_name: Mapped[str] = mapped_column(String(255))  # path under UPLOAD_FOLDER
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="attachments")
