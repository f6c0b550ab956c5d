"""Directory rules: who may change what, and what the council's structure allows."""

from __future__ import annotations

import pytest

from council.directory import services
from council.directory.models import GroupRole, OrganisationKind, PlatformRole
from council.errors import Conflict, NotAllowed, ValidationFailed
from council.events import history
from council.extensions import db
from tests.factories import OrganisationFactory, UserFactory


def org_values(**overrides):
    values = dict(code="kuryk-port", kind=OrganisationKind.BUSINESS, country_code="KZ",
                  region_id=None, name={"ru": "Порт Курык", "en": "Port of Kuryk"},
                  original_language="ru", website=None)
    values.update(overrides)
    return values


def test_secretary_creates_an_organisation_and_it_is_in_the_history(world):
    organisation = services.create_organisation(world.secretary, world.council, **org_values())
    db.session.commit()
    assert organisation.name["en"] == "Port of Kuryk"
    [event] = history("organisation", organisation.id)
    assert event.kind == "organisation.created" and event.actor_id == world.secretary.id


@pytest.mark.parametrize("who", ["member", "kz_chair", "observer"])
def test_only_secretaries_and_admins_manage_organisations(world, who):
    with pytest.raises(NotAllowed):
        services.create_organisation(getattr(world, who), world.council, **org_values())


def test_admin_may_manage_organisations(world):
    from council.directory.models import Organisation

    created = services.create_organisation(world.admin, world.council, **org_values())
    db.session.commit()
    services.update_organisation(world.admin, created, **org_values(website="https://kuryk.kz"))
    db.session.commit()
    saved = db.session.scalars(db.select(Organisation).filter_by(code="kuryk-port")).one()
    assert saved.council_id == world.council.id and saved.website == "https://kuryk.kz"
    assert [event.kind for event in history("organisation", saved.id)] == [
        "organisation.updated", "organisation.created"]
    assert {event.actor_id for event in history("organisation", saved.id)} == {world.admin.id}


def test_secretary_of_another_council_may_not(world):
    stranger = UserFactory(role=PlatformRole.SECRETARY)
    with pytest.raises(NotAllowed):
        services.create_organisation(stranger, world.council, **org_values())


def test_organisation_codes_are_unique_in_a_council(world):
    with pytest.raises(Conflict) as raised:
        services.create_organisation(world.secretary, world.council,
                                     **org_values(code="mangystau-akimat"))
    assert raised.value.field == "code"


def test_organisation_needs_its_name_in_the_original_language(world):
    with pytest.raises(ValidationFailed) as raised:
        services.create_organisation(world.secretary, world.council,
                                     **org_values(name={"en": "Port"}, original_language="kk"))
    assert raised.value.field == "name"


def test_region_must_be_in_the_organisations_country(world):
    from tests.factories import RegionFactory, country

    balkan = RegionFactory(country_code=country("TM").code, code="balkan")
    with pytest.raises(ValidationFailed) as raised:
        services.create_organisation(world.secretary, world.council,
                                     **org_values(region_id=balkan.id))
    assert raised.value.field == "region_id"


def test_a_group_has_one_co_chair_per_country(world):
    """Naming a second co-chair of a side replaces the first, who stays a member."""
    another_kz = UserFactory(organisation=world.kz_org)
    services.add_member(world.secretary, world.group, another_kz, GroupRole.CO_CHAIR)
    db.session.commit()
    roles = {m.user_id: m.role for m in world.group.memberships}
    assert roles[another_kz.id] == GroupRole.CO_CHAIR and roles[world.kz_chair.id] == GroupRole.MEMBER
    assert roles[world.tm_chair.id] == GroupRole.CO_CHAIR


def test_co_chair_manages_their_groups_members(world):
    person = UserFactory(organisation=world.tm_org)
    services.add_member(world.tm_chair, world.group, person, GroupRole.MEMBER)
    db.session.commit()
    assert any(m.user_id == person.id for m in world.group.memberships)


def test_members_do_not_manage_memberships(world):
    person = UserFactory(organisation=world.kz_org)
    with pytest.raises(NotAllowed):
        services.add_member(world.member, world.group, person, GroupRole.MEMBER)


def test_people_of_another_council_cannot_join(world):
    stranger = UserFactory()
    with pytest.raises(ValidationFailed):
        services.add_member(world.secretary, world.group, stranger, GroupRole.MEMBER)


def test_people_edit_their_own_profile_only(world):
    services.update_profile(world.member, world.member, name="Nurlan A.", position="Inspector",
                            language="kk", time_zone="Asia/Aqtau")
    with pytest.raises(NotAllowed):
        services.update_profile(world.member, world.tm_member, name="X", position=None,
                                language="ru", time_zone="Asia/Aqtau")
    with pytest.raises(ValidationFailed):
        services.update_profile(world.member, world.member, name="N", position=None,
                                language="de", time_zone="Asia/Aqtau")


def test_secretary_cannot_demote_themselves(world):
    with pytest.raises(NotAllowed):
        services.update_person_role(world.secretary, world.secretary, role=PlatformRole.MEMBER,
                                    organisation_id=world.kz_org.id, active=True)


def test_search_finds_kazakh_and_turkmen_letters_in_any_case(world):
    OrganisationFactory(council=world.council, code="zhanaozen",
                        name={"kk": "Жаңаөзен қаласының әкімдігі", "tk": "Žaňaözen häkimligi"})
    found = db.session.scalars(services.organisations_query(world.council.id, text="ЖАҢАӨЗЕН"))
    assert [o.code for o in found] == ["zhanaozen"]
    found = db.session.scalars(services.organisations_query(world.council.id, text="ŽAŇAÖZEN"))
    assert [o.code for o in found] == ["zhanaozen"]
