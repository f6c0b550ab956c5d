"""Requesting, generating and reading progress reports. A request is checked and numbered here; the
generation (a Celery task, in-process without a broker) gathers what the requester may read, writes the
DOCX and the PDF, and records its progress on the version as it goes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Select, false, func, select, true

from council import events
from council.auth.permissions import require
from council.directory.models import Council, User, WorkingGroup
from council.errors import Conflict, NotFound, ValidationFailed
from council.extensions import db
from council.formatting import format_date
from council.i18n import LANGUAGES, plain_localized
from council.reports.compose import compose
from council.reports.content import gather
from council.reports.docx_writer import write_docx
from council.reports.models import ReportEvent, ReportStatus, ReportVersion
from council.reports.pdf_writer import write_pdf
from council.reports.periods import Period, period_of
from council.timeutil import utcnow
from council.tracker.permissions import co_chaired_groups, leads_everything

logger = logging.getLogger(__name__)
FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "pdf": "application/pdf"}


@dataclass(frozen=True)
class ReportRequest:
    """What the form asks for, as typed values (the form checked their shapes)."""

    group_id: int | None
    period: str
    year: int | None = None
    part: int | None = None
    start: date | None = None
    end: date | None = None
    language: str = "ru"
    second_language: str | None = None
    final: bool = False


def languages_of(language: str, second: str | None) -> list[str]:
    if language not in LANGUAGES:
        raise ValidationFailed(_("Choose the report's language."), "language")
    if not second:
        return [language]
    if second not in LANGUAGES:
        raise ValidationFailed(_("Choose the second language, or none."), "second_language")
    if second == language:
        raise ValidationFailed(_("A bilingual report needs two different languages."), "second_language")
    return [language, second]


def _scope(actor: User, council: Council, group_id: int | None) -> WorkingGroup | None:
    if group_id is None:
        require(actor, "report.generate", council.id)
        return None
    group = db.session.get(WorkingGroup, group_id)
    if group is None or group.council_id != council.id:
        raise ValidationFailed(_("Choose one of the council's working groups."), "group_id")
    require(actor, "report.generate", group)
    return group


def _title(council: Council, group: WorkingGroup | None, period: Period) -> str:
    scope = plain_localized(group.name, group.original_language) if group is not None \
        else plain_localized(council.name, council.original_language)
    return f"{scope}: {format_date(period.start)} – {format_date(period.end)}"


def request_report(actor: User, council: Council, asked: ReportRequest, *,
                   public: bool = False) -> ReportVersion:
    """A new numbered version, queued; the caller commits, then hands its id to the task."""
    group = _scope(actor, council, asked.group_id)
    period = period_of(asked.period, year=asked.year, part=asked.part, start=asked.start, end=asked.end)
    languages = languages_of(asked.language, asked.second_language)
    number = (db.session.scalar(select(func.max(ReportVersion.number))
                                .where(ReportVersion.council_id == council.id)) or 0) + 1
    version = ReportVersion(council_id=council.id, number=number, group_id=group.id if group else None,
                            requested_by_id=actor.id, status=ReportStatus.QUEUED, progress=0,
                            title=_title(council, group, period)[:300],
                            parameters={**period.as_parameters(), "languages": languages,
                                        "final": asked.final, "public": public})
    db.session.add(version)
    db.session.flush()
    return version


def _step(version: ReportVersion, progress: int) -> None:
    version.progress = progress
    db.session.commit()  # the progress page reads it from another connection


def generate(version_id: int) -> str:
    """Write the version's documents (the task's body; a version already written is left as it is)."""
    version = db.session.get(ReportVersion, version_id)
    if version is None or version.status == ReportStatus.DONE:
        return "nothing to do"
    version.status = ReportStatus.RUNNING
    _step(version, 5)
    try:
        parameters = version.parameters
        period = Period(parameters["period"], date.fromisoformat(parameters["start"]),
                        date.fromisoformat(parameters["end"]))
        council = db.session.get(Council, version.council_id)
        reader = None if version.is_public else version.requested_by
        if council is None or (reader is None and not version.is_public):
            raise LookupError("the council or the person who asked for the report is gone")
        language = reader.language if reader is not None and reader.language in LANGUAGES else \
            version.languages[0]
        with force_locale(language):
            data = gather(reader, council, version.group, period, public=version.is_public,
                          final=bool(parameters.get("final")))
        _step(version, 35)
        document = compose(data, version.languages, version.number)
        _step(version, 55)
        version.docx = write_docx(document)
        _step(version, 75)
        version.pdf = write_pdf(document)
        version.status = ReportStatus.DONE
        version.finished_at = utcnow()
        if parameters.get("scheduled"):
            # The group's co-chairs hear of it (council.notifications), e-mailed through the outbox.
            events.record(ReportEvent.READY, version, None, group_id=version.group_id, number=version.number,
                          start=parameters["start"], end=parameters["end"])
        _step(version, 100)
        return "done"
    except Exception as error:  # the version says it failed; the log keeps why
        db.session.rollback()
        logger.exception("Report version %s failed", version_id)
        version = db.session.get(ReportVersion, version_id)
        if version is not None:
            version.status = ReportStatus.FAILED
            version.error = type(error).__name__
            version.finished_at = utcnow()
            db.session.commit()
        return "failed"


def readable_versions(user: User) -> Select[Any]:
    """The versions a person may open: all of the council's for its secretaries, their groups' for
    co-chairs."""
    query = select(ReportVersion).where(ReportVersion.council_id == user.council_id)
    if leads_everything(user):
        return query.where(true())
    groups = co_chaired_groups(user)
    return query.where(ReportVersion.group_id.in_(groups) if groups else false())


def get_version(user: User, version_id: int) -> ReportVersion:
    version = db.session.get(ReportVersion, version_id)
    if version is None or version.council_id != user.council_id:
        raise NotFound(_("There is no such report."))
    require(user, "report.generate", version.group if version.group is not None else version.council_id)
    return version


def document_of(user: User, version_id: int, file_format: str) -> tuple[ReportVersion, bytes]:
    version = get_version(user, version_id)
    content = version.docx if file_format == "docx" else version.pdf
    if version.status != ReportStatus.DONE or content is None:
        raise NotFound(_("This report is not ready yet."))
    return version, content


# The public portal -----------------------------------------------------------------------------------


def set_published(actor: User, version: ReportVersion, published: bool) -> ReportVersion:
    """Show a finished report built from public records only on the portal, or take it off
    (secretaries)."""
    require(actor, "report.publish", version.council_id)
    if published and (not version.is_public or version.status != ReportStatus.DONE):
        raise Conflict(_("Only a finished report built from public records only can be published on "
                         "the portal."))
    if published != (version.published_at is not None):
        version.published_at = utcnow() if published else None
        events.record(ReportEvent.PUBLISHED if published else ReportEvent.UNPUBLISHED, version, actor,
                      number=version.number)
    return version


def published_versions(council_id: int) -> Select[Any]:
    return (select(ReportVersion).where(ReportVersion.council_id == council_id,
                                        ReportVersion.published_at.is_not(None))
            .order_by(ReportVersion.number.desc()))


def published_document(council_id: int, version_id: int, file_format: str) -> tuple[ReportVersion, bytes]:
    version = db.session.get(ReportVersion, version_id)
    content = None if version is None else version.docx if file_format == "docx" else version.pdf
    if version is None or version.council_id != council_id or version.published_at is None \
            or not version.is_public or content is None:
        raise NotFound(_("There is no such report."))
    return version, content
