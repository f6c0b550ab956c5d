"""Rules for the directory: organisations, working groups, memberships and people's profiles."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from council import conflicts, events
from council.auth.permissions import MemberChange, forget_group_roles, require
from council.directory.models import (
    Council,
    Country,
    DirectoryEvent,
    GroupRole,
    Membership,
    Organisation,
    OrganisationKind,
    PlatformRole,
    Region,
    User,
    WorkingGroup,
)
from council.errors import Conflict, NotFound, Problems, ValidationFailed
from council.extensions import db
from council.http_messages import missing_record
from council.i18n import LANGUAGES, Translations, clean_translations, plain_localized
from council.records import apply_changes, require_original_text
from council.timeutil import is_time_zone

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")
GROUP_CODE_PATTERN = re.compile(r"^[A-Z]{2,6}$")


# Organisations ----------------------------------------------------------------------------------


def _website(value: str | None) -> str | None:
    """A web address the organisation page can link to: http or https only, never javascript: or data:."""
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(value) > 300 \
            or any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise ValidationFailed(_("Enter a link that starts with https://."), field="website")
    return value


def _organisation_values(council: Council, organisation: Organisation | None, *, code: str,
                         kind: OrganisationKind, country_code: str, region_id: int | None,
                         name: Translations, original_language: str,
                         website: str | None) -> dict[str, Any]:
    """The organisation form's values once every rule accepts them; else every problem at once."""
    problems = Problems()
    name = problems.check(require_original_text, name, original_language, "name") or {}
    if not CODE_PATTERN.match(code):
        problems.add(_("Use 3–60 lower-case Latin letters, digits and hyphens."), "code")
    else:
        clash = db.session.scalar(select(Organisation.id).where(
            Organisation.council_id == council.id, Organisation.code == code))
        if clash is not None and (organisation is None or clash != organisation.id):
            problems.add(_("Another organisation already uses this code."), "code", Conflict)
    if db.session.get(Country, country_code) is None:
        problems.add(_("Choose a country."), "country_code")
    elif region_id is not None:
        region = db.session.get(Region, region_id)
        if region is None or region.country_code != country_code:
            problems.add(_("The region must be in the organisation's country."), "region_id")
    website = problems.check(_website, website)
    problems.raise_any()
    return dict(code=code, kind=kind, country_code=country_code, region_id=region_id, name=name,
                original_language=original_language, website=website)


def create_organisation(actor: User, council: Council, *, code: str, kind: OrganisationKind,
                        country_code: str, region_id: int | None, name: Translations,
                        original_language: str, website: str | None = None) -> Organisation:
    require(actor, "organisation.manage", council.id)
    values = _organisation_values(council, None, code=code, kind=kind, country_code=country_code,
                                  region_id=region_id, name=name, original_language=original_language,
                                  website=website)
    organisation = Organisation(council_id=council.id, **values)
    db.session.add(organisation)
    conflicts.flush()  # a code saved meanwhile by someone else is a Conflict, not a 500
    events.record(DirectoryEvent.ORGANISATION_CREATED, organisation, actor, name=values["name"])
    return organisation


def update_organisation(actor: User, organisation: Organisation, *, code: str,
                        kind: OrganisationKind, country_code: str, region_id: int | None,
                        name: Translations, original_language: str,
                        website: str | None = None) -> Organisation:
    require(actor, "organisation.manage", organisation.council_id)
    changed = apply_changes(organisation, _organisation_values(
        organisation.council, organisation, code=code, kind=kind, country_code=country_code,
        region_id=region_id, name=name, original_language=original_language, website=website))
    conflicts.flush()
    if changed:
        events.record(DirectoryEvent.ORGANISATION_UPDATED, organisation, actor, changes=changed)
    return organisation


