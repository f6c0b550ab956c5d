"""Parity of the two sides in the directory: nobody on one side acts for the other.

A co-chair manages the members of their own side only; co-chairs are appointed and replaced by the
council's secretaries, a side is never left without one, and both sides and the secretaries hear of it.
A secretary cannot mint administrators nor change an administrator or the other country's secretary,
and the last active administrator stays one.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from council.directory import services
from council.directory.models import GroupRole, Membership, PlatformRole, User
from council.errors import Conflict, NotAllowed
from council.events import Event
from council.extensions import db
from council.meetings import minutes
from council.notifications.models import Channel, Notification
from tests.conftest import page_text
from tests.factories import MembershipFactory, UserFactory
from tests.meetings.conftest import Meetings

ON_POSTGRESQL = os.environ.get("COUNCIL_TEST_DATABASE_URL", "").startswith("postgresql")


def roles_of(group: Any) -> dict[int, GroupRole]:
    db.session.expire_all()
    return dict(db.session.execute(select(Membership.user_id, Membership.role)
                                   .where(Membership.group_id == group.id)).all())


def membership_of(world: Any, person: Any) -> Membership:
    found = db.session.scalar(select(Membership).where(Membership.group_id == world.group.id,
                                                       Membership.user_id == person.id))
    assert found is not None
    return found


# Point 3: one side cannot replace the other side's co-chair -----------------------------------------


def test_a_co_chair_cannot_touch_the_other_sides_members(client, auth, world):
    """The attack of issue 13: the Kazakh co-chair demotes the Turkmen co-chair, names a Turkmen member
    co-chair, removes and adds Turkmen people. Every step is a 403 and nothing changes."""
    before = roles_of(world.group)
    newcomer = UserFactory(organisation=world.tm_org, name="Dovlet New")
    auth.login(world.kz_chair)
    base = f"/groups/{world.group.id}/members"
    attempts = [
        (f"{base}/{membership_of(world, world.tm_chair).id}/role", {"role": "member"}),
        (f"{base}/{membership_of(world, world.tm_member).id}/role", {"role": "co_chair"}),
        (f"{base}/{membership_of(world, world.tm_member).id}/role", {"role": "observer"}),
        (f"{base}/{membership_of(world, world.tm_chair).id}/remove", {}),
        (f"{base}/{membership_of(world, world.tm_member).id}/remove", {}),
        (base, {"user_id": newcomer.id, "role": "member"}),
    ]
    for url, data in attempts:
        response = client.post(url, data=data)
        assert response.status_code == 403, (url, data, response.status_code)
    assert "Only the council&#39;s secretaries can appoint or replace a co-chair." in page_text(
        client.post(attempts[0][0], data=attempts[0][1]))
    assert "from their own side only" in page_text(client.post(attempts[2][0], data=attempts[2][1]))
    assert roles_of(world.group) == before


def test_a_co_chair_manages_the_members_of_their_own_side(client, auth, world):
    person = UserFactory(organisation=world.kz_org, name="Askar New")
    auth.login(world.kz_chair)
    page = page_text(client.get(f"/groups/{world.group.id}"))
    assert "Askar New" in page and "Dovlet" not in page
    assert 'value="co_chair"' not in page  # the co-chair role is not offered to a co-chair
    base = f"/groups/{world.group.id}/members"
    assert client.post(base, data={"user_id": person.id, "role": "member"}).status_code == 302
    member = membership_of(world, world.member)
    assert client.post(f"{base}/{member.id}/role", data={"role": "observer"}).status_code == 302
    assert client.post(f"{base}/{member.id}/remove").status_code == 302
    # ... but not the seat of a co-chair, even on their own side
    assert client.post(f"{base}/{membership_of(world, person).id}/role",
                       data={"role": "co_chair"}).status_code == 403
    roles = roles_of(world.group)
    assert roles[person.id] == GroupRole.MEMBER and world.member.id not in roles
    assert roles[world.kz_chair.id] == GroupRole.CO_CHAIR


def test_a_side_is_never_left_without_its_co_chair(client, auth, world):
    auth.login(world.secretary)
    chair = membership_of(world, world.tm_chair)
    response = client.post(f"/groups/{world.group.id}/members/{chair.id}/remove")
    assert response.status_code == 409 and "can only be replaced" in page_text(response)
    response = client.post(f"/groups/{world.group.id}/members/{chair.id}/role", data={"role": "member"},
                           follow_redirects=True)
    assert "can only be replaced" in page_text(response)
    assert roles_of(world.group)[world.tm_chair.id] == GroupRole.CO_CHAIR


def test_the_secretary_replaces_a_co_chair_at_once_and_everyone_concerned_hears(client, auth, world,
                                                                               mail_sink):
    tm_secretary = UserFactory(organisation=world.tm_org, role=PlatformRole.SECRETARY,
                               email="tm.secretary@example.org", language="tk")
    world.tm_chair.language = "tk"
    world.kz_chair.language = "ru"
    db.session.commit()
    auth.login(world.secretary)
    batyr = membership_of(world, world.tm_member)
    response = client.post(f"/groups/{world.group.id}/members/{batyr.id}/role", data={"role": "co_chair"})
    assert response.status_code == 302
    roles = roles_of(world.group)
    assert roles[world.tm_member.id] == GroupRole.CO_CHAIR and roles[world.tm_chair.id] == GroupRole.MEMBER
    assert sorted(roles.values()).count(GroupRole.CO_CHAIR) == 2  # one per side, never more
    change = db.session.scalar(select(Event).where(Event.kind == "group.co_chair_changed"))
    assert change is not None and change.actor_id == world.secretary.id
    assert (change.payload["user_id"], change.payload["previous_user_id"], change.payload["country"]) == \
        (world.tm_member.id, world.tm_chair.id, "TM")
    told = set(db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "group.co_chair_changed", Notification.channel == Channel.EMAIL)))
    assert {world.kz_chair.id, world.tm_chair.id, world.tm_member.id, tm_secretary.id} <= told
    subjects = {address: str(mail_sink.to(address)[0]["Subject"]) for address in
                (world.kz_chair.email, world.tm_chair.email, tm_secretary.email)}
    to_kz, to_tm = subjects[world.kz_chair.email], subjects[world.tm_chair.email]
    assert "Batyr Member" in to_kz and "Merdan Chair" in to_kz
    assert to_kz.startswith("Новый сопредседатель")  # each in their own language
    assert to_tm.startswith("Türkmenistan tarapyndan täze egindeş başlyk"), to_tm


def test_approvals_already_given_stay_with_the_co_chair_who_gave_them(client, auth, world):
    meeting = Meetings(world).published_minutes()
    minutes.approve_minutes(world.tm_chair, meeting)
    db.session.commit()
    services.change_member_role(world.secretary, membership_of(world, world.tm_member), GroupRole.CO_CHAIR)
    db.session.commit()
    with pytest.raises(Conflict):  # the Turkmen side has approved already, by Merdan
        minutes.approve_minutes(world.tm_member, meeting)
    db.session.rollback()
    auth.login(world.kz_chair)
    page = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "Approved for Turkmenistan by Merdan Chair" in page


@pytest.mark.skipif(not ON_POSTGRESQL, reason="SQLite serialises writers: no two appointments at once")
def test_two_appointments_at_once_leave_one_co_chair_per_side(app, world):
    """Two secretaries name two different Turkmen co-chairs at the same moment: one wins after the other,
    and the side ends with exactly one co-chair."""
    other_secretary = UserFactory(organisation=world.kz_org, role=PlatformRole.SECRETARY)
    first, second = UserFactory(organisation=world.tm_org), UserFactory(organisation=world.tm_org)
    for person in (first, second):
        MembershipFactory(group=world.group, user=person, role=GroupRole.MEMBER)
    ids = [(world.secretary.id, first.id), (other_secretary.id, second.id)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def appoint(actor_id: int, person_id: int) -> None:
        with app.app_context():
            try:
                actor = db.session.get(User, actor_id)
                membership = db.session.scalar(select(Membership).where(Membership.user_id == person_id))
                barrier.wait()
                services.change_member_role(actor, membership, GroupRole.CO_CHAIR)
                db.session.commit()
            except BaseException as error:  # reported by the test below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=appoint, args=pair) for pair in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    tm_chairs = db.session.scalar(
        select(func.count()).select_from(Membership).join(User, Membership.user_id == User.id)
        .where(Membership.group_id == world.group.id, Membership.role == GroupRole.CO_CHAIR,
               User.organisation_id == world.tm_org.id))
    assert tm_chairs == 1


# Point 4: a secretary cannot mint administrators ------------------------------------------------------


def test_a_secretary_cannot_promote_anyone_to_administrator(client, auth, world):
    auth.login(world.secretary)
    assert 'value="admin"' not in page_text(client.get(f"/people/{world.member.id}"))
    response = client.post(f"/people/{world.member.id}/role", data={
        "role": "admin", "organisation_id": world.kz_org.id, "active": "y"})
    assert response.status_code == 403
    assert "Only an administrator can grant or remove administrator rights." in page_text(response)
    db.session.refresh(world.member)
    assert world.member.role == PlatformRole.MEMBER


def test_a_secretary_cannot_invite_an_administrator(client, auth, world, mail_sink):
    auth.login(world.secretary)
    assert 'value="admin"' not in page_text(client.get("/people/invite"))
    response = client.post("/people/invite", data={"email": "mint@example.org", "name": "Mint",
                                                   "role": "admin", "language": "ru"})
    assert response.status_code == 403
    assert db.session.scalar(select(User).where(User.email == "mint@example.org")) is None
    assert mail_sink.to("mint@example.org") == []


@pytest.mark.parametrize("change", [{"role": "member", "active": "y"}, {"role": "admin"}])
def test_a_secretary_cannot_demote_or_deactivate_an_administrator(client, auth, world, change):
    auth.login(world.secretary)
    response = client.post(f"/people/{world.admin.id}/role", data={"organisation_id": "", **change})
    assert response.status_code == 403
    assert "Only an administrator can change an administrator" in page_text(response)
    db.session.refresh(world.admin)
    assert world.admin.role == PlatformRole.ADMIN and world.admin.active


def test_a_secretary_cannot_change_the_other_countrys_secretary(client, auth, world):
    tm_secretary = UserFactory(organisation=world.tm_org, role=PlatformRole.SECRETARY)
    kz_secretary = UserFactory(organisation=world.kz_org, role=PlatformRole.SECRETARY)
    auth.login(world.secretary)
    response = client.post(f"/people/{tm_secretary.id}/role", data={
        "role": "member", "organisation_id": world.tm_org.id, "active": ""})
    assert response.status_code == 403
    assert "a secretary of the same country" in page_text(response)
    db.session.refresh(tm_secretary)
    assert tm_secretary.role == PlatformRole.SECRETARY and tm_secretary.active
    # ... a secretary of their own country, yes
    assert client.post(f"/people/{kz_secretary.id}/role", data={
        "role": "member", "organisation_id": world.kz_org.id, "active": "y"}).status_code == 302


def test_an_administrator_grants_and_removes_administrator_rights(world):
    services.update_person_role(world.admin, world.member, role=PlatformRole.ADMIN,
                                organisation_id=world.kz_org.id, active=True)
    db.session.commit()
    services.update_person_role(world.admin, world.member, role=PlatformRole.MEMBER,
                                organisation_id=world.kz_org.id, active=True)
    db.session.commit()
    assert world.member.role == PlatformRole.MEMBER


@pytest.mark.parametrize("change", [dict(role=PlatformRole.MEMBER, active=True),
                                    dict(role=PlatformRole.ADMIN, active=False)])
def test_the_last_active_administrator_stays(world, change):
    UserFactory(organisation=None, council=world.council, role=PlatformRole.ADMIN, active=False)
    with force_locale("en"), pytest.raises(Conflict) as raised:  # an inactive admin does not count
        services.update_person_role(world.admin, world.admin, organisation_id=None, **change)
    assert "last active administrator" in raised.value.message
    db.session.rollback()
    assert db.session.get(User, world.admin.id).role == PlatformRole.ADMIN


@pytest.mark.skipif(not ON_POSTGRESQL, reason="SQLite serialises writers: no two demotions at once")
def test_two_administrators_demoting_each_other_at_once_leave_one(app, world):
    second = UserFactory(organisation=None, council=world.council, role=PlatformRole.ADMIN)
    pairs = [(world.admin.id, second.id), (second.id, world.admin.id)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor_id: int, person_id: int) -> None:
        with app.app_context():
            try:
                actor, person = db.session.get(User, actor_id), db.session.get(User, person_id)
                barrier.wait()
                services.update_person_role(actor, person, role=PlatformRole.MEMBER,
                                            organisation_id=None, active=True)
                db.session.commit()
                outcomes.append("demoted")
            except (Conflict, NotAllowed):
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=demote, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["demoted", "refused"]
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.role == PlatformRole.ADMIN, User.active.is_(True))) == 1
