"""Tracker rules: every transition, every refusal, and the events they leave behind."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from council.errors import Conflict, NotAllowed, ValidationFailed
from council.events import Event, history
from council.extensions import db
from council.timeutil import council_today
from council.tracker import services
from council.tracker.evidence import EvidenceUpload
from council.tracker.models import (
    COMMITMENT_TRANSITIONS,
    RECOMMENDATION_TRANSITIONS,
    Commitment,
    CommitmentStatus,
    Evidence,
    ProgressUpdate,
    Recommendation,
    RecommendationStatus,
    overdue_condition,
)
from tests.factories import CommitmentFactory, OrganisationFactory, RecommendationFactory, UserFactory
from tests.tracker.conftest import PDF, PNG, stored_files

RS = RecommendationStatus
CS = CommitmentStatus


def recommendation_values(**overrides):
    values = dict(code="TRD-2026-004",
                  title={"ru": "Электронная очередь на Темирбаба – Гарабогаз",
                         "en": "Electronic queue at Temirbaba – Garabogaz"},
                  text={"ru": "Внедрить электронную очередь для грузовиков."},
                  original_language="ru", source="council_session",
                  source_reference="Session 3, item 2", priority="high", is_public=True)
    values.update(overrides)
    return values


def commitment_values(world, **overrides):
    values = dict(organisation=world.kz_org, owner=world.member,
                  description={"ru": "Запустить электронную очередь", "en": "Launch the queue"},
                  original_language="ru", start_date=date(2026, 1, 10), due_date=date(2026, 6, 30))
    values.update(overrides)
    return values


@pytest.fixture
def adopted(world):
    return RecommendationFactory(group=world.group, code="TRD-2026-001")


@pytest.fixture
def commitment(world, adopted):
    return CommitmentFactory(recommendation=adopted, organisation=world.kz_org, owner=world.member,
                             code="TRD-2026-001-KZ1")


def kinds(subject_type, subject_id):
    return [event.kind for event in reversed(history(subject_type, subject_id))]


# Recommendations ------------------------------------------------------------------------------------


def test_co_chair_records_a_proposed_recommendation(world):
    recommendation = services.create_recommendation(world.kz_chair, world.group,
                                                    **recommendation_values(code=" trd-2026-004 "))
    db.session.commit()
    assert recommendation.code == "TRD-2026-004"
    assert recommendation.status == RS.PROPOSED and recommendation.is_public
    [event] = history("recommendation", recommendation.id)
    assert event.kind == "recommendation.created"
    assert event.payload["group_id"] == world.group.id and event.payload["code"] == "TRD-2026-004"
    assert "электронная очередь" in recommendation.search_text


def test_recommendation_codes_are_unique_per_council(world, adopted):
    with pytest.raises(Conflict) as raised:
        services.create_recommendation(world.secretary, world.group,
                                       **recommendation_values(code="TRD-2026-001"))
    assert raised.value.field == "code"
    other_council_group = RecommendationFactory().group
    secretary = UserFactory(council=other_council_group.council, organisation=None, role="secretary")
    services.create_recommendation(secretary, other_council_group,
                                   **recommendation_values(code="TRD-2026-001"))


@pytest.mark.parametrize(("overrides", "field"), [
    ({"code": "bad code!"}, "code"),
    ({"title": {"en": "Only English"}}, "title"),
    ({"original_language": "de"}, "original_language"),
    ({"source": "rumour"}, "source"),
    ({"priority": "urgent"}, "priority"),
    ({"source_reference": "x" * 301}, "source_reference"),
])
def test_recommendation_refusals_name_their_field(world, overrides, field):
    with pytest.raises(ValidationFailed) as raised:
        services.create_recommendation(world.secretary, world.group, **recommendation_values(**overrides))
    assert raised.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Recommendation)) == 0


def test_update_records_what_changed(world, adopted):
    services.update_recommendation(world.tm_chair, adopted, **recommendation_values(
        code=adopted.code, priority="low"))
    db.session.commit()
    [event] = history("recommendation", adopted.id)
    assert event.kind == "recommendation.updated"
    assert event.payload["changes"]["priority"] == ["medium", "low"]


ALL_RECOMMENDATION_MOVES = [(a, b) for a in RS for b in RS if a != b]


@pytest.mark.parametrize(("start", "target"), ALL_RECOMMENDATION_MOVES)
def test_recommendation_transitions(world, start, target):
    recommendation = RecommendationFactory(group=world.group, status=start)
    allowed = target in RECOMMENDATION_TRANSITIONS.get(start, ())
    if not allowed:
        with pytest.raises(Conflict):
            services.change_recommendation_status(world.secretary, recommendation, target, "why")
        return
    services.change_recommendation_status(world.secretary, recommendation, target, "Decided at session 3")
    db.session.commit()
    assert recommendation.status == target
    [event] = history("recommendation", recommendation.id)
    assert event.kind == "recommendation.status_changed"
    assert event.payload["from"] == start.value and event.payload["to"] == target.value


@pytest.mark.parametrize("target", [RS.REJECTED, RS.WITHDRAWN])
def test_closing_a_recommendation_needs_a_reason(world, target):
    recommendation = RecommendationFactory(group=world.group, status=RS.PROPOSED)
    with pytest.raises(ValidationFailed) as raised:
        services.change_recommendation_status(world.kz_chair, recommendation, target, "  ")
    assert raised.value.field == "reason"
    services.change_recommendation_status(world.kz_chair, recommendation, RS.ADOPTED)
    assert recommendation.status == RS.ADOPTED


def test_unknown_status_is_refused(world, adopted):
    with pytest.raises(ValidationFailed):
        services.change_recommendation_status(world.secretary, adopted, "forgotten")


# Commitments -----------------------------------------------------------------------------------------


def test_commitment_under_an_adopted_recommendation(world, adopted):
    commitment = services.create_commitment(world.kz_chair, adopted, **commitment_values(world))
    db.session.commit()
    assert commitment.code == "TRD-2026-001-KZ1" and commitment.status == CS.PLANNED
    assert commitment.group_id == world.group.id and commitment.country_code == "KZ"
    second = services.create_commitment(world.kz_chair, adopted, **commitment_values(world))
    assert second.code == "TRD-2026-001-KZ2"
    [event] = history("commitment", commitment.id)
    assert event.kind == "commitment.created"
    assert event.payload["organisation_id"] == world.kz_org.id
    assert event.payload["owner_id"] == world.member.id
    assert event.payload["recommendation_id"] == adopted.id


@pytest.mark.parametrize("status", [RS.PROPOSED, RS.REJECTED, RS.IMPLEMENTED])
def test_no_commitments_under_a_recommendation_not_adopted(world, status):
    recommendation = RecommendationFactory(group=world.group, status=status)
    with pytest.raises(Conflict):
        services.create_commitment(world.secretary, recommendation, **commitment_values(world))


def test_owner_must_work_for_the_responsible_organisation(world, adopted):
    with pytest.raises(ValidationFailed) as raised:
        services.create_commitment(world.secretary, adopted,
                                   **commitment_values(world, owner=world.tm_member))
    assert raised.value.field == "owner_id"


def test_due_date_cannot_precede_start(world, adopted):
    with pytest.raises(ValidationFailed) as raised:
        services.create_commitment(world.secretary, adopted, **commitment_values(
            world, start_date=date(2026, 5, 1), due_date=date(2026, 4, 30)))
    assert raised.value.field == "due_date"


def test_counterpart_is_on_the_other_side_and_pairs_both_ways(world, adopted, commitment):
    with pytest.raises(ValidationFailed) as raised:
        services.create_commitment(world.secretary, adopted,
                                   **commitment_values(world, counterpart=commitment))
    assert raised.value.field == "counterpart_id"
    db.session.rollback()
    turkmen = services.create_commitment(world.secretary, adopted, **commitment_values(
        world, organisation=world.tm_org, owner=world.tm_member, counterpart=commitment,
        description={"tk": "Elektron nobat", "ru": "Электронная очередь"}, original_language="tk"))
    db.session.commit()
    assert turkmen.code == "TRD-2026-001-TM1"
    assert turkmen.counterpart_id == commitment.id and commitment.counterpart_id == turkmen.id


def test_each_side_makes_its_own_half_of_a_counterpart_pair(world, adopted):
    """Parity: the Kazakh co-chair takes on the Kazakh commitment, the Turkmen co-chair its Turkmen
    counterpart; neither makes the other side's, and the refusal says who can."""
    kazakh = services.create_commitment(world.kz_chair, adopted, **commitment_values(world))
    db.session.commit()
    turkmen_values = commitment_values(world, organisation=world.tm_org, owner=world.tm_member,
                                       counterpart=kazakh)
    with pytest.raises(NotAllowed) as refused:
        services.create_commitment(world.kz_chair, adopted, **turkmen_values)
    assert refused.value.message == (
        "Only the co-chair of the Trade working group (Turkmenistan) or the council's secretaries can "
        "take on a commitment for Organisation balkan-hyakimlik.")
    db.session.rollback()
    turkmen = services.create_commitment(world.tm_chair, adopted, **turkmen_values)
    db.session.commit()
    assert (turkmen.counterpart_id, kazakh.counterpart_id) == (kazakh.id, turkmen.id)
    # Moving one's own commitment to the other side's organisation is making one for that side.
    with pytest.raises(NotAllowed):
        services.update_commitment(world.kz_chair, kazakh, **commitment_values(
            world, organisation=world.tm_org, owner=world.tm_member))
    db.session.rollback()
    assert db.session.get(type(kazakh), kazakh.id).organisation_id == world.kz_org.id