def organisations_query(council_id: int, *, country: str | None = None,
                        region_id: int | None = None, kind: str | None = None,
                        text: str | None = None) -> Select[Organisation]:
    query = select(Organisation).where(Organisation.council_id == council_id)
    if country:
        query = query.where(Organisation.country_code == country)
    if region_id:
        query = query.where(Organisation.region_id == region_id)
    if kind:
        query = query.where(Organisation.kind == kind)
    if text:
        query = query.where(Organisation.search_text.contains(text.casefold(), autoescape=True))
    return query.order_by(Organisation.country_code, Organisation.code)


# Working groups ---------------------------------------------------------------------------------


def _group_name(council: Council, group: WorkingGroup | None, slug: str, code: str,
                name: Translations, original_language: str) -> Translations:
    """The group's name once the slug, code and name are all accepted; else every problem at once."""
    problems = Problems()
    checked_name = problems.check(require_original_text, name, original_language, "name")
    if not CODE_PATTERN.match(slug):
        problems.add(_("Use 3–60 lower-case Latin letters, digits and hyphens."), "slug")
    if not GROUP_CODE_PATTERN.match(code):
        problems.add(_("Use 2–6 upper-case Latin letters, e.g. TRD."), "code")
    for column, value, field in ((WorkingGroup.slug, slug, "slug"),
                                 (WorkingGroup.code, code, "code")):
        if any(problem.field == field for problem in problems.found):
            continue
        clash = db.session.scalar(select(WorkingGroup.id).where(
            WorkingGroup.council_id == council.id, column == value))
        if clash is not None and (group is None or clash != group.id):
            problems.add(_("Another working group already uses this value."), field, Conflict)
    problems.raise_any()
    return checked_name or {}


def create_group(actor: User, council: Council, *, slug: str, code: str, name: Translations,
                 description: Translations, original_language: str) -> WorkingGroup:
    require(actor, "group.manage", council.id)
    name = _group_name(council, None, slug, code, name, original_language)
    group = WorkingGroup(council_id=council.id, slug=slug, code=code, name=name,
                         description=clean_translations(description),
                         original_language=original_language)
    db.session.add(group)
    conflicts.flush()
    events.record(DirectoryEvent.GROUP_CREATED, group, actor, name=name)
    return group


def update_group(actor: User, group: WorkingGroup, *, slug: str, code: str, name: Translations,
                 description: Translations, original_language: str,
                 active: bool = True) -> WorkingGroup:
    require(actor, "group.manage", group.council_id)
    name = _group_name(group.council, group, slug, code, name, original_language)
    changed = apply_changes(group, dict(slug=slug, code=code, name=name,
                                   description=clean_translations(description),
                                   original_language=original_language, active=active))
    conflicts.flush()
    if changed:
        events.record(DirectoryEvent.GROUP_UPDATED, group, actor, changes=changed)
    return group


def groups_query(council_id: int, *, active: bool | None = None) -> Select[WorkingGroup]:
    """The council's working groups, active ones first, by code."""
    query = select(WorkingGroup).where(WorkingGroup.council_id == council_id)
    if active is not None:
        query = query.where(WorkingGroup.active.is_(active))
    return query.order_by(WorkingGroup.active.desc(), WorkingGroup.code, WorkingGroup.id)


@dataclass(frozen=True)
class GroupCard:
    """What a working group's card shows: its co-chair per side and how many members it has."""

    group: WorkingGroup
    chairs: dict[str, User]  # country code -> co-chair
    members: int


def group_cards(groups: Sequence[WorkingGroup]) -> list[GroupCard]:
    """The cards of these groups in two queries, loading the co-chairs only (a group may have hundreds
    of members; the card needs a count of them, not their rows)."""
    ids = [group.id for group in groups]
    counts: dict[int, int] = {group_id: count for group_id, count in db.session.execute(
        select(Membership.group_id, func.count()).where(Membership.group_id.in_(ids))
        .group_by(Membership.group_id))}
    chairs: dict[int, dict[str, User]] = {}
    for group_id, person, country in db.session.execute(
            select(Membership.group_id, User, Organisation.country_code)
            .join(User, Membership.user_id == User.id)
            .outerjoin(Organisation, User.organisation_id == Organisation.id)
            .where(Membership.group_id.in_(ids), Membership.role == GroupRole.CO_CHAIR)
            .order_by(Membership.id)):
        if country is not None:
            chairs.setdefault(group_id, {}).setdefault(country, person)
    return [GroupCard(group, chairs.get(group.id, {}), counts.get(group.id, 0)) for group in groups]


