"""The quarterly report: each group's report for the quarter just ended reaches its co-chairs by e-mail."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import time_machine
from sqlalchemy import select

from council.celery import beat_schedule
from council.extensions import db
from council.reports import schedule
from council.reports.models import ReportStatus, ReportVersion
from tests.reports.conftest import KnownData


def test_the_quarter_just_ended_is_the_one_reported() -> None:
    assert schedule.quarter_before(date(2026, 10, 1)) == (2026, 3)
    assert schedule.quarter_before(date(2027, 1, 1)) == (2026, 4)


def test_beat_runs_it_on_the_first_day_of_each_quarter(app: Any) -> None:
    entry = beat_schedule(app.config)["quarterly-reports"]
    assert entry["task"] == "council.reports.quarterly"
    assert entry["schedule"].month_of_year == {1, 4, 7, 10} and entry["schedule"].day_of_month == {1}


def test_the_co_chairs_receive_their_groups_quarterly_report(app: Any, client: Any, auth: Any,
                                                             known: KnownData, mail_sink: Any) -> None:
    world = known.world
    # This app's task (another test's app may be Celery's default by now).
    quarterly_reports = app.extensions["celery"].tasks["council.reports.quarterly"]
    with time_machine.travel(datetime(2026, 10, 1, 2, 0, tzinfo=UTC), tick=False):
        # One active group: its report is generated in-process, then e-mailed.
        assert quarterly_reports.apply().get() == 1
    version = db.session.scalars(select(ReportVersion)).one()
    assert version.status == ReportStatus.DONE and version.group_id == world.group.id
    assert version.languages == ["kk", "tk"]
    assert version.parameters["start"] == "2026-07-01" and version.parameters["scheduled"] == "2026-Q3"
    for chair in (world.kz_chair, world.tm_chair):
        [message] = mail_sink.to(chair.email)
        assert "The quarterly progress report of the working group is ready: Trade" in message["Subject"]
    assert mail_sink.to(world.member.email) == []
    # Its link opens the report's page.
    link = re.search(r"http://council\.test(/notifications/\d+/open)", mail_sink.text_of(message))
    assert link is not None
    auth.login(world.tm_chair)
    assert client.get(link.group(1)).headers["Location"].endswith(f"/reports/{version.id}")
    # A second run in the same quarter makes nothing new.
    assert quarterly_reports.apply().get() == 0