def test_an_international_organisations_commitment_is_the_secretariats(world, adopted):
    undp = OrganisationFactory(council=world.council, code="undp", kind="international")
    values = commitment_values(world, organisation=undp, owner=None)
    for co_chair in (world.kz_chair, world.tm_chair):
        with pytest.raises(NotAllowed) as refused:
            services.create_commitment(co_chair, adopted, **values)
        assert refused.value.message.startswith("Only the council's secretaries can take on")
        db.session.rollback()
    assert services.create_commitment(world.secretary, adopted, **values).organisation_id == undp.id


def test_owner_and_due_date_changes_are_events_of_their_own(world, commitment):
    new_owner = UserFactory(organisation=world.kz_org)
    services.update_commitment(world.secretary, commitment, **commitment_values(
        world, owner=new_owner, due_date=date(2026, 9, 30)))
    db.session.commit()
    assert kinds("commitment", commitment.id) == ["commitment.owner_changed", "commitment.due_changed",
                                                  "commitment.updated"]
    due = next(e for e in history("commitment", commitment.id) if e.kind == "commitment.due_changed")
    assert due.payload["to"] == "2026-09-30"


def test_closed_commitments_are_not_edited(world, commitment):
    commitment.status = CS.VERIFIED
    with pytest.raises(Conflict):
        services.update_commitment(world.secretary, commitment, **commitment_values(world))