def co_chairs(group: WorkingGroup) -> list[Membership]:
    return [m for m in group.memberships if m.role == GroupRole.CO_CHAIR]


def _require_change(actor: User, group: WorkingGroup, person: User, role: GroupRole | None,
                    new_role: GroupRole | None) -> None:
    require(actor, "membership.manage", group)
    require(actor, "membership.change", MemberChange(group, person, role, new_role))


def _only_replaced(membership: Membership) -> None:
    if membership.role == GroupRole.CO_CHAIR:
        raise Conflict(_("A side's co-chair can only be replaced, never left empty: make another person "
                         "of this side co-chair, and this one becomes a member."), field="role")


def _seat_co_chair(actor: User, group: WorkingGroup, membership: Membership) -> None:
    """Make the member their side's co-chair; whoever held the seat becomes a member in the same
    transaction, so the side is never without one. The group's row is locked first, so two
    appointments at once are made one after the other (PostgreSQL) and never leave two co-chairs."""
    person = membership.user
    if person.organisation is None:
        raise ValidationFailed(_("A co-chair must belong to an organisation."), field="user_id")
    db.session.execute(select(WorkingGroup.id).where(WorkingGroup.id == group.id).with_for_update())
    seated = db.session.scalars(
        select(Membership).where(Membership.group_id == group.id, Membership.role == GroupRole.CO_CHAIR)
        .execution_options(populate_existing=True)).all()
    previous = [m for m in seated if m.user_id != person.id and m.user.country_code == person.country_code]
    for old in previous:
        old.role = GroupRole.MEMBER
        events.record(DirectoryEvent.MEMBERSHIP_CHANGED, group, actor, user_id=old.user_id,
                      changes={"role": [GroupRole.CO_CHAIR.value, GroupRole.MEMBER.value]})
        forget_group_roles(old.user)
    membership.role = GroupRole.CO_CHAIR
    conflicts.flush()
    country = db.session.get(Country, person.country_code)
    other_chairs = [m.user_id for m in seated if m not in previous and m.user_id != person.id]
    events.record(DirectoryEvent.GROUP_CO_CHAIR_CHANGED, group, actor, group_id=group.id,
                  country=person.country_code, country_name=country.name if country else {},
                  user_id=person.id, person_name=person.name,
                  previous_user_id=previous[0].user_id if previous else None,
                  previous_name=previous[0].user.name if previous else None,
                  user_ids=[*(m.user_id for m in previous), person.id, *other_chairs])


def add_member(actor: User, group: WorkingGroup, person: User, role: GroupRole) -> Membership:
    """Add a person to the group. A co-chair adds people of their own side; naming a co-chair (which
    replaces the side's current one) is for the council's secretaries."""
    _require_change(actor, group, person, None, role)
    if person.council_id != group.council_id:
        raise ValidationFailed(_("This person is not on this council."), field="user_id")
    if any(m.user_id == person.id for m in group.memberships):
        raise Conflict(_("This person is already in the group."), field="user_id")
    membership = Membership(user=person, role=GroupRole.MEMBER if role == GroupRole.CO_CHAIR else role)
    group.memberships.append(membership)
    conflicts.flush()
    events.record(DirectoryEvent.MEMBERSHIP_ADDED, group, actor, user_id=person.id, role=role.value)
    if role == GroupRole.CO_CHAIR:
        _seat_co_chair(actor, group, membership)
    forget_group_roles(person)
    return membership


