"""The quarterly report: on the first day of each quarter, every active working group's report for the
quarter just ended, in Kazakh and Turkmen side by side (each side's state language), generated as the
council's first secretary would read it; once written, its co-chairs are told by e-mail through the
outbox (the event "report.ready", heard by the group's co-chairs). Running it twice in a quarter makes
nothing new."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from council.directory.models import Council, PlatformRole, User, WorkingGroup
from council.extensions import db
from council.reports.models import ReportVersion
from council.reports.services import ReportRequest, request_report
from council.timeutil import council_today

SCHEDULED_LANGUAGES = ("kk", "tk")


def quarter_before(today: date) -> tuple[int, int]:
    """(year, quarter) of the quarter before the one `today` is in."""
    quarter = (today.month - 1) // 3 + 1
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


def _already(council_id: int, group_id: int, key: str) -> bool:
    versions = db.session.scalars(select(ReportVersion).where(
        ReportVersion.council_id == council_id, ReportVersion.group_id == group_id))
    return any(version.parameters.get("scheduled") == key for version in versions)


def plan_quarterly(today: date | None = None) -> list[int]:
    """Request the quarter's group reports (committed); the ids of the versions to generate."""
    year, part = quarter_before(today or council_today())
    key = f"{year}-Q{part}"
    planned: list[int] = []
    for council in db.session.scalars(select(Council).order_by(Council.id)):
        secretary = db.session.scalars(select(User).where(
            User.council_id == council.id, User.role == PlatformRole.SECRETARY, User.active.is_(True))
            .order_by(User.id)).first()
        if secretary is None:
            continue
        groups = db.session.scalars(select(WorkingGroup).where(
            WorkingGroup.council_id == council.id, WorkingGroup.active.is_(True)).order_by(WorkingGroup.id))
        for group in groups:
            if _already(council.id, group.id, key):
                continue
            version = request_report(secretary, council, ReportRequest(
                group_id=group.id, period="quarter", year=year, part=part,
                language=SCHEDULED_LANGUAGES[0], second_language=SCHEDULED_LANGUAGES[1]))
            version.parameters = {**version.parameters, "scheduled": key}
            planned.append(version.id)
    db.session.commit()
    return planned