# Progress --------------------------------------------------------------------------------------------


def test_owner_reports_progress_and_a_planned_commitment_starts(world, commitment):
    update = services.report_progress(world.member, commitment, progress=40,
                                      note="Equipment delivered", links=["https://example.org/act"])
    db.session.commit()
    assert commitment.progress == 40 and commitment.status == CS.IN_PROGRESS
    assert update.from_status == CS.PLANNED and update.to_status == CS.IN_PROGRESS
    assert [e.url for e in update.evidence] == ["https://example.org/act"]
    assert kinds("commitment", commitment.id) == ["commitment.progress_reported",
                                                  "commitment.status_changed"]


def test_colleague_of_the_owner_may_report(world, commitment):
    colleague = UserFactory(organisation=world.kz_org)
    services.report_progress(colleague, commitment, progress="25", note="")
    assert commitment.progress == 25


@pytest.mark.parametrize("value", [-1, 101, "abc", "50.5", None, True, 12.5])
def test_progress_outside_0_to_100_is_refused(world, commitment, value):
    with pytest.raises(ValidationFailed) as raised:
        services.report_progress(world.member, commitment, progress=value, note="x")
    assert raised.value.field == "progress"


def test_reporting_done_sets_100_and_waits_for_verification(world, commitment):
    services.report_progress(world.member, commitment, progress=70, status=CS.REPORTED_DONE,
                             note="Queue in service since May")
    db.session.commit()
    assert commitment.progress == 100 and commitment.status == CS.REPORTED_DONE
    change = history("commitment", commitment.id)[0]
    assert change.kind == "commitment.status_changed" and change.payload["to"] == "reported_done"
    assert change.payload["group_id"] == world.group.id
    with pytest.raises(Conflict):
        services.report_progress(world.member, commitment, progress=80, note="oops")
    with pytest.raises(Conflict):
        services.report_progress(world.member, commitment, progress=50, status=CS.IN_PROGRESS,
                                 note="")


