"""The records a thread can be about: how to find one, which council and group it belongs to, whose it
is, where its page is, and what a notification calls it.

One entry per kind of record rather than a branch per kind in every service: services, pages, the API
and notifications all go through `ref_of` and `find`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select

from council.conversations.models import RecordType
from council.directory.models import GroupRole, Membership, PlatformRole, User
from council.errors import NotFound
from council.extensions import db
from council.i18n import Translations
from council.meetings.models import AgendaItem, Meeting, Minutes, session_chair
from council.tracker.models import Commitment, Initiative, Recommendation

MODELS: dict[RecordType, type[Any]] = {
    RecordType.RECOMMENDATION: Recommendation, RecordType.COMMITMENT: Commitment,
    RecordType.INITIATIVE: Initiative, RecordType.MEETING: Meeting,
    RecordType.AGENDA_ITEM: AgendaItem, RecordType.MINUTES: Minutes,
}


@dataclass(frozen=True)
class RecordRef:
    """One record a thread is about, with what the rules need to know of it."""

    type: RecordType
    record: Any

    @property
    def id(self) -> int:
        return int(self.record.id)

    @property
    def meeting(self) -> Meeting | None:
        if self.type == RecordType.MEETING:
            return self.record
        if self.type in (RecordType.AGENDA_ITEM, RecordType.MINUTES):
            return self.record.meeting
        return None

    @property
    def council_id(self) -> int:
        meeting = self.meeting
        return int(meeting.council_id if meeting is not None else self.record.council_id)

    @property
    def group_id(self) -> int | None:
        meeting = self.meeting
        return meeting.group_id if meeting is not None else getattr(self.record, "group_id", None)

    @property
    def code(self) -> str:
        meeting = self.meeting
        return str(meeting.reference if meeting is not None else self.record.code)

    @property
    def title(self) -> Translations:
        """What a notification and a list call the record (its title snapshot)."""
        if self.type == RecordType.COMMITMENT:
            return dict(self.record.description or {})
        if self.type == RecordType.INITIATIVE:
            return dict(self.record.name or {})
        if self.type == RecordType.MINUTES:
            return dict(self.record.meeting.title or {})
        return dict(self.record.title or {})

    def page(self) -> tuple[str, dict[str, Any]]:
        """The endpoint and arguments of the page that shows the thread (with its anchor)."""
        anchor = f"thread-{self.type.value}-{self.id}"
        if self.type == RecordType.RECOMMENDATION:
            return "tracker.recommendation", {"recommendation_id": self.id, "_anchor": anchor}
        if self.type == RecordType.COMMITMENT:
            return "tracker.commitment", {"commitment_id": self.id, "_anchor": anchor}
        if self.type == RecordType.INITIATIVE:
            return "tracker.initiative", {"initiative_id": self.id, "_anchor": anchor}
        meeting = self.meeting
        assert meeting is not None  # noqa: S101  the other types are a meeting's; narrows the type
        return "meetings.meeting", {"meeting_id": meeting.id, "_anchor": anchor}

    def responsible(self) -> set[int]:
        """Who answers for the record: a commitment's owner (or, without one, its organisation's
        people); otherwise the co-chairs of its working group (a council session: its chairs)."""
        if self.type == RecordType.COMMITMENT:
            owner = self.record.owner
            if owner is not None and owner.active:
                return {owner.id}
            return organisation_people(self.record.organisation_id)
        group_id = self.group_id
        if group_id is not None:
            return co_chairs(group_id)
        meeting = self.meeting
        if meeting is not None:
            return {chair.id for chair in meeting.session_chairs}
        return set()

    def concerned(self) -> list[ColumnElement[bool]]:
        """SQL conditions on a person, most concerned first, for the few people a comment on the record
        most likely names (the @ picker offers them before any search): who answers for it, the other
        side's counterpart, the people of its organisation, its group's co-chairs, the secretaries."""
        found: list[ColumnElement[bool]] = []
        record = self.record
        if self.type == RecordType.COMMITMENT:
            counterpart = record.counterpart
            found += [User.id == owner for owner in (record.owner_id, counterpart.owner_id if counterpart
                                                     else None) if owner is not None]
            found.append(User.organisation_id == record.organisation_id)
        elif self.type == RecordType.RECOMMENDATION:
            found.append(User.id.in_(select(Commitment.owner_id).where(
                Commitment.recommendation_id == record.id)))
        elif self.type == RecordType.AGENDA_ITEM and record.presenter_id is not None:
            found.append(User.id == record.presenter_id)
        meeting = self.meeting
        if meeting is not None and self.group_id is None:
            found.append(User.id.in_(select(session_chair.c.user_id).where(
                session_chair.c.meeting_id == meeting.id)))
        if self.group_id is not None:
            found.append(User.id.in_(select(Membership.user_id).where(
                Membership.group_id == self.group_id, Membership.role == GroupRole.CO_CHAIR)))
        found.append(User.role == PlatformRole.SECRETARY)
        return found

    def organisations(self) -> list[Any]:
        """The organisations a question on this record may be addressed to: a commitment's own and
        its counterpart's (the asker's side is refused by the service)."""
        if self.type != RecordType.COMMITMENT:
            return []
        found = [self.record.organisation]
        if self.record.counterpart is not None:
            found.append(self.record.counterpart.organisation)
        return found


def ref_of(record: Any) -> RecordRef:
    for record_type, model in MODELS.items():
        if isinstance(record, model):
            return RecordRef(record_type, record)
    raise NotFound(_("There is nothing at this address."))


def find(record_type: str, record_id: int, council_id: int) -> RecordRef:
    """The record of that type and id in the reader's council, or NotFound (ids of other councils do
    not leak)."""
    try:
        model = MODELS[RecordType(record_type)]
    except ValueError:
        raise NotFound(_("There is nothing at this address.")) from None
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound(_("There is nothing at this address."))
    ref = RecordRef(RecordType(record_type), record)
    if ref.council_id != council_id:
        raise NotFound(_("There is nothing at this address."))
    return ref


def organisation_people(organisation_id: int | None) -> set[int]:
    if organisation_id is None:
        return set()
    return set(db.session.scalars(select(User.id).where(
        User.organisation_id == organisation_id, User.active.is_(True))))


def co_chairs(group_id: int, country_code: str | None = None) -> set[int]:
    """The co-chairs of a group; with a country, that side's only."""
    query = select(Membership.user_id).where(Membership.group_id == group_id,
                                             Membership.role == GroupRole.CO_CHAIR)
    if country_code is not None:
        query = query.join(User, User.id == Membership.user_id).where(
            User.organisation.has(country_code=country_code))
    return set(db.session.scalars(query))
