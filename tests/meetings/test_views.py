"""Meeting pages, driven as a secretary, co-chairs and members would, including the refusals."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from council.extensions import db
from council.meetings import agenda as meeting_agenda
from council.meetings import services
from council.meetings.models import (
    AgendaItem,
    Invitation,
    Meeting,
    MeetingStatus,
    Response,
    RevisionStatus,
)
from council.tracker.models import Commitment, Recommendation
from tests.conftest import NOT_FOUND, ONLY_TRADE_LEADERS, error_summary, page_text, refusal
from tests.factories import CommitmentFactory, OrganisationFactory, RecommendationFactory
from tests.meetings.conftest import item, local


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def meeting_form(world, **overrides):
    day = local(10, 0)
    data = {"kind": "group_meeting", "group_id": str(world.group.id),
            "title-ru": "Заседание группы по торговле", "title-en": "Trade group meeting",
            "original_language": "ru", "starts_at": day.strftime("%Y-%m-%dT10:00"),
            "ends_at": day.strftime("%Y-%m-%dT12:30"), "time_zone": "Asia/Aqtau",
            "place": "Aktau", "online_url": "", "invite_user_ids": [str(world.member.id)],
            "invite_organisation_ids": [str(world.tm_org.id)], "invite_group_members": "y"}
    data.update(overrides)
    return data


# List, schedule, page ---------------------------------------------------------------------------


def test_the_nav_leads_to_the_meetings_list(client, auth, world, meetings):
    upcoming = meetings.published()
    past = meetings.held(title={"ru": "Прошлое заседание", "en": "Last meeting"})
    auth.login(world.member)
    assert 'href="/meetings/"' in page_text(client.get("/", follow_redirects=True))
    text = page_text(client.get("/meetings/"))
    assert "Trade working group meeting" in text and "Last meeting" not in text
    assert upcoming.reference in text
    text = page_text(client.get("/meetings/?when=past"))
    assert "Last meeting" in text and past.reference in text
    assert "Schedule a meeting" not in text
    assert "Not understood, so left out: group=abc." in page_text(client.get("/meetings/?group=abc"))


def test_a_co_chair_schedules_a_meeting_through_the_form(client, auth, world):
    auth.login(world.kz_chair)
    assert client.get("/meetings/new").status_code == 200
    response = client.post("/meetings/new", data=meeting_form(world))
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    assert meeting.status == MeetingStatus.DRAFT and meeting.group_id == world.group.id
    assert services.local_time(meeting.ends_at, "Asia/Aqtau").hour == 12
    invited = {i.user_id for i in meeting.invitations if i.user_id}
    assert invited == {world.member.id, world.kz_chair.id, world.tm_chair.id, world.tm_member.id}


def test_end_before_start_is_a_422_and_nothing_is_saved(client, auth, world):
    auth.login(world.secretary)
    day = local(10, 0)
    response = client.post("/meetings/new", data=meeting_form(world, ends_at=day.strftime("%Y-%m-%dT09:00")))
    assert response.status_code == 422
    text = page_text(response)
    assert "The meeting must end after it starts." in text
    assert 'value="Trade group meeting"' in text
    assert count(Meeting) == 0 and count(Invitation) == 0
    response = client.post("/meetings/new", data=meeting_form(world, starts_at="tomorrow"))
    assert response.status_code == 422


def test_the_meeting_form_reports_every_rule_it_breaks_at_once(client, auth, world):
    auth.login(world.secretary)
    day = local(10, 0)
    response = client.post("/meetings/new", data=meeting_form(
        world, ends_at=day.strftime("%Y-%m-%dT09:00"), place="", online_url=""))
    assert response.status_code == 422
    assert error_summary(response) == [
        ("ends_at", "The meeting must end after it starts."),
        ("place", "Give a place or an online link."),
    ]
    assert count(Meeting) == 0


def test_members_may_not_schedule(client, auth, world):
    auth.login(world.member)
    assert client.get("/meetings/new").status_code == 403
    assert client.post("/meetings/new", data=meeting_form(world)).status_code == 403
    assert count(Meeting) == 0


def test_a_co_chair_may_not_schedule_for_another_group(client, auth, world):
    from tests.factories import WorkingGroupFactory

    other = WorkingGroupFactory(council=world.council, code="ECO")
    auth.login(world.kz_chair)
    response = client.post("/meetings/new", data=meeting_form(world, group_id=str(other.id)))
    assert response.status_code == 403
    assert count(Meeting) == 0


def test_the_meeting_page_shows_everything_a_member_needs(client, auth, world, meetings):
    meeting = meetings.published()
    auth.login(world.member)
    text = page_text(client.get(f"/meetings/{meeting.id}"))
    for expected in ("Trade working group meeting", "Aktau, akimat building", "Agenda published",
                     "Открытие", "Электронная очередь", "10:00", "10:15", "11:15", "Your answer",
                     "Yerlan Chair", "Merdan Chair"):
        assert expected in text, expected
    assert "Publish the agenda" not in text and "Add an item" not in text


def test_drafts_are_not_found_by_members_and_other_councils(client, auth, world, meetings):
    draft = meetings.schedule()
    auth.login(world.member)
    assert refusal(client.get(f"/meetings/{draft.id}"), 404) == "This session or meeting does not exist."
    assert refusal(client.get("/meetings/99999"), 404) == "This session or meeting does not exist."
    assert f"/meetings/{draft.id}\"" not in page_text(client.get("/meetings"))


def test_times_are_shown_in_the_readers_zone(client, auth, world, meetings):
    meeting = meetings.published(time_zone="Europe/Moscow")  # 10:00 Moscow is 12:00 in Aktau
    auth.login(world.member)
    text = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "12:00" in text and "Time zone of the meeting: Moscow (UTC+3)" in text


def test_editing_a_meeting(client, auth, world, meetings):
    meeting = meetings.published()
    auth.login(world.secretary)
    form = page_text(client.get(f"/meetings/{meeting.id}/edit"))
    assert local(7, 10).strftime("%Y-%m-%dT10:00") in form
    response = client.post(f"/meetings/{meeting.id}/edit", data=meeting_form(
        world, place="Turkmenbashi", starts_at=local(7, 10).strftime("%Y-%m-%dT10:00"),
        ends_at=local(7, 10).strftime("%Y-%m-%dT10:30")))
    assert response.status_code == 422
    assert "The agenda needs 75 minutes" in page_text(response)
    response = client.post(f"/meetings/{meeting.id}/edit", data=meeting_form(
        world, place="Turkmenbashi", starts_at=local(7, 10).strftime("%Y-%m-%dT10:00"),
        ends_at=local(7, 10).strftime("%Y-%m-%dT13:00")))
    assert response.status_code == 302
    db.session.refresh(meeting)
    assert meeting.place == "Turkmenbashi"


# Life of the meeting ----------------------------------------------------------------------------


def test_publish_hold_and_cancel_buttons(client, auth, world, meetings):
    meeting = meetings.schedule()
    auth.login(world.secretary)
    assert client.post(f"/meetings/{meeting.id}/publish").status_code == 409  # empty agenda
    meeting_agenda.add_agenda_item(world.secretary, meeting, item())
    db.session.commit()
    assert client.post(f"/meetings/{meeting.id}/publish").status_code == 302
    assert client.post(f"/meetings/{meeting.id}/held").status_code == 409  # not started yet
    response = client.post(f"/meetings/{meeting.id}/cancel", data={"reason": ""})
    assert response.status_code == 422
    response = client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "Делегация не сможет приехать"})
    assert response.status_code == 302
    text = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "This meeting was cancelled: Делегация не сможет приехать" in text
    assert client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "again"}).status_code == 409


def test_members_cannot_press_the_organisers_buttons(client, auth, world, meetings):
    meeting = meetings.published()
    auth.login(world.member)
    status = meeting.status
    assert refusal(client.post(f"/meetings/{meeting.id}/held")) == ONLY_TRADE_LEADERS
    assert refusal(client.get(f"/meetings/{meeting.id}/cancel")) == ONLY_TRADE_LEADERS
    assert refusal(client.get(f"/meetings/{meeting.id}/edit")) == ONLY_TRADE_LEADERS
    db.session.refresh(meeting)
    assert meeting.status == status
    page = page_text(client.get(f"/meetings/{meeting.id}"))
    assert f"/meetings/{meeting.id}/held" not in page and f"/meetings/{meeting.id}/cancel" not in page


def test_answering_an_invitation(client, auth, world, meetings):
    meeting = meetings.published()
    invitation = services.invitation_for(world.member, meeting)
    auth.login(world.member)
    url = f"/meetings/{meeting.id}/invitations/{invitation.id}/respond"
    response = client.post(url, data={"response": "delegated", "delegate_id": str(world.tm_member.id)})
    assert response.status_code == 422
    assert "Choose a delegate from the invited organisation." in page_text(response)
    assert client.post(url, data={"response": "attending"}).status_code == 302
    db.session.refresh(invitation)
    assert invitation.response == Response.ATTENDING
    assert "Attending" in page_text(client.get(f"/meetings/{meeting.id}"))


def test_an_answer_to_a_cancelled_meeting_is_a_409(client, auth, world, meetings):
    meeting = meetings.published()
    invitation = services.invitation_for(world.member, meeting)
    services.cancel_meeting(world.secretary, meeting, "Перенос")
    db.session.commit()
    auth.login(world.member)
    response = client.post(f"/meetings/{meeting.id}/invitations/{invitation.id}/respond",
                           data={"response": "attending"})
    assert response.status_code == 409
    assert "This meeting has been cancelled." in page_text(response)
    db.session.refresh(invitation)
    assert invitation.response == Response.PENDING


def test_an_answer_for_someone_else_is_a_403(client, auth, world, meetings):
    meeting = meetings.published()
    invitation = services.invitation_for(world.member, meeting)
    auth.login(world.outsider)
    response = client.post(f"/meetings/{meeting.id}/invitations/{invitation.id}/respond",
                           data={"response": "attending"})
    assert refusal(response) == ("Only the invited person or the people of the invited organisation can "
                                 "do this.")
    db.session.refresh(invitation)
    assert invitation.response == Response.PENDING


# Agenda builder ---------------------------------------------------------------------------------


def test_adding_and_editing_agenda_items(client, auth, world, meetings):
    meeting = meetings.schedule()
    auth.login(world.kz_chair)
    response = client.post(f"/meetings/{meeting.id}/agenda/new", data={
        "title-ru": "Пункт пропуска Болашак – Серхетяка", "original_language": "ru",
        "duration_minutes": "40", "presenter_id": str(world.member.id), "parent_id": ""})
    assert response.status_code == 302
    top = db.session.scalar(select(AgendaItem))
    response = client.post(f"/meetings/{meeting.id}/agenda/new", data={
        "title-ru": "Электронные накладные", "original_language": "ru", "duration_minutes": "500",
        "parent_id": str(top.id)})
    assert response.status_code == 422
    assert "after the meeting ends" in page_text(response)
    response = client.post(f"/meetings/{meeting.id}/agenda/{top.id}/edit", data={
        "title-ru": "Пункт пропуска Болашак – Серхетяка", "original_language": "ru",
        "duration_minutes": "abc"})
    assert response.status_code == 422
    text = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "Пункт пропуска Болашак – Серхетяка" in text and "Nurlan Member" in text
    assert "40 minutes" in text


def test_reordering_with_htmx_returns_the_agenda_fragment(client, auth, world, meetings):
    meeting = meetings.schedule()
    a, b, c = (meeting_agenda.add_agenda_item(world.secretary, meeting, item(title, 10))
               for title in ("Альфа", "Бета", "Гамма"))
    db.session.commit()
    auth.login(world.secretary)
    response = client.post(f"/meetings/{meeting.id}/agenda/reorder",
                           data={"order": f"{c.id},{a.id},{b.id}", "parent": ""},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = page_text(response)
    assert fragment.lstrip().startswith("<section id=\"agenda\"") and "<html" not in fragment
    assert fragment.index("Гамма") < fragment.index("Альфа") < fragment.index("Бета")
    response = client.post(f"/meetings/{meeting.id}/agenda/{b.id}/move", data={"direction": "up"},
                           headers={"HX-Request": "true"})
    fragment = page_text(response)
    assert fragment.index("Гамма") < fragment.index("Бета") < fragment.index("Альфа")


def test_reordering_without_javascript_goes_back_to_the_page(client, auth, world, meetings):
    meeting = meetings.schedule()
    a = meeting_agenda.add_agenda_item(world.secretary, meeting, item("Альфа", 10))
    b = meeting_agenda.add_agenda_item(world.secretary, meeting, item("Бета", 10))
    db.session.commit()
    auth.login(world.secretary)
    response = client.post(f"/meetings/{meeting.id}/agenda/{b.id}/move", data={"direction": "up"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#agenda")
    db.session.expire_all()
    timeline = meeting_agenda.agenda_timeline(db.session.get(Meeting, meeting.id))
    assert [s.item.id for s in timeline] == [b.id, a.id]
    bad = client.post(f"/meetings/{meeting.id}/agenda/reorder", data={"order": "x,y"})
    assert bad.status_code == 400
    wrong = client.post(f"/meetings/{meeting.id}/agenda/reorder", data={"order": f"{a.id}"})
    assert wrong.status_code == 422


def test_items_of_another_meeting_are_not_found(client, auth, world, meetings):
    first, second = meetings.schedule(), meetings.published()
    auth.login(world.secretary)
    foreign = second.agenda_items[0]
    assert refusal(client.get(f"/meetings/{first.id}/agenda/{foreign.id}/edit"), 404) == NOT_FOUND
    assert refusal(client.post(f"/meetings/{first.id}/agenda/{foreign.id}/delete"), 404) == NOT_FOUND
    db.session.expire_all()
    assert db.session.get(AgendaItem, foreign.id) is not None


def test_one_click_progress_review(client, auth, world, meetings):
    meeting = meetings.schedule()
    overdue = CommitmentFactory(recommendation=RecommendationFactory(group=world.group),
                                organisation=world.kz_org, due_date=date.today() - timedelta(days=2))
    auth.login(world.kz_chair)
    text = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "Commitments to review" in text and overdue.code in text
    response = client.post(f"/meetings/{meeting.id}/agenda/review", headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = page_text(response)
    assert "Progress review: 1 commitment overdue or due" in fragment and overdue.code in fragment
    assert "Commitments to review" not in fragment


# Attendance, minutes, approvals -----------------------------------------------------------------


def test_recording_attendance(client, auth, world, meetings):
    meeting = meetings.held()
    auth.login(world.secretary)
    page = page_text(client.get(f"/meetings/{meeting.id}/attendance"))
    assert "Yerlan Chair" in page and "Merdan Chair" in page
    response = client.post(f"/meetings/{meeting.id}/attendance", data={
        "present": [str(world.kz_chair.id), str(world.tm_chair.id)], "online": [str(world.tm_chair.id)],
        "add_user_id": str(world.outsider.id)})
    assert response.status_code == 302
    text = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "Both countries were represented." in text and "Outsider" in text


def test_writing_publishing_and_approving_the_minutes_end_to_end(client, auth, world, meetings):
    meeting = meetings.held()
    queue = meeting.agenda_items[1]
    auth.login(world.secretary)
    response = client.post(f"/meetings/{meeting.id}/minutes", data={
        "original_language": "ru", "notes_general-ru": "Заседание открыл Ерлан Сарсенов.",
        f"notes_{queue.id}-ru": "Таможни договорились о пилоте электронной очереди."})
    assert response.status_code == 302
    due = (date.today() + timedelta(days=60)).isoformat()
    response = client.post(f"/meetings/{meeting.id}/decisions/new", data={
        "text-ru": "Запустить пилот электронной очереди на Темирбаба – Гарабогаз.", "original_language": "ru",
        "agenda_item_id": str(queue.id), "create_recommendation": "y", "recommendation_priority": "high",
        "adopt_recommendation": "y",
        "commitments-0-organisation_id": str(world.kz_org.id), "commitments-0-owner_id": str(world.member.id),
        "commitments-0-due_date": due,
        "commitments-1-organisation_id": str(world.tm_org.id), "commitments-1-due_date": due,
        "commitments-2-organisation_id": ""})
    assert response.status_code == 302, page_text(response)
    assert count(Recommendation) == 1 and count(Commitment) == 2
    text = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "Commitments this meeting created" in text and "TRD-" in text
    assert client.post(f"/meetings/{meeting.id}/minutes/publish").status_code == 302
    auth.logout()

    auth.login(world.member)
    assert client.post(f"/meetings/{meeting.id}/minutes/approve").status_code == 403
    auth.logout()
    auth.login(world.kz_chair)
    assert client.post(f"/meetings/{meeting.id}/minutes/approve").status_code == 302
    assert client.post(f"/meetings/{meeting.id}/minutes/approve").status_code == 409
    auth.logout()
    auth.login(world.tm_chair)
    response = client.post(f"/meetings/{meeting.id}/minutes/approve", follow_redirects=True)
    assert "the minutes are final" in page_text(response)
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.status == MeetingStatus.MINUTES_APPROVED
    auth.logout()

    auth.login(world.secretary)
    response = client.post(f"/meetings/{meeting.id}/minutes", data={
        "original_language": "ru", "notes_general-ru": "Правка задним числом"})
    assert response.status_code == 409
    assert "read-only" in page_text(response)
    assert client.get(f"/meetings/{meeting.id}/minutes").status_code == 409
    assert client.get(f"/meetings/{meeting.id}/decisions/new").status_code == 409
    assert client.post(f"/meetings/{meeting.id}/decisions/new", data={
        "text-ru": "Ещё", "original_language": "ru"}).status_code == 409
    response = client.post(f"/meetings/{meeting.id}/minutes/revise", data={"reason": "Опечатка в фамилии"})
    assert response.status_code == 302
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.minutes.current.number == 2 and meeting.minutes.current.status == RevisionStatus.DRAFT
    text = page_text(client.get(f"/meetings/{meeting.id}/minutes/1"))
    assert "Заседание открыл Ерлан Сарсенов." in text and "Superseded" in text


def test_a_decision_for_an_organisation_outside_the_council_is_refused_on_its_row(client, auth, world,
                                                                                  meetings):
    meeting = meetings.held()
    foreign = OrganisationFactory()
    auth.login(world.secretary)
    response = client.post(f"/meetings/{meeting.id}/decisions/new", data={
        "text-ru": "Решение", "original_language": "ru", "create_recommendation": "y",
        "adopt_recommendation": "y", "commitments-0-organisation_id": str(foreign.id),
        "commitments-0-due_date": date.today().isoformat()})
    assert response.status_code == 422
    text = page_text(response)
    assert "Choose the responsible organisation." in text
    assert 'id="commitments-0-organisation_id"' in text
    assert count(Recommendation) == 0 and count(Commitment) == 0
    assert not db.session.get(Meeting, meeting.id).decisions


def test_print_views_are_in_the_readers_language(client, auth, world, meetings):
    meeting = meetings.published_minutes()
    world.member.language = "ru"
    db.session.commit()
    auth.login(world.member)
    agenda = page_text(client.get(f"/meetings/{meeting.id}/agenda/print"))
    assert '<html lang="ru">' in agenda and "meetings-print.css" in agenda
    assert "Открытие" in agenda and "Повестка дня" in agenda
    minutes = page_text(client.get(f"/meetings/{meeting.id}/minutes/print"))
    assert "Заседание открыл тең төраға." in minutes and "Протокол" in minutes
    assert client.get(f"/meetings/{meetings.published().id}/minutes/print").status_code == 404


def test_the_calendar_page(client, auth, world):
    auth.login(world.member)
    text = page_text(client.get("/meetings/calendar"))
    assert "Calendar subscriptions" in text and "Trade" in text