def test_blocking_needs_a_reason(world, commitment):
    with pytest.raises(ValidationFailed) as raised:
        services.report_progress(world.member, commitment, progress=10, status=CS.BLOCKED, note="")
    assert raised.value.field == "note"
    services.report_progress(world.member, commitment, progress=10, status=CS.BLOCKED,
                             note="Waiting for customs software")
    assert commitment.status == CS.BLOCKED and commitment.status_reason == "Waiting for customs software"


def test_an_empty_report_is_refused(world, commitment):
    with pytest.raises(ValidationFailed):
        services.report_progress(world.member, commitment, progress=0, note=" ")


def test_reporting_on_a_closed_commitment_is_a_conflict(world, commitment):
    commitment.status = CS.CANCELLED
    with pytest.raises(Conflict):
        services.report_progress(world.member, commitment, progress=50, note="late")


def test_reporter_cannot_verify_or_cancel_by_report(world, commitment):
    for status in (CS.VERIFIED, CS.CANCELLED):
        with pytest.raises(Conflict):
            services.report_progress(world.member, commitment, progress=50, status=status, note="x")


# Evidence files --------------------------------------------------------------------------------------


def test_evidence_files_are_stored_outside_the_database(world, commitment, uploads):
    update = services.report_progress(world.member, commitment, progress=60, note="Photos", files=[
        EvidenceUpload("act.pdf", io.BytesIO(PDF)), EvidenceUpload("../../photo.png", io.BytesIO(PNG))])
    db.session.commit()
    files = sorted(update.evidence, key=lambda e: e.id)
    assert [(e.filename, e.content_type) for e in files] == [("act.pdf", "application/pdf"),
                                                             ("photo.png", "image/png")]
    assert all((uploads / e.stored_name).read_bytes()[:4] in (PDF[:4], PNG[:4]) for e in files)
    assert files[0].size == len(PDF)


def test_a_forbidden_file_refuses_the_whole_report(world, commitment, uploads):
    with pytest.raises(ValidationFailed) as raised:
        services.report_progress(world.member, commitment, progress=60, note="x", files=[
            EvidenceUpload("act.pdf", io.BytesIO(PDF)),
            EvidenceUpload("report.pdf", io.BytesIO(b"MZ\x90\x00 this is an executable"))])
    assert raised.value.field == "files" and "report.pdf" in raised.value.message
    db.session.rollback()
    assert stored_files(uploads) == []
    assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 0
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
    db.session.refresh(commitment)
    assert commitment.progress == 0


def test_a_file_too_large_is_refused(app, world, commitment, uploads):
    app.config["EVIDENCE_MAX_BYTES"] = 1024
    try:
        with pytest.raises(ValidationFailed) as raised:
            services.report_progress(world.member, commitment, progress=60, note="x", files=[
                EvidenceUpload("big.pdf", io.BytesIO(PDF + b"0" * 2000))])
    finally:
        del app.config["EVIDENCE_MAX_BYTES"]
    assert "larger than" in raised.value.message
    assert stored_files(uploads) == []


def test_office_files_are_recognised_by_content(world, commitment, uploads):
    from openpyxl import Workbook

    workbook_bytes = io.BytesIO()
    Workbook().save(workbook_bytes)
    workbook_bytes.seek(0)
    update = services.report_progress(world.member, commitment, progress=30, note="Table", files=[
        EvidenceUpload("table.bin", workbook_bytes)])
    assert update.evidence[0].content_type.endswith("spreadsheetml.sheet")
    assert update.evidence[0].stored_name.endswith(".xlsx")


def test_links_must_be_web_addresses(world, commitment):
    with pytest.raises(ValidationFailed) as raised:
        services.report_progress(world.member, commitment, progress=10, note="x",
                                 links=["javascript:alert(1)"])
    assert raised.value.field == "links"


# Verification ----------------------------------------------------------------------------------------


def reported(commitment, world):
    services.report_progress(world.member, commitment, progress=100, status=CS.REPORTED_DONE, note="Done")
    db.session.commit()
    return commitment


