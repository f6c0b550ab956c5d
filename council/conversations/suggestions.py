"""The few people the @ picker offers on a record's page before any search, kept per record.

Every view of a record's page offers them, and working out who a record concerns is a query of its
own, so the list is kept per record (council/generations.py) under three kinds of part:

- the council's own, which every event of the council moves but the changes of one commitment the
  dashboards follow (council/dashboard/cache.py, `COMMITMENT_CHANGES`): a person renamed, gone or given
  another role, a co-chair appointed, a counterpart linked, a commitment moved to another organisation;
- the record's people (`people_part`), which this module moves when a commitment is created or changes
  owner: its own and its recommendation's (whose commitments' owners a recommendation offers);
- for a commitment, its counterpart's people too (the counterpart's owner is offered).

So a progress report, the most common change of all, keeps the list. The reader is left out after the
list is read, so one list serves everyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, select, union_all
from sqlalchemy.orm import joinedload

from council import events, generations
from council.conversations.models import RecordType
from council.conversations.records import RecordRef
from council.conversations.services import mentionable
from council.directory.models import User
from council.extensions import db
from council.generations import EVERY_COUNCIL
from council.i18n import KeptName
from council.tracker.models import TrackerEvent

MAX_SUGGESTED = 12  # people of the record offered before any search
KEPT = 3600  # seconds, as the dashboards' blocks: the longest a lost move of a generation could last
# The events of council/dashboard/cache.py's COMMITMENT_CHANGES (which leave the council's own part
# where it is) that change whom a record concerns.
CHANGE_PEOPLE = frozenset({TrackerEvent.COMMITMENT_CREATED, TrackerEvent.COMMITMENT_OWNER_CHANGED})


@dataclass(frozen=True)
class PersonCard:
    """What the @ picker shows of a person, as plain values: a copy the cache may keep."""

    id: int
    name: str
    position: str | None
    organisation: KeptName | None


def people_part(council_id: int, kind: str, record_id: int) -> str:
    """The generation of whom a record concerns ("3:people:commitment:12")."""
    return f"{council_id}:people:{kind}:{record_id}"


def suggested_people(ref: RecordRef, reader: User, limit: int = MAX_SUGGESTED) -> list[PersonCard]:
    """The few people a comment on the record most likely names, most concerned first (the record's
    `concerned` people; never the reader)."""
    council = ref.council_id
    parts = [EVERY_COUNCIL, str(council), people_part(council, ref.type.value, ref.id)]
    if ref.type == RecordType.COMMITMENT and ref.record.counterpart_id is not None:
        parts.append(people_part(council, RecordType.COMMITMENT.value, ref.record.counterpart_id))
    kept = generations.kept(f"mention-picker:{council}:{ref.type.value}:{ref.id}", parts,
                            lambda: [_card(person) for person in _concerned_people(ref, limit + 1)],
                            timeout=KEPT)
    return [person for person in kept if person.id != reader.id][:limit]


def _concerned_people(ref: RecordRef, limit: int) -> list[User]:
    """The record's `concerned` people, in one query with their organisations (never the whole council:
    a record page stays cheap however large it is). Each kind of concerned people is found by its own
    index and the few found are ranked: one condition of several, each on another column, had the
    database read every person of the council."""
    concerned = ref.concerned()
    rank = case(*((condition, number) for number, condition in enumerate(concerned)),
                else_=len(concerned))
    candidates = union_all(*(select(User.id).where(User.council_id == ref.council_id, condition)
                             for condition in concerned))
    return list(db.session.scalars(
        select(User).where(User.id.in_(candidates), mentionable(ref.council_id))
        .options(joinedload(User.organisation)).order_by(rank, User.name, User.id).limit(limit)))


def _card(person: User) -> PersonCard:
    return PersonCard(person.id, person.name, person.position, KeptName.of(person.organisation))


@events.listen
def _people_changed(event: events.Event) -> None:
    """A commitment created or given another owner: its list and its recommendation's are read again
    once the transaction commits."""
    if event.kind not in CHANGE_PEOPLE or event.subject_type != "commitment" or event.council_id is None:
        return
    council = event.council_id
    parts = [people_part(council, RecordType.COMMITMENT.value, event.subject_id)]
    recommendation = (event.payload or {}).get("recommendation_id")
    if recommendation is not None:
        parts.append(people_part(council, RecordType.RECOMMENDATION.value, recommendation))
    generations.mark_stale(parts)
