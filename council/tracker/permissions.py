"""Who may do what in the tracker. Registered with @rule, asked through can() and require().

Secretaries may do everything in their council; co-chairs within their working group; members report
on their organisation's commitments; observers read. Verification has four eyes: whoever reported a
commitment done never verifies (or sends back) that report, administrators included, and a co-chair
verifies only the commitments of their own side's organisations.

Parity on commitments: a co-chair takes on commitments for the organisations of their own country
only; the other side's half of a counterpart pair is made by the other side's co-chair. The council's
secretaries act for the council as a whole (DESIGN.md: the secretariat of both sides keeps the
tracker), so they make commitments for either side, and they alone for an international organisation,
which belongs to neither side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, false, select, true

from council.auth.permissions import (
    co_chairs_of,
    council_people,
    either,
    group_roles,
    in_council,
    is_co_chair,
    is_secretary,
    rule,
    secretaries,
)
from council.directory.models import (
    Country,
    GroupRole,
    Organisation,
    OrganisationKind,
    PlatformRole,
    User,
    WorkingGroup,
)
from council.events import Event
from council.extensions import db
from council.i18n import plain_localized
from council.tracker.models import TrackerEvent


def _group_of(target: Any) -> tuple[int | None, int | None]:
    """(council id, group id) of a working group, a recommendation, a commitment or an indicator."""
    if isinstance(target, WorkingGroup):
        return target.council_id, target.id
    return target.council_id, getattr(target, "group_id", None)


def _leads(user: User, target: Any) -> bool:
    """A secretary of the council, or a co-chair of the record's working group."""
    council_id, group_id = _group_of(target)
    return is_secretary(user, council_id) or (in_council(user, council_id)
                                              and is_co_chair(user, group_id))


def _leaders(target: Any) -> list[str]:
    """Who `_leads`: the council's secretaries, and the co-chairs of the record's working group."""
    _council_id, group_id = _group_of(target)
    group = db.session.get(WorkingGroup, group_id) if group_id is not None else None
    return [*secretaries(), *([co_chairs_of(group)] if group is not None else [])]


def _reporters(commitment: Any) -> list[str]:
    organisation = commitment.organisation
    return [*_leaders(commitment), _("the owner and the people of %(organisation)s", organisation=(
        plain_localized(organisation.name, organisation.original_language)))]


@rule("tracker.view", who=council_people)
def _view(user: User, council_id: Any) -> bool:
    return council_id is None or in_council(user, council_id)


@rule("recommendation.manage", who=_leaders)
def _manage_recommendation(user: User, group_or_recommendation: Any) -> bool:
    return _leads(user, group_or_recommendation)


@rule("commitment.manage", who=_leaders)
def _manage_commitment(user: User, recommendation_or_commitment: Any) -> bool:
    return _leads(user, recommendation_or_commitment)


@dataclass(frozen=True)
class NewCommitment:
    """A commitment about to be made (or moved): under this recommendation, for this organisation."""

    recommendation: Any  # Recommendation
    organisation: Organisation


def _makers(new: NewCommitment) -> list[str]:
    """Who may take on a commitment for this organisation: its side's co-chair, and the secretaries."""
    if new.organisation.kind == OrganisationKind.INTERNATIONAL:
        return secretaries()
    return [side_co_chair(new.recommendation.group_id, new.organisation.country_code), *secretaries()]


def _making_refusal(user: User, new: NewCommitment) -> str:
    organisation = new.organisation
    return _("Only %(who)s can take on a commitment for %(organisation)s.", who=either(_makers(new)),
             organisation=plain_localized(organisation.name, organisation.original_language))


@rule("commitment.create", refusal=_making_refusal)
def _create_commitment(user: User, new: NewCommitment) -> bool:
    """Parity: a co-chair makes commitments for their own country's organisations only; secretaries
    for every organisation, and they alone for an international one."""
    council_id, group_id = _group_of(new.recommendation)
    if is_secretary(user, council_id):
        return True
    if new.organisation.kind == OrganisationKind.INTERNATIONAL:
        return False
    return in_council(user, council_id) and is_co_chair(user, group_id) \
        and user.country_code is not None and user.country_code == new.organisation.country_code