def test_co_chair_verifies(world, commitment):
    reported(commitment, world)
    services.verify_commitment(world.kz_chair, commitment)  # the co-chair of the commitment's side
    db.session.commit()
    assert commitment.status == CS.VERIFIED and commitment.verified_by_id == world.kz_chair.id
    assert history("commitment", commitment.id)[0].kind == "commitment.verified"


def test_send_back_needs_a_comment_and_reopens(world, commitment):
    reported(commitment, world)
    with pytest.raises(ValidationFailed) as raised:
        services.send_back(world.secretary, commitment, "")
    assert raised.value.field == "comment"
    services.send_back(world.secretary, commitment, "The act is not signed")
    db.session.commit()
    assert commitment.status == CS.IN_PROGRESS
    event = history("commitment", commitment.id)[0]
    assert event.kind == "commitment.sent_back" and event.payload["comment"] == "The act is not signed"
    assert event.payload["owner_id"] == world.member.id and event.payload["to"] == "in_progress"


def test_only_reports_of_done_are_verified_or_sent_back(world, commitment):
    with pytest.raises(Conflict):
        services.verify_commitment(world.secretary, commitment)
    with pytest.raises(Conflict):
        services.send_back(world.secretary, commitment, "No")


ALL_COMMITMENT_MOVES = [(a, b) for a in CS for b in CS if a != b]


@pytest.mark.parametrize(("start", "target"), ALL_COMMITMENT_MOVES)
def test_commitment_transitions(world, adopted, start, target):
    commitment = CommitmentFactory(recommendation=adopted, organisation=world.kz_org, status=start)
    if target not in COMMITMENT_TRANSITIONS.get(start, ()):
        with pytest.raises(Conflict):
            services.change_commitment_status(world.secretary, commitment, target, "reason")
        return
    services.change_commitment_status(world.secretary, commitment, target, "Because")
    db.session.commit()
    assert commitment.status == target
    if target in (CS.REPORTED_DONE, CS.VERIFIED):
        assert commitment.progress == 100


@pytest.mark.parametrize("target", [CS.BLOCKED, CS.CANCELLED])
def test_blocking_and_cancelling_need_a_reason(world, commitment, target):
    with pytest.raises(ValidationFailed):
        services.change_commitment_status(world.secretary, commitment, target)


# Who may do what: roles × actions --------------------------------------------------------------------

ROLES = ["secretary", "kz_chair", "tm_chair", "member", "tm_member", "observer", "outsider", "admin",
         "other_chair", "foreign_secretary"]


def person(world, role):
    if role == "other_chair":
        from council.directory.models import GroupRole
        from tests.factories import MembershipFactory, WorkingGroupFactory

        other_group = WorkingGroupFactory(council=world.council, slug="ecology", code="ECO")
        chair = UserFactory(organisation=OrganisationFactory(council=world.council))
        MembershipFactory(group=other_group, user=chair, role=GroupRole.CO_CHAIR)
        return chair
    if role == "foreign_secretary":
        return UserFactory(role="secretary")
    return getattr(world, role)


def act(action, actor, world, adopted, commitment):
    if action == "create recommendation":
        services.create_recommendation(actor, world.group, **recommendation_values())
    elif action == "change recommendation status":
        services.change_recommendation_status(actor, adopted, RS.IMPLEMENTED, "All done")
    elif action == "create commitment":
        services.create_commitment(actor, adopted, **commitment_values(world))
    elif action == "create Turkmen commitment":
        services.create_commitment(actor, adopted, **commitment_values(
            world, organisation=world.tm_org, owner=world.tm_member))
    elif action == "create international commitment":
        undp = OrganisationFactory(council=world.council, code="undp", kind="international")
        services.create_commitment(actor, adopted, **commitment_values(world, organisation=undp, owner=None))
    elif action == "edit commitment":
        services.update_commitment(actor, commitment, **commitment_values(world, due_date=date(2027, 1, 1)))
    elif action == "report progress":
        services.report_progress(actor, commitment, progress=50, note="Half way")
    elif action == "verify":
        commitment.status = CS.REPORTED_DONE
        services.verify_commitment(actor, commitment)
    elif action == "send back":
        commitment.status = CS.REPORTED_DONE
        services.send_back(actor, commitment, "Not yet")
    elif action == "cancel":
        services.change_commitment_status(actor, commitment, CS.CANCELLED, "Merged into another")


