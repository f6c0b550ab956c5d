"""Directory pages and forms, including the refusals a user would meet."""

from __future__ import annotations

from sqlalchemy import func, select

from council.directory.models import Membership, Organisation, WorkingGroup
from council.extensions import db
from tests.conftest import NOT_FOUND, page_text, refusal
from tests.factories import UserFactory


def organisation_form(**overrides):
    data = {"name-ru": "Порт Курык", "name-en": "Port of Kuryk", "original_language": "ru",
            "code": "kuryk-port", "kind": "business", "country_code": "KZ", "region_id": "",
            "website": ""}
    data.update(overrides)
    return data


def test_group_page_shows_both_co_chairs_side_by_side(client, auth, world):
    auth.login(world.member)
    text = page_text(client.get(f"/groups/{world.group.id}"))
    assert "Yerlan Chair" in text and "Merdan Chair" in text
    assert text.index("Kazakhstan") < text.index("Yerlan Chair") < text.index("Turkmenistan") \
        < text.index("Merdan Chair")


def test_groups_page_lists_groups_with_co_chairs(client, auth, world):
    auth.login(world.observer)
    text = page_text(client.get("/groups"))
    assert "Trade" in text and "Yerlan Chair" in text


def test_organisations_filter_by_country_and_kind(client, auth, world):
    auth.login(world.member)
    text = page_text(client.get("/organisations?country=TM"))
    assert "balkan-hyakimlik" in text.replace("Organisation ", "") or "Organisation balkan" in text
    assert "Organisation mangystau-akimat" not in text
    assert "Not understood, so left out: region=abc." in page_text(client.get("/organisations?region=abc"))


def test_secretary_creates_an_organisation(client, auth, world):
    auth.login(world.secretary)
    response = client.post("/organisations/new", data=organisation_form())
    assert response.status_code == 302
    assert db.session.scalar(select(Organisation).where(Organisation.code == "kuryk-port"))


def test_organisation_form_refusals_keep_the_input(client, auth, world):
    auth.login(world.secretary)
    response = client.post("/organisations/new", data=organisation_form(
        **{"name-ru": "", "name-en": "Port of Kuryk"}))
    assert response.status_code == 422
    text = page_text(response)
    assert "Enter the text in its original language." in text
    assert 'value="Port of Kuryk"' in text
    response = client.post("/organisations/new", data=organisation_form(code="mangystau-akimat"))
    assert response.status_code == 409  # a duplicate is a conflict, on every form (tracker's too)
    assert "Another organisation already uses this code." in page_text(response)
    response = client.post("/organisations/new", data=organisation_form(
        **{"name-ru": "x" * 301}))
    assert "Field cannot be longer than 300 characters." in page_text(response)
    response = client.post("/organisations/new", data=organisation_form(country_code="XX"))
    assert response.status_code == 422
    count = db.session.scalar(select(func.count()).select_from(Organisation))
    assert count == 3


def test_editing_keeps_what_was_saved_when_refused(client, auth, world):
    auth.login(world.secretary)
    url = f"/organisations/{world.kz_org.id}/edit"
    response = client.post(url, data=organisation_form(code="bad code"))
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Organisation, world.kz_org.id).code == "mangystau-akimat"


def test_members_cannot_open_management_forms(client, auth, world):
    auth.login(world.member)
    for response in (client.get("/organisations/new"),
                     client.post("/organisations/new", data=organisation_form()),
                     client.get("/groups/new"), client.get(f"/groups/{world.group.id}/edit")):
        assert refusal(response) == "Only the council's secretaries can do this."
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 3
    assert "/organisations/new" not in page_text(client.get("/organisations"))


def test_secretary_creates_and_edits_a_group(client, auth, world):
    auth.login(world.secretary)
    response = client.post("/groups/new", data={
        "name-ru": "Экология", "name-en": "Ecology", "original_language": "ru",
        "slug": "ecology", "code": "ECO"})
    assert response.status_code == 302
    group = db.session.scalar(select(WorkingGroup).where(WorkingGroup.slug == "ecology"))
    response = client.post(f"/groups/{group.id}/edit", data={
        "name-ru": "Экология", "name-kk": "Экология", "original_language": "ru",
        "slug": "ecology", "code": "trd", "active": "y"})
    assert response.status_code == 422
    assert "Use 2–6 upper-case Latin letters" in page_text(response)
    response = client.post(f"/groups/{group.id}/edit", data={
        "name-ru": "Экология", "name-kk": "Экология", "original_language": "ru",
        "slug": "ecology", "code": "TRD", "active": "y"})
    assert response.status_code == 409  # a duplicate is a conflict, on every form
    assert "Another working group already uses this value." in page_text(response)