def change_member_role(actor: User, membership: Membership, role: GroupRole) -> Membership:
    """Change a member's role. Making someone co-chair replaces their side's co-chair; a co-chair
    steps down only by being replaced."""
    _require_change(actor, membership.group, membership.user, membership.role, role)
    old = membership.role
    if old == role:
        return membership
    _only_replaced(membership)
    if role == GroupRole.CO_CHAIR:
        _seat_co_chair(actor, membership.group, membership)
    else:
        membership.role = role
    events.record(DirectoryEvent.MEMBERSHIP_CHANGED, membership.group, actor, user_id=membership.user_id,
                  changes={"role": [old.value, role.value]})
    forget_group_roles(membership.user)
    return membership


def remove_member(actor: User, membership: Membership) -> None:
    group = membership.group
    _require_change(actor, group, membership.user, membership.role, None)
    _only_replaced(membership)
    events.record(DirectoryEvent.MEMBERSHIP_REMOVED, group, actor, user_id=membership.user_id,
                  role=membership.role.value)
    group.memberships.remove(membership)
    forget_group_roles(membership.user)


# People -----------------------------------------------------------------------------------------


def update_profile(actor: User, person: User, *, name: str, position: str | None,
                   language: str, time_zone: str) -> User:
    require(actor, "person.edit", person)
    name = name.strip()
    problems = Problems()
    if not name:
        problems.add(_("Enter a name."), "name")
    if language not in LANGUAGES:
        problems.add(_("Choose a language."), "language")
    if not is_time_zone(time_zone):
        problems.add(_("Choose a time zone."), "time_zone")
    problems.raise_any()
    changed = apply_changes(person, dict(name=name, position=(position or "").strip() or None,
                                    language=language, time_zone=time_zone))
    if changed:
        events.record(DirectoryEvent.PERSON_UPDATED, person, actor, changes=changed)
    return person


def update_person_role(actor: User, person: User, *, role: PlatformRole,
                       organisation_id: int | None, active: bool) -> User:
    """Change a person's platform role, organisation or access. Granting or removing administrator
    rights is for administrators, and the last active administrator stays one."""
    require(actor, "person.manage", person)
    if PlatformRole.ADMIN in (role, person.role) and role != person.role:
        require(actor, "admin.grant", person)
    if person.role == PlatformRole.ADMIN and person.active and (role != PlatformRole.ADMIN or not active):
        _keep_an_administrator(person)
    if organisation_id is not None:
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None or organisation.council_id != person.council_id:
            raise ValidationFailed(_("Choose an organisation of this council."),
                                   field="organisation_id")
    changed = apply_changes(person, dict(role=role, organisation_id=organisation_id, active=active))
    if "role" in changed or "active" in changed:
        person.end_sessions()  # their open sessions were granted under the old role
    if changed:
        events.record(DirectoryEvent.PERSON_UPDATED, person, actor, changes=changed)
    return person


def _keep_an_administrator(leaving: User) -> None:
    """Refuse to demote or deactivate the last active administrator. The active administrators' rows
    are locked until the commit, so two administrators demoting each other at once cannot both
    succeed (on PostgreSQL the second one waits, then counts again)."""
    active = db.session.scalars(
        select(User.id).where(User.role == PlatformRole.ADMIN, User.active.is_(True))
        .order_by(User.id).with_for_update()).all()
    if not set(active) - {leaving.id}:
        raise Conflict(_("This is the last active administrator: make someone else an administrator "
                         "first."), field="role")


def people_query(council_id: int, *, organisation_id: int | None = None,
                 country: str | None = None, text: str | None = None,
                 search_emails: bool = False) -> Select[User]:
    """People of the council; `text` matches their names, and their e-mail addresses only for a reader
    who may see them (otherwise a search would spell the addresses out letter by letter)."""
    query = select(User).where(User.council_id == council_id)
    if organisation_id:
        query = query.where(User.organisation_id == organisation_id)
    if country:
        query = query.join(Organisation, User.organisation_id == Organisation.id).where(
            Organisation.country_code == country)
    if text:
        searched = User.search_text if search_emails else func.replace(User.search_text, User.email, "")
        query = query.where(searched.contains(text.casefold(), autoescape=True))
    return query.order_by(User.name)


