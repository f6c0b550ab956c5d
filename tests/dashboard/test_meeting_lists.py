"""The dashboards' and "my work"'s lists of meetings kept as cards (council/dashboard/meetings.py): each
reader gets the list the query gives them (drafts only for those who may edit them), a meeting that
ends leaves the coming ones with no event, and a change shows at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from council.dashboard import meetings as meeting_lists
from council.dashboard.figures import Scope
from council.directory.models import User
from council.extensions import db
from council.meetings import services as meeting_services
from council.meetings.agenda import add_agenda_item
from council.meetings.models import Meeting
from tests.conftest import page_text
from tests.factories import WorkingGroupFactory
from tests.meetings.conftest import item


def titled(text: str) -> dict[str, str]:
    return {"ru": text, "en": text}


def ids(meetings) -> list[int]:
    return [meeting.id for meeting in meetings]


def in_aktau(minutes: int) -> datetime:
    """A wall-clock time in Aktau, `minutes` from now."""
    return (datetime.now(ZoneInfo("Asia/Aqtau")) + timedelta(minutes=minutes)).replace(tzinfo=None, second=0,
                                                                                        microsecond=0)


def test_each_reader_gets_the_meetings_the_query_gives_them(cached, world, meetings, monkeypatch):
    """Secretary, co-chair, member and observer; the council, a group and an organisation: the kept lists
    are the queries' own, from the cache the second time (one list per scope, not per reader)."""
    ecology = WorkingGroupFactory(council=world.council, slug="ecology", code="ECO")
    meetings.published(title=titled("Trade meeting"))
    meetings.published(title=titled("Ecology meeting"), group=ecology, invite=False)
    meetings.schedule(title=titled("Trade draft"))  # the secretaries' and the trade co-chairs'
    meetings.schedule(title=titled("Ecology draft"), group=ecology, invite=False)  # the secretaries'
    meeting_services.cancel_meeting(world.secretary, meetings.published(title=titled("Cancelled")), "Floods")
    meetings.published_minutes(title=titled("Yesterday's meeting"))
    db.session.commit()
    council = world.council.id
    scopes = [Scope(council), Scope(council, group_id=world.group.id), Scope(council, group_id=ecology.id),
              Scope(council, organisation_id=world.tm_org.id)]
    readers = [world.secretary, world.kz_chair, world.member, world.observer]
    built: list[Scope] = []
    coming = meeting_lists._coming
    monkeypatch.setattr(meeting_lists, "_coming", lambda scope, limit: built.append(scope) or
                        coming(scope, limit))
    for _ in range(2):
        with cached.app.test_request_context():
            for reader in (db.session.get(User, person.id) for person in readers):
                for scope in scopes:
                    assert ids(meeting_lists.upcoming(reader, scope)) == \
                        ids(meeting_lists.upcoming_meetings(reader, scope)), (reader.email, scope)
                    assert ids(meeting_lists.approved(scope)) == ids(meeting_lists.approved_minutes(scope))
                assert ids(meeting_lists.invited(reader)) == ids(meeting_lists.my_meetings(reader))
                assert ids(meeting_lists.awaiting(reader)) == ids(meeting_lists.minutes_awaiting(reader))
    assert built == scopes  # each scope's list read once, for every reader, in both requests
    with cached.app.test_request_context():
        secretary, member = db.session.get(User, world.secretary.id), db.session.get(User, world.member.id)
        shown = {meeting.title["en"] for meeting in meeting_lists.upcoming(secretary, Scope(council))}
        assert shown == {"Trade meeting", "Ecology meeting", "Trade draft", "Ecology draft"}
        shown = {meeting.title["en"] for meeting in meeting_lists.upcoming(member, Scope(council))}
        assert shown == {"Trade meeting", "Ecology meeting"}


def test_a_meeting_that_ends_leaves_the_coming_ones_with_no_event(cached, world, meetings):
    soon = meetings.schedule(title=titled("Soon over"), starts_at=in_aktau(5), ends_at=in_aktau(35))
    add_agenda_item(world.secretary, soon, item("Opening", 5))
    meeting_services.publish_agenda(world.secretary, soon)
    later = meetings.published(title=titled("Tomorrow"), starts_at=in_aktau(24 * 60),
                               ends_at=in_aktau(24 * 60 + 120))
    db.session.commit()
    scope = Scope(world.council.id)

    def listed() -> tuple[list[int], list[int]]:
        with cached.app.test_request_context():
            member = db.session.get(User, world.member.id)
            return ids(meeting_lists.upcoming(member, scope)), ids(meeting_lists.invited(member))

    assert listed() == ([soon.id, later.id], [soon.id, later.id])
    with time_machine.travel(datetime.now().astimezone() + timedelta(minutes=40), tick=False):
        assert listed() == ([later.id], [later.id])  # well within the cache's hour


def test_a_cancelled_meeting_leaves_the_lists_at_once(cached, world, meetings):
    meeting = meetings.published(title=titled("Trade meeting"))
    member = cached(world.member)
    assert "Trade meeting" in member.get("/dashboard").get_data(as_text=True)
    assert "Trade meeting" in member.get("/my-work").get_data(as_text=True)
    with cached.app.app_context():
        meeting_services.cancel_meeting(db.session.get(User, world.secretary.id),
                                        db.session.get(Meeting, meeting.id), "Storm")
        db.session.commit()
    assert "Trade meeting" not in member.get("/dashboard").get_data(as_text=True)
    assert "Trade meeting" not in member.get("/my-work").get_data(as_text=True)


def test_minutes_approved_leave_the_co_chair_s_list_at_once(cached, world, meetings):
    from council.meetings import minutes as meeting_minutes

    waiting = meetings.published_minutes(title=titled("Minutes to approve"))
    chair = cached(world.kz_chair)
    approvals = page_text(chair.get("/my-work")).split('id="approvals"')[1].split('id="next-meetings"')[0]
    assert "Minutes to approve" in approvals
    with cached.app.app_context():
        meeting_minutes.approve_minutes(db.session.get(User, world.kz_chair.id),
                                        db.session.get(Meeting, waiting.id))
        db.session.commit()
    approvals = page_text(chair.get("/my-work")).split('id="approvals"')[1].split('id="next-meetings"')[0]
    assert "Minutes to approve" not in approvals
