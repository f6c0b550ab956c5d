"""Meeting rules: who may do what, the meeting's life, the agenda, answers, attendance and minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from council.auth.permissions import can, refusal
from council.directory.models import GroupRole, PlatformRole
from council.errors import Conflict, NotAllowed, ValidationFailed
from council.events import Event, history
from council.extensions import db
from council.meetings import agenda, attendance, decisions, services
from council.meetings import minutes as meeting_minutes
from council.meetings.models import (
    AttendanceMode,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Response,
    RevisionStatus,
)
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, WorkingGroupFactory
from tests.meetings.conftest import details, item, local


def kinds(meeting: Meeting) -> list[str]:
    return [event.kind for event in reversed(history("meeting", meeting.id))]


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# Scheduling -------------------------------------------------------------------------------------


def test_secretary_schedules_a_group_meeting_stored_in_utc(world, meetings):
    meeting = meetings.schedule()
    assert meeting.status == MeetingStatus.DRAFT
    assert meeting.reference == f"TRD-{local(7, 10).year}-01"
    # 10:00 in Aktau (UTC+5) is 05:00 UTC.
    assert meeting.starts_at.tzinfo is not None
    assert meeting.starts_at.astimezone(UTC).hour == 5
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=3)
    [event] = history("meeting", meeting.id)
    assert event.kind == "meeting.scheduled"
    assert event.payload["group_id"] == world.group.id
    invited = sorted([world.kz_chair.id, world.tm_chair.id, world.member.id])
    assert sorted(event.payload["user_ids"]) == invited
    assert event.payload["organisation_ids"] == [world.tm_org.id]


def test_an_ashgabat_meeting_keeps_its_zone(meetings):
    meeting = meetings.schedule(time_zone="Asia/Ashgabat")
    assert meeting.time_zone == "Asia/Ashgabat"
    assert services.local_time(meeting.starts_at, meeting.time_zone) == local(7, 10)


def test_references_count_up_within_a_group_and_year(meetings):
    first = meetings.schedule()
    second = meetings.schedule()
    assert first.reference.endswith("-01") and second.reference.endswith("-02")


def test_co_chairs_schedule_their_own_group_only(world, meetings):
    other = WorkingGroupFactory(council=world.council, slug="ecology", code="ECO")
    meetings.schedule(actor=world.kz_chair)
    with pytest.raises(NotAllowed):
        meetings.schedule(actor=world.kz_chair, group=other)


@pytest.mark.parametrize("who", ["member", "observer", "outsider"])
def test_members_do_not_schedule(world, meetings, who):
    with pytest.raises(NotAllowed):
        meetings.schedule(actor=getattr(world, who))


def test_a_co_chair_proposes_a_council_session_that_the_secretariat_publishes(world, meetings):
    session = meetings.schedule(actor=world.tm_chair, kind=MeetingKind.COUNCIL_SESSION, group=None)
    assert session.group_id is None and session.reference.startswith("CS-")
    agenda.add_agenda_item(world.tm_chair, session, item("Открытие сессии", 20))
    db.session.commit()
    with pytest.raises(NotAllowed):
        services.publish_agenda(world.tm_chair, session)
    db.session.rollback()
    services.publish_agenda(world.secretary, session)
    db.session.commit()
    assert session.status == MeetingStatus.AGENDA_PUBLISHED
    # Once published, the proposer no longer edits it.
    with pytest.raises(NotAllowed):
        agenda.add_agenda_item(world.tm_chair, session, item("Ещё", 10))


def test_members_do_not_propose_council_sessions(world, meetings):
    with pytest.raises(NotAllowed):
        meetings.schedule(actor=world.member, kind=MeetingKind.COUNCIL_SESSION, group=None)


def test_end_before_start_is_refused_and_nothing_is_saved(world, meetings):
    with pytest.raises(ValidationFailed) as refused:
        meetings.schedule(starts_at=local(7, 13), ends_at=local(7, 10))
    assert refused.value.field == "ends_at"
    db.session.rollback()
    assert count(Meeting) == 0 and count(Invitation) == 0


@pytest.mark.parametrize(("overrides", "field"), [
    ({"place": "", "online_url": None}, "place"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"title": {"en": "Only English"}}, "title"),
    ({"ends_at": local(20, 10)}, "ends_at"),
])
def test_bad_details_name_their_field(meetings, overrides, field):
    with pytest.raises(ValidationFailed) as refused:
        meetings.schedule(**overrides)
    assert refused.value.field == field


def test_invitees_must_belong_to_the_council(world, meetings):
    stranger = UserFactory()
    with pytest.raises(ValidationFailed) as refused:
        meetings.schedule(invite_user_ids=(stranger.id,))
    assert refused.value.field == "invite_user_ids"
    with pytest.raises(ValidationFailed):
        meetings.schedule(invite_organisation_ids=(OrganisationFactory().id,))


def test_session_co_chairs_are_one_per_country(world, meetings):
    with pytest.raises(ValidationFailed) as refused:
        meetings.schedule(kind=MeetingKind.COUNCIL_SESSION, group=None,
                          session_chair_ids=(world.kz_chair.id, world.member.id))
    assert refused.value.field == "session_chair_ids"
    session = meetings.schedule(kind=MeetingKind.COUNCIL_SESSION, group=None,
                                session_chair_ids=(world.kz_chair.id, world.tm_chair.id))
    assert {c.id for c in session.session_chairs} == {world.kz_chair.id, world.tm_chair.id}


def test_inviting_the_whole_group(world):
    meeting = services.schedule_meeting(world.secretary, world.council, kind=MeetingKind.GROUP_MEETING,
                                        group=world.group, details=details(), invite_group_members=True)
    invited = {i.user_id for i in meeting.invitations}
    assert invited == {world.kz_chair.id, world.tm_chair.id, world.member.id, world.tm_member.id}


# The meeting's life -----------------------------------------------------------------------------


def test_publishing_needs_an_agenda_and_sends_the_invitations(world, meetings):
    meeting = meetings.schedule()
    with pytest.raises(Conflict):
        services.publish_agenda(world.secretary, meeting)
    db.session.rollback()
    agenda.add_agenda_item(world.secretary, meeting, item())
    services.publish_agenda(world.secretary, meeting)
    db.session.commit()
    assert kinds(meeting)[-2:] == ["meeting.agenda_published", "meeting.invited"]
    invited = history("meeting", meeting.id)[0]
    assert world.member.id in invited.payload["user_ids"]
    assert invited.payload["organisation_ids"] == [world.tm_org.id]
    assert meeting.sequence == 1


def test_cancelling_needs_a_reason_and_is_final(world, meetings):
    meeting = meetings.published()
    with pytest.raises(ValidationFailed) as refused:
        services.cancel_meeting(world.secretary, meeting, "  ")
    assert refused.value.field == "reason"
    services.cancel_meeting(world.secretary, meeting, "Совпадает с визитом делегации")
    db.session.commit()
    [event] = [e for e in history("meeting", meeting.id) if e.kind == "meeting.cancelled"]
    assert event.payload["reason"] == "Совпадает с визитом делегации"
    assert event.payload["from"] == "agenda_published" and world.member.id in event.payload["user_ids"]
    with pytest.raises(Conflict):
        services.publish_agenda(world.secretary, meeting)
    with pytest.raises(Conflict):
        services.update_meeting(world.secretary, meeting, details())


def test_a_held_meeting_cannot_be_cancelled(world, meetings):
    meeting = meetings.held()
    with pytest.raises(Conflict):
        services.cancel_meeting(world.secretary, meeting, "Too late")


def test_a_meeting_is_held_only_once_it_has_started(world, meetings):
    meeting = meetings.published()
    with pytest.raises(Conflict):
        services.mark_held(world.secretary, meeting)
    with pytest.raises(Conflict):
        services.mark_held(world.secretary, meetings.schedule())  # still a draft


def test_every_transition_follows_the_table():
    from council.meetings.models import MEETING_TRANSITIONS

    assert MEETING_TRANSITIONS[MeetingStatus.CANCELLED] == frozenset()
    for status in (MeetingStatus.DRAFT, MeetingStatus.AGENDA_PUBLISHED):
        assert MeetingStatus.CANCELLED in MEETING_TRANSITIONS[status]
    for status in (MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED):
        assert MeetingStatus.CANCELLED not in MEETING_TRANSITIONS[status]


def test_changing_a_published_meeting_tells_the_invitees(world, meetings):
    meeting = meetings.published()
    services.update_meeting(world.secretary, meeting, details(
        place="Turkmenbashi, port administration", invite_user_ids=(world.member.id, world.tm_member.id),
        invite_organisation_ids=()))
    db.session.commit()
    updated = next(e for e in history("meeting", meeting.id) if e.kind == "meeting.updated")
    assert updated.payload["changes"]["place"][1] == "Turkmenbashi, port administration"
    invited = history("meeting", meeting.id)[0]
    assert invited.kind == "meeting.invited" and invited.payload["user_ids"] == [world.tm_member.id]
    assert {i.user_id for i in meeting.invitations} == {world.member.id, world.tm_member.id}
    assert meeting.sequence == 2


def test_a_meeting_cannot_shrink_below_its_agenda(world, meetings):
    meeting = meetings.published()  # 75 minutes of agenda
    with pytest.raises(ValidationFailed) as refused:
        services.update_meeting(world.secretary, meeting, details(ends_at=local(7, 11)))
    assert refused.value.field == "ends_at"


def test_drafts_are_seen_by_their_organisers_only(world, meetings):
    meeting = meetings.schedule()
    assert services.get_meeting(meeting.id, world.kz_chair) is meeting
    with pytest.raises(Exception) as hidden:
        services.get_meeting(meeting.id, world.member)
    assert getattr(hidden.value, "status_code", None) == 404
    listed = db.session.scalars(services.meetings_list(world.member)).all()
    assert meeting not in listed
    assert meeting in db.session.scalars(services.meetings_list(world.tm_chair)).all()


def test_meetings_list_splits_upcoming_and_past(world, meetings):
    upcoming = meetings.published()
    past = meetings.held()
    assert db.session.scalars(services.meetings_list(world.member)).all() == [upcoming]
    assert db.session.scalars(services.meetings_list(world.member, when="past")).all() == [past]
    other = WorkingGroupFactory(council=world.council, slug="ecology", code="ECO")
    assert db.session.scalars(services.meetings_list(world.member, group_id=other.id)).all() == []


def test_a_meeting_of_the_longest_length_is_upcoming_until_its_last_hour(world, meetings):
    """The upcoming lists bound a meeting's start by the longest a meeting may last (to read the coming
    meetings off the index): a seven-day meeting is still listed an hour before it ends."""
    from council.dashboard.meetings import my_meetings
    from council.meetings.models import MAX_MEETING_LENGTH
    from council.timeutil import utcnow

    meeting = meetings.published()
    now = utcnow()
    meeting.ends_at = now + timedelta(hours=1)
    meeting.starts_at = meeting.ends_at - MAX_MEETING_LENGTH
    db.session.commit()
    assert db.session.scalars(services.meetings_list(world.member)).all() == [meeting]
    assert my_meetings(world.member) == [meeting]
    meeting.ends_at = now - timedelta(minutes=1)
    db.session.commit()
    assert db.session.scalars(services.meetings_list(world.member)).all() == []
    assert db.session.scalars(services.meetings_list(world.member, when="past")).all() == [meeting]
    assert my_meetings(world.member) == []


# Agenda -----------------------------------------------------------------------------------------


def test_agenda_numbers_and_running_times(world, meetings):
    meeting = meetings.schedule()
    opening = agenda.add_agenda_item(world.secretary, meeting, item("Открытие", 10))
    queue = agenda.add_agenda_item(world.secretary, meeting, item("Электронная очередь", 20))
    agenda.add_agenda_item(world.secretary, meeting, item("Темирбаба", 15, parent_id=queue.id))
    agenda.add_agenda_item(world.secretary, meeting, item("Болашак", 25, parent_id=queue.id))
    agenda.add_agenda_item(world.secretary, meeting, item("Разное", 5))
    db.session.commit()
    slots = agenda.agenda_timeline(meeting)
    assert [s.number for s in slots] == ["1", "2", "2.1", "2.2", "3"]
    start = meeting.starts_at
    assert slots[0].starts_at == start and slots[0].ends_at == start + timedelta(minutes=10)
    assert slots[1].starts_at == start + timedelta(minutes=10)
    assert slots[1].ends_at == start + timedelta(minutes=70)  # its own 20 and its sub-items' 40
    assert slots[3].starts_at == start + timedelta(minutes=45)
    assert slots[4].starts_at == start + timedelta(minutes=70)
    assert services.agenda_minutes(meeting) == 75
    assert opening.position == 1


def test_an_item_that_runs_past_the_end_is_refused(world, meetings):
    meeting = meetings.schedule()  # three hours
    agenda.add_agenda_item(world.secretary, meeting, item("Доклад", 150))
    with force_locale("en"), pytest.raises(ValidationFailed) as refused:
        agenda.add_agenda_item(world.secretary, meeting, item("Ещё доклад", 45))
    assert refused.value.field == "duration_minutes"
    assert refused.value.message == ("The agenda would end at 1:15\u202fPM, after the meeting ends at "
                                     "1:00\u202fPM.")


def test_sub_items_belong_to_this_meeting_and_nest_once(world, meetings):
    meeting = meetings.schedule()
    other = meetings.schedule()
    foreign = agenda.add_agenda_item(world.secretary, other, item("Чужой", 10))
    with pytest.raises(ValidationFailed) as refused:
        agenda.add_agenda_item(world.secretary, meeting, item("Под-пункт", 10, parent_id=foreign.id))
    assert refused.value.field == "parent_id"
    top = agenda.add_agenda_item(world.secretary, meeting, item("Пункт", 10))
    sub = agenda.add_agenda_item(world.secretary, meeting, item("Под-пункт", 10, parent_id=top.id))
    with pytest.raises(ValidationFailed):
        agenda.add_agenda_item(world.secretary, meeting, item("Глубже", 10, parent_id=sub.id))


@pytest.mark.parametrize("minutes", [0, -5, 601])
def test_durations_are_sensible(world, meetings, minutes):
    with pytest.raises(ValidationFailed) as refused:
        agenda.add_agenda_item(world.secretary, meetings.schedule(), item("Пункт", minutes))
    assert refused.value.field == "duration_minutes"


def test_reordering_and_moving(world, meetings):
    meeting = meetings.schedule()
    a, b, c = (agenda.add_agenda_item(world.secretary, meeting, item(t, 10)) for t in "ABC")
    agenda.reorder_agenda(world.secretary, meeting, [c.id, a.id, b.id], None)
    assert [s.item for s in agenda.agenda_timeline(meeting)] == [c, a, b]
    agenda.move_agenda_item(world.secretary, b, "up")
    assert [s.item for s in agenda.agenda_timeline(meeting)] == [c, b, a]
    agenda.move_agenda_item(world.secretary, c, "up")  # already first: nothing moves
    assert [s.item for s in agenda.agenda_timeline(meeting)] == [c, b, a]
    with pytest.raises(ValidationFailed):
        agenda.reorder_agenda(world.secretary, meeting, [a.id, b.id], None)
    with pytest.raises(ValidationFailed):
        agenda.move_agenda_item(world.secretary, a, "sideways")
    with pytest.raises(NotAllowed):
        agenda.reorder_agenda(world.member, meeting, [a.id, b.id, c.id], None)


def test_removing_an_item_removes_its_sub_items_and_renumbers(world, meetings):
    meeting = meetings.schedule()
    a = agenda.add_agenda_item(world.secretary, meeting, item("A", 10))
    agenda.add_agenda_item(world.secretary, meeting, item("A.1", 10, parent_id=a.id))
    b = agenda.add_agenda_item(world.secretary, meeting, item("B", 10))
    db.session.commit()
    agenda.remove_agenda_item(world.secretary, a)
    db.session.commit()
    assert [s.item for s in agenda.agenda_timeline(meeting)] == [b]
    assert b.position == 1


def test_agenda_changes_after_publication_are_news(world, meetings):
    meeting = meetings.schedule()
    agenda.add_agenda_item(world.secretary, meeting, item())
    assert kinds(meeting)[-1] == "meeting.agenda_edited"
    services.publish_agenda(world.secretary, meeting)
    agenda.add_agenda_item(world.secretary, meeting, item("Новый вопрос", 10))
    db.session.commit()
    changed = history("meeting", meeting.id)[0]
    assert changed.kind == "meeting.agenda_changed" and world.member.id in changed.payload["user_ids"]


def test_the_agenda_of_a_held_meeting_is_fixed(world, meetings):
    meeting = meetings.held()
    with pytest.raises(Conflict):
        agenda.add_agenda_item(world.secretary, meeting, item())


# Invitations ------------------------------------------------------------------------------------


def test_invitees_answer_and_delegate_within_their_organisation(world, meetings):
    meeting = meetings.published()
    mine = services.invitation_for(world.member, meeting)
    services.respond(world.member, mine, Response.ATTENDING)
    db.session.commit()
    assert mine.response == Response.ATTENDING and mine.responded_by_id == world.member.id
    colleague = UserFactory(organisation=world.kz_org, name="Colleague")
    services.respond(world.member, mine, Response.DELEGATED, colleague.id)
    assert mine.delegate_id == colleague.id
    with pytest.raises(ValidationFailed) as refused:
        services.respond(world.member, mine, Response.DELEGATED, world.tm_member.id)
    assert refused.value.field == "delegate_id"
    assert history("meeting", meeting.id)[0].kind == "meeting.responded"


def test_anyone_from_an_invited_organisation_answers_for_it(world, meetings):
    meeting = meetings.published()
    invitation = services.invitation_for(world.tm_member, meeting)
    assert invitation.organisation_id == world.tm_org.id
    services.respond(world.tm_member, invitation, Response.NOT_ATTENDING)
    with pytest.raises(NotAllowed):
        services.respond(world.outsider, invitation, Response.ATTENDING)


def test_nobody_answers_for_someone_else(world, meetings):
    meeting = meetings.published()
    with pytest.raises(NotAllowed):
        services.respond(world.outsider, services.invitation_for(world.member, meeting), Response.ATTENDING)


def test_no_answers_to_a_cancelled_meeting(world, meetings):
    meeting = meetings.published()
    services.cancel_meeting(world.secretary, meeting, "Перенос")
    db.session.commit()
    with pytest.raises(Conflict):
        services.respond(world.member, services.invitation_for(world.member, meeting), Response.ATTENDING)


# Attendance -------------------------------------------------------------------------------------


def test_attendance_shows_whether_both_countries_were_there(world, meetings):
    meeting = meetings.published()
    with pytest.raises(Conflict):
        attendance.record_attendance(world.secretary, meeting, {world.member.id: AttendanceMode.IN_PERSON})
    db.session.rollback()
    meeting = meetings.held()
    attendance.record_attendance(world.secretary, meeting, {world.kz_chair.id: AttendanceMode.IN_PERSON,
                                                          world.member.id: AttendanceMode.IN_PERSON})
    db.session.commit()
    assert attendance.represented_countries(meeting) == {"KZ"} and not attendance.both_sides_present(meeting)
    attendance.record_attendance(world.secretary, meeting, {world.kz_chair.id: AttendanceMode.IN_PERSON,
                                                          world.tm_chair.id: AttendanceMode.ONLINE})
    db.session.commit()
    assert {a.user_id for a in meeting.attendances} == {world.kz_chair.id, world.tm_chair.id}
    assert attendance.both_sides_present(meeting)
    assert history("meeting", meeting.id)[0].payload["countries"] == ["KZ", "TM"]


def test_attendance_is_kept_by_organisers(world, meetings):
    meeting = meetings.held()
    with pytest.raises(NotAllowed):
        attendance.record_attendance(world.member, meeting, {world.member.id: AttendanceMode.IN_PERSON})
    with pytest.raises(ValidationFailed):
        attendance.record_attendance(world.secretary, meeting, {UserFactory().id: AttendanceMode.IN_PERSON})


# Minutes ----------------------------------------------------------------------------------------


def test_minutes_are_approved_by_both_co_chairs(world, meetings):
    meeting = meetings.held()
    meeting_minutes.save_minutes(world.secretary, meeting, original_language="ru", notes={
        "general": {"ru": "Открыл заседание Ерлан Сарсенов."},
        str(meeting.agenda_items[1].id): {"ru": "Обсудили электронную очередь.", "en": "Queue discussed."}})
    meeting_minutes.publish_minutes(world.secretary, meeting)
    db.session.commit()
    revision = meeting.minutes.current
    assert revision.status == RevisionStatus.PUBLISHED
    requested = history("meeting", meeting.id)[0]
    assert requested.kind == "minutes.approval_requested"
    assert sorted(requested.payload["user_ids"]) == sorted([world.kz_chair.id, world.tm_chair.id])

    meeting_minutes.approve_minutes(world.kz_chair, meeting)
    db.session.commit()
    assert meeting.status == MeetingStatus.HELD and revision.status == RevisionStatus.PUBLISHED
    with pytest.raises(Conflict):
        meeting_minutes.approve_minutes(world.kz_chair, meeting)
    db.session.rollback()

    meeting_minutes.approve_minutes(world.tm_chair, meeting)
    db.session.commit()
    assert meeting.status == MeetingStatus.MINUTES_APPROVED
    assert revision.status == RevisionStatus.APPROVED and revision.approved_at is not None
    assert {a.country_code for a in revision.approvals} == {"KZ", "TM"}
    assert kinds(meeting)[-3:] == ["minutes.approved", "minutes.approved", "minutes.fully_approved"]
    with pytest.raises(Conflict):
        meeting_minutes.approve_minutes(world.tm_chair, meeting)


@pytest.mark.parametrize("who", ["member", "tm_member", "secretary", "admin", "observer"])
def test_only_co_chairs_approve(world, meetings, who):
    meeting = meetings.published_minutes()
    with pytest.raises(NotAllowed):
        meeting_minutes.approve_minutes(getattr(world, who), meeting)


def test_the_service_asks_the_registered_approval_rule(world, meetings):
    """The page (can) and the service (require) give one answer: the chairs, not even an admin."""
    meeting = meetings.published_minutes()
    assert [who for who in ("kz_chair", "tm_chair", "admin", "secretary", "member")
            if can(getattr(world, who), "minutes.approve", meeting)] == ["kz_chair", "tm_chair"]
    with pytest.raises(NotAllowed) as refused:
        meeting_minutes.approve_minutes(world.admin, meeting)
    assert refused.value.message == refusal(world.admin, "minutes.approve", meeting)


def test_a_second_co_chair_from_the_same_side_cannot_approve_for_it(world, meetings):
    meeting = meetings.published_minutes()
    # A co-chair of the same country (the directory allows one, but the rule must hold on its own).
    meeting_minutes.approve_minutes(world.kz_chair, meeting)
    db.session.commit()
    same_side = UserFactory(organisation=world.kz_org)
    MembershipFactory(group=world.group, user=same_side, role=GroupRole.CO_CHAIR)
    with pytest.raises(Conflict):
        meeting_minutes.approve_minutes(same_side, meeting)


def test_draft_minutes_cannot_be_approved(world, meetings):
    meeting = meetings.held()
    with pytest.raises(Conflict):
        meeting_minutes.approve_minutes(world.kz_chair, meeting)


def test_approved_minutes_are_read_only_until_an_amendment(world, meetings):
    meeting = meetings.published_minutes()
    meeting_minutes.approve_minutes(world.kz_chair, meeting)
    meeting_minutes.approve_minutes(world.tm_chair, meeting)
    db.session.commit()
    with pytest.raises(Conflict):
        meeting_minutes.save_minutes(world.secretary, meeting, original_language="ru",
                              notes={"general": {"ru": "Поправка"}})
    with pytest.raises(Conflict):
        decisions.add_decision(world.secretary, meeting, decisions.DecisionDetails(
            text={"ru": "Новое решение"}, original_language="ru"))
    with pytest.raises(Conflict):
        attendance.record_attendance(world.secretary, meeting, {})
    db.session.rollback()
    with pytest.raises(ValidationFailed):
        meeting_minutes.start_revision(world.secretary, meeting, "")
    meeting_minutes.start_revision(world.secretary, meeting, "Уточнить фамилию докладчика")
    db.session.commit()
    first, second = meeting.minutes.revisions
    assert first.status == RevisionStatus.SUPERSEDED and first.approved_at is not None
    assert second.number == 2 and second.status == RevisionStatus.DRAFT
    assert second.notes == first.notes
    assert meeting.status == MeetingStatus.HELD
    meeting_minutes.save_minutes(world.secretary, meeting, original_language="ru",
                          notes={"general": {"ru": "Исправленный текст"}})
    meeting_minutes.publish_minutes(world.secretary, meeting)
    meeting_minutes.approve_minutes(world.tm_chair, meeting)
    db.session.commit()
    assert meeting.status == MeetingStatus.HELD  # one approval is not enough for the new revision
    meeting_minutes.approve_minutes(world.kz_chair, meeting)
    db.session.commit()
    assert meeting.status == MeetingStatus.MINUTES_APPROVED
    assert meeting_minutes.revision_of(meeting, 1).note("general") == {"ru": "Заседание открыл тең төраға."}


def test_published_minutes_are_frozen_until_a_new_revision(world, meetings):
    meeting = meetings.published_minutes()
    with pytest.raises(Conflict):
        meeting_minutes.save_minutes(world.secretary, meeting, original_language="ru", notes={})
    with pytest.raises(Conflict):
        meeting_minutes.start_revision(world.secretary, meetings.held(), "nothing published yet")


def test_minutes_notes_are_for_this_agenda(world, meetings):
    meeting = meetings.held()
    with pytest.raises(ValidationFailed):
        meeting_minutes.save_minutes(world.secretary, meeting, original_language="ru",
                              notes={"99999": {"ru": "Чужой пункт"}})
    with pytest.raises(ValidationFailed):
        meeting_minutes.publish_minutes(world.secretary, meeting)  # nothing written


def test_a_council_session_is_approved_by_its_named_co_chairs(world, meetings):
    session = meetings.published_minutes(kind=MeetingKind.COUNCIL_SESSION, group=None,
                                         session_chair_ids=(world.member.id, world.tm_member.id))
    with pytest.raises(NotAllowed):
        meeting_minutes.approve_minutes(world.kz_chair, session)  # a group co-chair, not the session's
    meeting_minutes.approve_minutes(world.member, session)
    meeting_minutes.approve_minutes(world.tm_member, session)
    db.session.commit()
    assert session.status == MeetingStatus.MINUTES_APPROVED


# Decisions and the tracker are tested in test_decisions.py.


def test_every_recorded_event_carries_the_meeting_and_group(world, meetings):
    meeting = meetings.published_minutes()
    meeting_minutes.approve_minutes(world.kz_chair, meeting)
    db.session.commit()
    rows = db.session.scalars(select(Event).where(Event.subject_type == "meeting")).all()
    assert rows and all(e.payload["meeting_id"] == meeting.id and e.payload["group_id"] == world.group.id
                        and e.council_id == world.council.id for e in rows)


def test_dates_in_the_past_are_allowed_for_record_keeping(world, meetings):
    meeting = meetings.schedule(starts_at=local(-30, 10), ends_at=local(-30, 12))
    assert meeting.starts_at < datetime.now(UTC)
    assert agenda.meeting_date(meeting) == local(-30, 10).date()


def test_observers_see_published_meetings_but_not_drafts(world, meetings):
    assert world.observer.role == PlatformRole.OBSERVER
    meeting = meetings.published()
    assert services.get_meeting(meeting.id, world.observer) is meeting