def test_co_chair_adds_a_member_and_the_second_co_chair_is_refused(client, auth, world):
    person = UserFactory(organisation=world.kz_org, name="Askar New")
    auth.login(world.kz_chair)
    response = client.post(f"/groups/{world.group.id}/members",
                           data={"user_id": person.id, "role": "co_chair"})
    assert response.status_code == 403
    assert "Only the council&#39;s secretaries can appoint or replace a co-chair." in page_text(response)
    response = client.post(f"/groups/{world.group.id}/members",
                           data={"user_id": person.id, "role": "member"})
    assert response.status_code == 302
    assert db.session.scalar(select(Membership).where(Membership.user_id == person.id))


def test_membership_of_another_group_is_a_404(client, auth, world):
    from tests.factories import MembershipFactory, WorkingGroupFactory

    other = WorkingGroupFactory(council=world.council)
    membership = MembershipFactory(group=other, user=world.outsider)
    auth.login(world.secretary)
    response = client.post(f"/groups/{world.group.id}/members/{membership.id}/remove")
    assert refusal(response, 404) == NOT_FOUND
    db.session.expire_all()
    assert db.session.get(Membership, membership.id) is not None


def test_profile_form(client, auth, world):
    auth.login(world.member)
    response = client.post("/profile", data={"name": "", "language": "ru",
                                             "time_zone": "Asia/Aqtau"})
    assert response.status_code == 422
    assert "This field is required." in page_text(response)
    response = client.post("/profile", data={"name": "Nurlan", "language": "xx",
                                             "time_zone": "Asia/Aqtau"})
    assert response.status_code == 422
    assert "Not a valid choice." in page_text(response)
    response = client.post("/profile", data={"name": "Nurlan Abenov", "language": "en",
                                             "time_zone": "Asia/Ashgabat", "position": "Inspector"})
    assert response.status_code == 302
    db.session.refresh(world.member)
    assert world.member.time_zone == "Asia/Ashgabat"


def test_people_of_another_council_are_not_found(client, auth, world):
    stranger = UserFactory()
    auth.login(world.secretary)
    response = client.get(f"/people/{stranger.id}")
    assert refusal(response, 404) == "This person is not in the council's directory."
    assert stranger.name not in page_text(response) and stranger.email not in page_text(response)


def test_people_list_searches_cyrillic_names(client, auth, world):
    UserFactory(council=world.council, organisation=world.kz_org, name="Әлия Қасымова")
    auth.login(world.tm_member)
    text = page_text(client.get("/people?q=ҚАСЫМ"))
    assert "Әлия Қасымова" in text and "Nurlan Member" not in text


def test_group_cards_load_the_co_chairs_and_count_the_members(client, auth, world):
    """The cards on /groups and the council dashboard show co-chairs and a member count; neither the
    queries nor the rows they load grow with the group's members (once, every member was loaded)."""
    from sqlalchemy import event

    from council.directory.models import GroupRole, User
    from council.directory.services import group_cards
    from tests.factories import MembershipFactory

    auth.login(world.member)
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def queries(path: str) -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            text = page_text(client.get(path))
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert "Yerlan Chair" in text and "Merdan Chair" in text, path
        return len(statements)

    before = {path: queries(path) for path in ("/groups", "/dashboard")}
    for _ in range(30):
        MembershipFactory(group=world.group, user=UserFactory(organisation=world.kz_org),
                          role=GroupRole.MEMBER)
    db.session.commit()
    assert {path: queries(path) for path in before} == before
    assert "34 members" in page_text(client.get("/groups"))

    group_id, chair_ids = world.group.id, {world.kz_chair.id, world.tm_chair.id}
    db.session.expunge_all()
    [card] = group_cards([db.session.get(WorkingGroup, group_id)])
    assert card.members == 34
    assert {country: person.name for country, person in card.chairs.items()} == {
        "KZ": "Yerlan Chair", "TM": "Merdan Chair"}
    loaded = {obj.id for obj in db.session.identity_map.values() if isinstance(obj, User)}
    assert loaded == chair_ids