@rule("commitment.report", who=_reporters)
def _report(user: User, commitment: Any) -> bool:
    if _leads(user, commitment):
        return True
    if not in_council(user, commitment.council_id) or user.role == PlatformRole.OBSERVER:
        return False
    return commitment.owner_id == user.id or (
        user.organisation_id is not None and user.organisation_id == commitment.organisation_id)


def reported_done_by(commitment: Any) -> int | None:
    """Who reported the commitment done, if that is its latest status change (from its history, so
    reports made before this rule existed count too)."""
    if commitment.id is None:
        return None
    last = db.session.scalar(
        select(Event).where(Event.subject_type == "commitment", Event.subject_id == commitment.id,
                            Event.kind == TrackerEvent.COMMITMENT_STATUS_CHANGED)
        .order_by(Event.id.desc()).limit(1))
    if last is None or (last.payload or {}).get("to") != "reported_done":
        return None
    return last.actor_id


def _verify_refusal(user: User, commitment: Any) -> str:
    if reported_done_by(commitment) == user.id:
        return _("You reported this commitment done: a co-chair from its side or the council's "
                 "secretaries verify it, not the person who reported it.")
    return _("Only %(who)s can verify this commitment or send it back.", who=either(
        [*secretaries(), side_co_chair(commitment.group_id, commitment.organisation.country_code)]))


def side_co_chair(group_id: int | None, country_code: str) -> str:
    """The co-chair of a working group from one side: "the co-chair of the Trade working group
    (Turkmenistan)"."""
    group = db.session.get(WorkingGroup, group_id) if group_id is not None else None
    country = db.session.get(Country, country_code)
    return _("the co-chair of the %(group)s working group (%(country)s)",
             group=plain_localized(group.name, group.original_language) if group else "",
             country=plain_localized(country.name) if country else country_code)


@rule("commitment.verify", refusal=_verify_refusal, binds_admins=True)
def _verify(user: User, commitment: Any) -> bool:
    """Verify or send back a report of done: four eyes, and each side's co-chair for their own side."""
    if reported_done_by(commitment) == user.id:
        return False
    council_id, group_id = _group_of(commitment)
    if user.role == PlatformRole.ADMIN or is_secretary(user, council_id):
        return True
    return in_council(user, council_id) and is_co_chair(user, group_id) \
        and user.country_code is not None and user.country_code == commitment.country_code


@rule("tracker.import", who=secretaries)
def _import(user: User, council_id: Any) -> bool:
    return is_secretary(user, council_id)


@rule("initiative.manage", who=secretaries)
def _manage_initiative(user: User, council_id: Any) -> bool:
    return is_secretary(user, council_id)


@rule("indicator.manage", who=secretaries)
def _manage_indicator(user: User, council_id: Any) -> bool:
    return is_secretary(user, council_id)


@rule("indicator.observe", who=_leaders)
def _observe(user: User, indicator: Any) -> bool:
    """Record an observation: secretaries, and the co-chairs of the indicator's group."""
    return _leads(user, indicator)


# The same rules as SQL filters: the records a person may edit, for the translation lists
# (council/translating/registry.py). tests/translating/test_who_may_edit.py checks both forms agree;
# change them together. As can(): a deactivated account may edit nothing, whatever its role says.


def leads_everything(user: User) -> bool:
    return user.active and (user.role == PlatformRole.ADMIN or is_secretary(user, user.council_id))


def co_chaired_groups(user: User) -> list[int]:
    if not user.active:
        return []
    return [group_id for group_id, role in group_roles(user).items() if role == GroupRole.CO_CHAIR]


def group_led(user: User, group_column: Any) -> ColumnElement[bool]:
    """Secretaries and administrators: everything; co-chairs: their groups' records."""
    if leads_everything(user):
        return true()
    groups = co_chaired_groups(user)
    return group_column.in_(groups) if groups else false()


def editable_by_secretariat(model: type[Any]) -> Callable[[User], Select[Any]]:
    def editable(user: User) -> Select[Any]:
        return select(model).where(model.council_id == user.council_id,
                                   true() if leads_everything(user) else false())
    return editable


def editable_group_records(model: type[Any]) -> Callable[[User], Select[Any]]:
    def editable(user: User) -> Select[Any]:
        return select(model).where(model.council_id == user.council_id, group_led(user, model.group_id))
    return editable