@dataclass(frozen=True)
class AnyoneOf:
    """Any person of a council, for the rules asked before the person is known ("may the reader see
    the addresses of whoever this search or export turns up?")."""

    council_id: int
    id: int | None = None


def person_label(reader: User, person: User) -> str:
    """A person in a list to choose from: their name, position and organisation (which tell two
    people of the same name apart). Never the e-mail address nor an organisation's code: a picker
    is read by people, and the address is on the person's page for those who may see it."""
    del reader  # every reader sees the same label
    details = [person.position or "", plain_localized(person.organisation.name,
                                                      person.organisation.original_language)
               if person.organisation else ""]
    shown = " · ".join(detail for detail in details if detail)
    return f"{person.name} ({shown})" if shown else person.name


def get_in_council(model: type[Any], record_id: int, council_id: int, *options: Any) -> Any:
    """A record of the reader's council, or NotFound: ids of other councils do not leak."""
    record = db.session.get(model, record_id, options=options)
    if record is None or getattr(record, "council_id", council_id) != council_id:
        raise NotFound(missing_record(model.__tablename__))
    return record


def council_sides(council_id: int) -> list[str]:
    """The sides of the council: the countries its organisations belong to (KZ and TM for the
    Caspian council), by code. Parity, figures per side and the minutes' approval all count these."""
    return list(db.session.scalars(select(Organisation.country_code).where(
        Organisation.council_id == council_id).distinct().order_by(Organisation.country_code)))


# Choices: the lists that meeting and tracker forms offer ---------------------------------------


def council_organisations(council_id: int) -> list[Organisation]:
    """The council's organisations, by country then code."""
    return list(db.session.scalars(organisations_query(council_id)))


def organisation_groups(organisations: Sequence[Organisation]) -> dict[str, list[tuple[int, str]]]:
    """Organisations to choose from, grouped as a select's optgroups: each country's (by code, so
    Kazakhstan's then Turkmenistan's), then the international ones, which are filed under no country
    wherever their office is (UNDP); each group by name in the reader's language."""
    by_country: dict[str, tuple[str, list[tuple[int, str]]]] = {}
    international: list[tuple[int, str]] = []
    for organisation in organisations:
        label = plain_localized(organisation.name, organisation.original_language)
        if organisation.kind == OrganisationKind.INTERNATIONAL:
            international.append((organisation.id, label))
            continue
        code = organisation.country_code
        country = organisation.country
        heading = plain_localized(country.name) if country is not None else code
        by_country.setdefault(code, (heading, []))[1].append((organisation.id, label))
    grouped = {heading: sorted(items, key=lambda item: item[1].casefold())
               for _code, (heading, items) in sorted(by_country.items())}
    if international:
        grouped[_("International organisations")] = sorted(international, key=lambda item: item[1].casefold())
    return grouped


def active_groups(council_id: int) -> list[WorkingGroup]:
    """The council's active working groups, by code."""
    return list(db.session.scalars(groups_query(council_id, active=True)))


def active_people(council_id: int) -> list[User]:
    """The council's active people by name, with their organisation: those one may invite, name as
    a chair or owner (not the platform's administrators, who run the platform, not the council)."""
    return list(db.session.scalars(
        select(User).where(User.council_id == council_id, User.active.is_(True),
                           User.role != PlatformRole.ADMIN)
        .options(selectinload(User.organisation)).order_by(User.name)))


def active_people_by_organisation(council_id: int) -> list[tuple[User, Organisation]]:
    """The council's active people of an organisation, by its code then their name (a commitment's owner
    is named with their organisation)."""
    rows = db.session.execute(
        select(User, Organisation).join(Organisation, User.organisation_id == Organisation.id)
        .where(User.council_id == council_id, User.active.is_(True)).order_by(Organisation.code, User.name))
    return [(person, organisation) for person, organisation in rows]
