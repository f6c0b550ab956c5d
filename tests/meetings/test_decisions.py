"""Decisions that become recommendations and commitments in the tracker, and progress reviews."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from council.errors import Conflict, NotAllowed, ValidationFailed
from council.events import history
from council.extensions import db
from council.meetings import agenda, decisions, minutes
from council.meetings.models import Decision, MeetingKind
from council.tracker.models import Commitment, CommitmentStatus, Recommendation, RecommendationStatus
from tests.factories import CommitmentFactory, OrganisationFactory, RecommendationFactory, UserFactory
from tests.meetings.conftest import item


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def decision(**overrides):
    values = dict(text={"ru": "Внедрить электронную очередь на пункте Темирбаба – Гарабогаз.",
                        "en": "Introduce an electronic queue at Temirbaba – Garabogaz."},
                  original_language="ru")
    values.update(overrides)
    return decisions.DecisionDetails(**values)


def test_a_decision_creates_an_adopted_recommendation_and_commitments(world, meetings):
    meeting = meetings.held()
    due = date.today() + timedelta(days=90)
    recorded = decisions.add_decision(world.secretary, meeting, decision(
        agenda_item_id=meeting.agenda_items[1].id, create_recommendation=True,
        recommendation_priority="high",
        commitments=(decisions.CommitmentDraft(world.kz_org.id, world.member.id, due),
                     decisions.CommitmentDraft(world.tm_org.id, world.tm_member.id, due,
                                              {"ru": "Подготовить площадку в Гарабогазе"}),
                     decisions.CommitmentDraft(None))))
    db.session.commit()
    recommendation = recorded.recommendation
    assert recommendation.status == RecommendationStatus.ADOPTED
    assert recommendation.group_id == world.group.id and recommendation.code.startswith("TRD-")
    assert recommendation.source.value == "group_meeting"
    assert recommendation.source_reference == f"{meeting.reference}/1"
    assert [c.organisation_id for c in recorded.commitments] == [world.kz_org.id, world.tm_org.id]
    kz, tm = recorded.commitments
    assert kz.recommendation_id == recommendation.id and kz.owner_id == world.member.id
    assert kz.due_date == due and kz.status == CommitmentStatus.PLANNED
    assert kz.description["ru"].startswith("Внедрить")
    assert tm.description == {"ru": "Подготовить площадку в Гарабогазе"}
    assert minutes.created_commitments(meeting) == sorted([kz, tm], key=lambda c: c.code)
    event = history("meeting", meeting.id)[0]
    assert event.kind == "meeting.decision_recorded"
    assert event.payload["recommendation_id"] == recommendation.id
    assert sorted(event.payload["commitment_ids"]) == sorted([kz.id, tm.id])
    # The tracker wrote its own events, so notifications reach the owners.
    assert [e.kind for e in history("commitment", kz.id)] == ["commitment.created"]


def test_commitments_under_an_existing_recommendation(world, meetings):
    meeting = meetings.held()
    adopted = RecommendationFactory(group=world.group, code="TRD-2025-007")
    recorded = decisions.add_decision(world.kz_chair, meeting, decision(
        commitment_recommendation_id=adopted.id,
        commitments=(decisions.CommitmentDraft(world.kz_org.id, None, date.today() + timedelta(days=30)),)))
    db.session.commit()
    assert recorded.recommendation_id is None
    assert recorded.commitments[0].code == "TRD-2025-007-KZ1"


def test_a_commitment_for_an_organisation_outside_the_council_saves_nothing(world, meetings):
    meeting = meetings.held()
    foreign = OrganisationFactory()  # another council's
    with pytest.raises(ValidationFailed) as refused:
        decisions.add_decision(world.secretary, meeting, decision(
            create_recommendation=True,
            commitments=(decisions.CommitmentDraft(world.kz_org.id, None, date.today()),
                         decisions.CommitmentDraft(foreign.id, None, date.today()))))
    assert refused.value.field == "commitments-1-organisation_id"
    db.session.rollback()
    assert count(Decision) == count(Recommendation) == count(Commitment) == 0


@pytest.mark.parametrize(("draft", "field"), [
    ({"due_date": None}, "commitments-0-due_date"),
    ({"owner": "tm_member"}, "commitments-0-owner_id"),  # not of the responsible organisation
    ({"owner": "stranger"}, "commitments-0-owner_id"),
])
def test_commitment_rows_are_checked_by_the_tracker(world, meetings, draft, field):
    meeting = meetings.held()
    who = draft.get("owner", "member")
    owner = UserFactory() if who == "stranger" else getattr(world, who)
    with pytest.raises(ValidationFailed) as refused:
        decisions.add_decision(world.secretary, meeting, decision(
            create_recommendation=True,
            commitments=(decisions.CommitmentDraft(world.kz_org.id, owner.id,
                                                  draft.get("due_date", date.today())),)))
    assert refused.value.field == field


def test_commitments_need_a_recommendation(world, meetings):
    meeting = meetings.held()
    with pytest.raises(ValidationFailed) as refused:
        decisions.add_decision(world.secretary, meeting, decision(
            commitments=(decisions.CommitmentDraft(world.kz_org.id, None, date.today()),)))
    assert refused.value.field == "commitment_recommendation_id"
    proposed = RecommendationFactory(group=world.group, status=RecommendationStatus.PROPOSED)
    with pytest.raises(Conflict):
        decisions.add_decision(world.secretary, meeting, decision(
            commitment_recommendation_id=proposed.id,
            commitments=(decisions.CommitmentDraft(world.kz_org.id, None, date.today()),)))


def test_a_council_session_names_the_group_of_its_recommendation(world, meetings):
    session = meetings.held(kind=MeetingKind.COUNCIL_SESSION, group=None,
                            invite_user_ids=(), invite_organisation_ids=())
    with pytest.raises(ValidationFailed) as refused:
        decisions.add_decision(world.secretary, session, decision(create_recommendation=True))
    assert refused.value.field == "recommendation_group_id"
    recorded = decisions.add_decision(world.secretary, session, decision(
        create_recommendation=True, recommendation_group_id=world.group.id, adopt_recommendation=False,
        recommendation_title={"ru": "Электронная очередь"}))
    db.session.commit()
    assert recorded.recommendation.status == RecommendationStatus.PROPOSED
    assert recorded.recommendation.source.value == "council_session"
    assert recorded.recommendation.title == {"ru": "Электронная очередь"}


def test_decisions_need_minutes_rights(world, meetings):
    meeting = meetings.held()
    with pytest.raises(NotAllowed):
        decisions.add_decision(world.member, meeting, decision())


def test_decisions_that_created_tracker_records_stay(world, meetings):
    meeting = meetings.held()
    plain = decisions.add_decision(world.secretary, meeting, decision())
    made = decisions.add_decision(world.secretary, meeting, decision(create_recommendation=True))
    db.session.commit()
    assert [d.number for d in meeting.decisions] == [1, 2]
    with pytest.raises(Conflict):
        decisions.remove_decision(world.secretary, made)
    db.session.rollback()
    decisions.remove_decision(world.secretary, plain)
    db.session.commit()
    assert [d.number for d in meeting.decisions] == [2]


def test_published_minutes_keep_a_snapshot_of_the_decisions(world, meetings):
    meeting = meetings.held()
    decisions.add_decision(world.secretary, meeting, decision(
        create_recommendation=True,
        commitments=(decisions.CommitmentDraft(world.kz_org.id, None, date.today() + timedelta(days=10)),)))
    minutes.publish_minutes(world.secretary, meeting)
    db.session.commit()
    [snapshot] = meeting.minutes.current.decisions_snapshot
    assert snapshot["number"] == 1 and snapshot["recommendation_code"].startswith("TRD-")
    assert snapshot["commitment_codes"] == [meeting.decisions[0].commitments[0].code]


# Agenda links and progress review ---------------------------------------------------------------


def test_agenda_items_link_recommendations_and_commitments_of_the_council(world, meetings):
    meeting = meetings.schedule()
    recommendation = RecommendationFactory(group=world.group)
    commitment = CommitmentFactory(recommendation=recommendation, organisation=world.kz_org)
    agenda_item = agenda.add_agenda_item(world.secretary, meeting, item(
        "Электронная очередь", 30, recommendation_ids=(recommendation.id,), commitment_ids=(commitment.id,)))
    db.session.commit()
    assert agenda_item.recommendations == [recommendation] and agenda_item.commitments == [commitment]
    stranger = CommitmentFactory()
    with pytest.raises(ValidationFailed) as refused:
        agenda.update_agenda_item(world.secretary, agenda_item, item(
            "Электронная очередь", 30, commitment_ids=(stranger.id,)))
    assert refused.value.field == "commitment_ids"


def test_overdue_and_soon_due_commitments_are_suggested_for_review(world, meetings):
    meeting = meetings.schedule()  # in a week
    recommendation = RecommendationFactory(group=world.group)
    today = date.today()
    overdue = CommitmentFactory(recommendation=recommendation, organisation=world.kz_org,
                                due_date=today - timedelta(days=3))
    due_before = CommitmentFactory(recommendation=recommendation, organisation=world.tm_org,
                                   due_date=today + timedelta(days=5), status=CommitmentStatus.IN_PROGRESS)
    CommitmentFactory(recommendation=recommendation, organisation=world.kz_org,
                      due_date=today + timedelta(days=30))  # after the meeting
    CommitmentFactory(recommendation=recommendation, organisation=world.kz_org,
                      due_date=today - timedelta(days=3), status=CommitmentStatus.VERIFIED)  # done
    other_group = RecommendationFactory(group__council=world.council)
    CommitmentFactory(recommendation=other_group, organisation=world.kz_org,
                      due_date=today - timedelta(days=3))  # another group's
    assert agenda.review_suggestions(meeting) == [overdue, due_before]

    review = agenda.add_progress_review(world.kz_chair, meeting)
    db.session.commit()
    assert review.commitments == [overdue, due_before]
    assert review.duration_minutes == 10
    assert review.title["en"] == "Progress review: 2 commitments overdue or due"
    assert review.title["ru"].startswith("Обзор хода выполнения")
    assert agenda.review_suggestions(meeting) == []
    with pytest.raises(Conflict):
        agenda.add_progress_review(world.kz_chair, meeting)


def test_a_council_session_reviews_the_whole_council(world, meetings):
    session = meetings.schedule(kind=MeetingKind.COUNCIL_SESSION, group=None)
    overdue = CommitmentFactory(recommendation=RecommendationFactory(group=world.group),
                                organisation=world.kz_org, due_date=date.today() - timedelta(days=1))
    assert agenda.review_suggestions(session) == [overdue]


def test_a_progress_review_must_fit(world, meetings):
    meeting = meetings.schedule()
    agenda.add_agenda_item(world.secretary, meeting, item("Весь день", 178))
    CommitmentFactory(recommendation=RecommendationFactory(group=world.group), organisation=world.kz_org,
                      due_date=date.today() - timedelta(days=1))
    with pytest.raises(ValidationFailed):
        agenda.add_progress_review(world.secretary, meeting)