ALLOWED = {  # action: roles that may
    "create recommendation": {"secretary", "kz_chair", "tm_chair", "admin"},
    "change recommendation status": {"secretary", "kz_chair", "tm_chair", "admin"},
    # Parity: a co-chair for their own country's organisations; an international one is the
    # secretariat's (the world's commitment is for the Kazakh akimat).
    "create commitment": {"secretary", "kz_chair", "admin"},
    "create Turkmen commitment": {"secretary", "tm_chair", "admin"},
    "create international commitment": {"secretary", "admin"},
    "edit commitment": {"secretary", "kz_chair", "tm_chair", "admin"},
    "report progress": {"secretary", "kz_chair", "tm_chair", "admin", "member"},
    "verify": {"secretary", "kz_chair", "admin"},  # a Kazakh commitment: its side's co-chair
    "send back": {"secretary", "kz_chair", "admin"},
    "cancel": {"secretary", "kz_chair", "tm_chair", "admin"},
}


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, adopted, commitment, role, action):
    actor = person(world, role)
    if role in ALLOWED[action]:
        act(action, actor, world, adopted, commitment)
    else:
        with pytest.raises(NotAllowed):
            act(action, actor, world, adopted, commitment)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_in_the_council_reads_the_tracker(world, role):
    from council.auth.permissions import can

    reader = person(world, role)
    assert can(reader, "tracker.view", world.council.id) == (role != "foreign_secretary")
    assert can(reader, "tracker.import", world.council.id) == (role in ("secretary", "admin"))


# Derived values ---------------------------------------------------------------------------------------


def test_overdue_is_derived_in_python_and_sql_alike(world, adopted):
    today = date(2026, 7, 1)
    cases = {
        "late": (CS.IN_PROGRESS, today - timedelta(days=1), True),
        "late-blocked": (CS.BLOCKED, today - timedelta(days=10), True),
        "late-planned": (CS.PLANNED, today - timedelta(days=10), True),
        "due-today": (CS.IN_PROGRESS, today, False),
        "reported": (CS.REPORTED_DONE, today - timedelta(days=5), False),
        "verified": (CS.VERIFIED, today - timedelta(days=5), False),
        "cancelled": (CS.CANCELLED, today - timedelta(days=5), False),
    }
    made = {code: CommitmentFactory(recommendation=adopted, organisation=world.kz_org, code=code.upper(),
                                    status=status, due_date=due, start_date=None)
            for code, (status, due, _) in cases.items()}
    in_sql = set(db.session.scalars(select(Commitment.code).where(overdue_condition(today))))
    for code, (_, _, expected) in cases.items():
        assert made[code].is_overdue(today) is expected
        assert (code.upper() in in_sql) is expected


def test_recommendation_progress_is_the_average_of_open_commitments(world, adopted):
    assert adopted.progress is None
    for progress, status in [(100, CS.VERIFIED), (40, CS.IN_PROGRESS), (0, CS.CANCELLED)]:
        CommitmentFactory(recommendation=adopted, organisation=world.kz_org, progress=progress,
                          status=status)
    db.session.expire_all()
    assert db.session.get(Recommendation, adopted.id).progress == 70


def test_events_count_one_per_change(world, commitment):
    before = db.session.scalar(select(func.count()).select_from(Event))
    services.change_commitment_status(world.member, commitment, CS.IN_PROGRESS)
    assert db.session.scalar(select(func.count()).select_from(Event)) == before + 1


def test_overdue_is_measured_by_the_councils_date_not_utc(world, adopted):
    """At 20:00 UTC on 1 July it is already 2 July in Aktau and Ashgabat (UTC+5)."""
    import time_machine

    commitment = CommitmentFactory(recommendation=adopted, organisation=world.kz_org, start_date=None,
                                   due_date=date(2026, 7, 1), status=CS.IN_PROGRESS)
    with time_machine.travel("2026-07-01T20:00:00+00:00", tick=False):
        today = council_today()
        assert today == date(2026, 7, 2)
        assert commitment.is_overdue(today)
    with time_machine.travel("2026-07-01T18:59:00+00:00", tick=False):
        assert not commitment.is_overdue(council_today())
