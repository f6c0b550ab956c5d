"""A generated progress report: one numbered version per request, with who asked, when, what for, how far
its generation got, and the two documents once written."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from council.dbtypes import JSONText, enum_type
from council.directory.models import User, WorkingGroup
from council.extensions import Model
from council.timeutil import utcnow


class ReportEvent(StrEnum):
    """The kinds of event the reports record (stored as these strings in event.kind)."""

    READY = "report.ready"  # a scheduled report was written: its group's co-chairs hear of it
    PUBLISHED = "report.published"
    UNPUBLISHED = "report.unpublished"


class ReportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReportVersion(Model):
    __tablename__ = "report_version"
    __table_args__ = (UniqueConstraint("council_id", "number", name="uq_report_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    number: Mapped[int]  # 1, 2, 3… within the council
    group_id: Mapped[int | None] = mapped_column(ForeignKey("working_group.id"), index=True)
    # {"start": "2026-07-01", "end": "2026-09-30", "period": "quarter", "languages": ["ru", "kk"],
    #  "final": false, "public": false}: what was asked, so that a version can be read and made again.
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONText)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                        index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[ReportStatus] = mapped_column(enum_type(ReportStatus), default=ReportStatus.QUEUED)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    # Public-only reports may be shown on the portal (published by a secretary).
    published_at: Mapped[datetime | None]
    title: Mapped[str] = mapped_column(String(300), default="")
    # The documents: loaded only for a download.
    docx: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    group: Mapped[WorkingGroup | None] = relationship()
    requested_by: Mapped[User | None] = relationship()

    @property
    def languages(self) -> list[str]:
        return list(self.parameters.get("languages") or [])

    @property
    def is_public(self) -> bool:
        return bool(self.parameters.get("public"))
