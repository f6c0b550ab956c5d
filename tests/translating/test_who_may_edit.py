"""The "to translate" list's SQL for who may edit what agrees with the rules every page asks.

council/tracker/permissions.py and council/meetings/permissions.py state each rule twice: in Python for
can(), and as an SQL filter for the translation lists (registry.py). This compares the two for every
kind, every kind of person and records placed so that each rule's branches are taken (this group,
another group, the council itself, a proposed session, another council).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from council.auth.permissions import can
from council.directory.models import GroupRole, PlatformRole
from council.extensions import db
from council.meetings.models import Decision, MeetingKind, MeetingStatus, Minutes, MinutesRevision
from council.translating.registry import KINDS, Kind
from tests.factories import (
    AgendaItemFactory,
    CommitmentFactory,
    CouncilFactory,
    IndicatorFactory,
    InitiativeFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    RecommendationFactory,
    UserFactory,
    WorkingGroupFactory,
)

PEOPLE = ["secretary", "kz_chair", "tm_chair", "other_chair", "member", "tm_member", "outsider",
          "observer", "admin", "inactive_secretary", "elsewhere_secretary", "elsewhere_chair"]


@dataclass
class Everyone:
    people: dict[str, Any]
    records: dict[str, list[Any]]  # per kind


def _meeting_with_parts(records: dict[str, list[Any]], **fields: Any) -> None:
    """A meeting, one agenda item, one decision and minutes noting the item."""
    meeting = MeetingFactory(**fields)
    item = AgendaItemFactory(meeting=meeting, title={"ru": "Открытие"})
    decision = Decision(meeting=meeting, number=1, text={"ru": "Принять к сведению."})
    minutes = Minutes(meeting=meeting)
    db.session.add_all([decision, minutes])
    db.session.flush()
    minutes.revisions.append(MinutesRevision(number=1, original_language="ru",
                                             notes={"general": {"ru": "Открыто."},
                                                    str(item.id): {"ru": "Обсудили."}}))
    for key, record in (("meeting", meeting), ("agenda_item", item), ("decision", decision),
                        ("minutes", minutes)):
        records[key].append(record)


@pytest.fixture
def everyone(world: Any) -> Everyone:
    other_group = WorkingGroupFactory(council=world.council, slug="ecology", code="ECO")
    other_chair = UserFactory(organisation=world.tm_org, email="eco.chair@example.org")
    MembershipFactory(group=other_group, user=other_chair, role=GroupRole.CO_CHAIR)
    inactive_secretary = UserFactory(organisation=world.kz_org, role=PlatformRole.SECRETARY, active=False,
                                     email="former.secretary@example.org")
    elsewhere = CouncilFactory()
    elsewhere_org = OrganisationFactory(council=elsewhere)
    elsewhere_group = WorkingGroupFactory(council=elsewhere, slug="trade-elsewhere")
    elsewhere_secretary = UserFactory(organisation=elsewhere_org, role=PlatformRole.SECRETARY)
    elsewhere_chair = UserFactory(organisation=elsewhere_org)
    MembershipFactory(group=elsewhere_group, user=elsewhere_chair, role=GroupRole.CO_CHAIR)

    records: dict[str, list[Any]] = {key: [] for key in KINDS}
    for group in (world.group, other_group, elsewhere_group):
        recommendation = RecommendationFactory(group=group)
        records["recommendation"].append(recommendation)
        records["commitment"].append(CommitmentFactory(recommendation=recommendation,
                                                       organisation=world.kz_org))
    for council in (world.council, elsewhere):
        records["initiative"].append(InitiativeFactory(council=council))
        records["indicator"].append(IndicatorFactory(council=council))
    held = MeetingStatus.HELD
    _meeting_with_parts(records, group=world.group, status=held, created_by_id=world.secretary.id)
    _meeting_with_parts(records, group=other_group, status=held, created_by_id=world.secretary.id)
    _meeting_with_parts(records, group=elsewhere_group, status=held, created_by_id=elsewhere_secretary.id)
    # Council sessions: held; proposed by a co-chair (a draft they may still edit); proposed by the same
    # co-chair and since published (the secretariat's now).
    for status in (held, MeetingStatus.DRAFT, MeetingStatus.AGENDA_PUBLISHED):
        _meeting_with_parts(records, group=None, council_id=world.council.id,
                            kind=MeetingKind.COUNCIL_SESSION, status=status,
                            created_by_id=world.secretary.id if status == held else world.kz_chair.id)
    # A draft group meeting its co-chair set up, and the observer's (the rule does not ask their role).
    _meeting_with_parts(records, group=world.group, created_by_id=world.kz_chair.id)
    _meeting_with_parts(records, group=None, council_id=world.council.id, kind=MeetingKind.COUNCIL_SESSION,
                        created_by_id=world.observer.id)
    db.session.commit()
    # Comments: the member's and the Kazakh co-chair's on the Trade group's commitment, one on the
    # Ecology group's, one withdrawn, and one of the other council.
    from council.conversations import services as conversations
    from council.conversations.records import ref_of

    trade, ecology, far = (ref_of(records["commitment"][n]) for n in range(3))
    records["comment"] += [conversations.add_comment(world.member, trade, text="A", language="ru"),
                           conversations.add_comment(world.kz_chair, trade, text="B", language="ru"),
                           conversations.add_comment(other_chair, ecology, text="C", language="ru"),
                           conversations.add_comment(elsewhere_chair, far, text="D", language="ru")]
    # Withdrawn: nobody may translate it, and no list offers it (not in `records`: each of those is
    # someone's to translate; a list that offered it would show an id no rule lets through).
    conversations.withdraw_comment(world.member, conversations.add_comment(
        world.member, trade, text="E", language="ru"))
    db.session.commit()
    people = {name: getattr(world, name, None) for name in PEOPLE}
    people.update(other_chair=other_chair, inactive_secretary=inactive_secretary,
                  elsewhere_secretary=elsewhere_secretary, elsewhere_chair=elsewhere_chair)
    return Everyone(people, records)


def _council_of(kind: Kind, record: Any) -> int:
    meeting = kind.meeting_of(record)
    return int(meeting.council_id if meeting is not None else record.council_id)


@pytest.mark.parametrize("kind_key", sorted(KINDS))
def test_the_records_listed_as_editable_are_those_the_rules_let_them_edit(
        everyone: Everyone, kind_key: str) -> None:
    kind = KINDS[kind_key]
    records = everyone.records[kind_key]
    assert len(records) >= 2, kind_key
    wrong = {}
    for person in PEOPLE:
        user = everyone.people[person]
        # can() lets a platform administrator edit any council's records; the list, like the translation
        # page (get_record answers 404), keeps to the reader's own council.
        expected = {record.id for record in records
                    if can(user, kind.action, kind.permission_target(record))
                    and _council_of(kind, record) == user.council_id}
        listed = set(db.session.scalars(kind.editable(user).with_only_columns(
            kind.model.id, maintain_column_froms=True)))
        if listed != expected:
            wrong[person] = {"listed": sorted(listed), "may edit": sorted(expected)}
    assert not wrong
    # No record is there for nothing: someone besides an administrator may edit each one.
    assert all(any(can(user, kind.action, kind.permission_target(record))
                   for user in everyone.people.values() if user.role != PlatformRole.ADMIN)
               for record in records)
