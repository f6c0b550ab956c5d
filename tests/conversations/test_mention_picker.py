"""The @ picker: a record page offers the people of the record and those already ticked, never the whole
council; anyone else is found by a search, as one types (JSON) or with "Find people" (no JavaScript)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from council.conversations.models import Comment
from council.extensions import db
from council.notifications.models import Channel, Notification
from tests.conftest import error_summary, page_text, refusal
from tests.factories import CouncilFactory, OrganisationFactory, UserFactory

PREFIX = "thread-commitment-{id}-"


def _picker(page: str) -> str:
    picker = page[page.index('<fieldset class="mention-picker'):]
    return picker[:picker.index("</fieldset>")]


def _offered(page: str) -> set[int]:
    """The people the picker offers as checkboxes."""
    return {int(value) for value in re.findall(r'name="[^"]*mentions" value="(\d+)"', _picker(page))}


def _ticked(page: str) -> set[int]:
    return {int(value) for value in re.findall(r'name="[^"]*mentions" value="(\d+)" checked', _picker(page))}


def _search(client, scene, query, **headers):
    return client.get(f"/threads/commitment/{scene.kz_commitment.id}/people", query_string={"q": query},
                      headers={"Accept": "application/json", **headers})


def _crowd(world, count=30):
    """`count` people of an organisation the commitment does not concern."""
    elsewhere = OrganisationFactory(council=world.council, code="crowd-org")
    return [UserFactory(organisation=elsewhere, name=f"Crowd Person {number:02d}") for number in range(count)]


def test_the_record_page_offers_the_records_people_not_the_whole_council(client, auth, world, scene):
    crowd = _crowd(world)
    db.session.commit()
    auth.login(world.tm_chair)
    page = page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))
    offered = _offered(page)
    # The owner, the counterpart's owner, the group's other co-chair, the secretary: the record's people.
    assert {world.member.id, world.tm_member.id, world.kz_chair.id, world.secretary.id} <= offered
    assert not offered & {person.id for person in crowd}
    assert world.tm_chair.id not in offered  # not the reader
    assert world.admin.id not in offered
    assert "Crowd Person" not in page
    # The search box and its button, labelled, with a hint.
    prefix = PREFIX.format(id=scene.kz_commitment.id)
    assert f'<label for="{prefix}find">Find people to mention</label>' in page
    assert f'name="{prefix}find_people"' in page and f'aria-describedby="{prefix}find-hint"' in page


def test_the_records_people_are_capped_owner_first(client, auth, world, scene):
    # Thirty more people of the commitment's own organisation: still at most twelve on the page.
    for number in range(30):
        UserFactory(organisation=world.kz_org, name=f"Akimat Person {number:02d}")
    db.session.commit()
    auth.login(world.tm_chair)
    page = page_text(client.get(f"/tracker/commitments/{scene.kz_commitment.id}"))
    assert len(_offered(page)) == 12
    first = re.search(r'name="[^"]*mentions" value="(\d+)"', _picker(page))
    assert first and int(first.group(1)) == world.member.id  # the owner answers for it: first


def test_the_search_finds_kazakh_and_turkmen_names_in_any_case_and_by_organisation(
        client, auth, world, scene):
    aliya = UserFactory(organisation=world.kz_org, name="Әлия Жұмабаева", email="aliya@example.org",
                        position="Кеден бөлімінің бастығы")
    shatlyk = UserFactory(organisation=world.tm_org, name="Şatlyk Ýazmuhammedow", email="shatlyk@example.org")
    other_council = UserFactory(organisation=OrganisationFactory(council=CouncilFactory()),
                                name="Әлия Жұмабаева", email="aliya@elsewhere.example")
    db.session.commit()
    auth.login(world.member)

    def found(query):
        response = _search(client, scene, query)
        assert response.status_code == 200, response.json
        assert response.headers["Cache-Control"] == "no-store"
        return [person["id"] for person in response.json["people"]], response

    assert found("ЖҰМАБ")[0] == [aliya.id]  # part of a Kazakh Cyrillic name, in capitals
    assert found("әлия")[0] == [aliya.id]
    assert found("бөлімінің БАСТЫҒЫ")[0] == [aliya.id]  # by position, two words
    assert found("ŞATLYK ýazmuh")[0] == [shatlyk.id]  # Turkmen Latin
    by_organisation, response = found(world.tm_org.name["ru"][:20].upper())
    assert {shatlyk.id, world.tm_member.id, world.tm_chair.id} <= set(by_organisation)
    assert response.json["message"].endswith("found for “" + world.tm_org.name["ru"][:20].upper() + "”.")
    # Never another council's person, never an e-mail address (not shown, not searched).
    assert other_council.id not in found("Жұмабаева")[0]
    assert "@" not in page_text(response)
    assert found("aliya@")[0] == [] and found("example.org")[0] == []
    person = _search(client, scene, "Әлия").json["people"][0]
    assert set(person) == {"id", "name", "detail"}
    assert person["detail"] == "Кеден бөлімінің бастығы · " + world.kz_org.name["en"]
    # An organisation with no name in the reader's language: shown in its own, and said so.
    port = OrganisationFactory(council=world.council, code="kuryk-port", name={"ru": "Порт Курык"})
    UserFactory(organisation=port, name="Ерлан Портов", email="erlan@example.org", position="")
    db.session.commit()
    [erlan] = _search(client, scene, "Портов").json["people"]
    assert erlan["detail"] == "Порт Курык [in Русский; not translated yet]"


def test_the_search_leaves_out_administrators_and_people_no_longer_active(client, auth, world, scene):
    UserFactory(organisation=world.kz_org, name="Gone Person", active=False)
    db.session.commit()
    auth.login(world.member)
    assert _search(client, scene, "gone").json["people"] == []
    assert world.admin.id not in [person["id"] for person in _search(client, scene, "admin").json["people"]]


def test_the_search_lists_at_most_twenty_and_says_so(client, auth, world, scene):
    _crowd(world, 25)
    db.session.commit()
    auth.login(world.member)
    response = _search(client, scene, "crowd")
    assert len(response.json["people"]) == 20
    assert "type more" in response.json["message"]
    assert _search(client, scene, "nobody-like-this").json["message"].startswith("Nobody found")


def test_a_bad_search_is_a_clear_4xx(client, auth, world, scene):
    auth.login(world.member)
    assert "at least two letters" in refusal(_search(client, scene, "a"), 422)
    assert "at least two letters" in refusal(_search(client, scene, "   "), 422)
    assert "at least two letters" in refusal(client.get(
        f"/threads/commitment/{scene.kz_commitment.id}/people", headers={"Accept": "application/json"}), 422)
    assert "at most 100 characters" in refusal(_search(client, scene, "ы" * 101), 422)
    assert client.get("/threads/commitment/abc/people?q=ab").status_code == 404
    assert client.get("/threads/unknown/1/people?q=ab").status_code == 404
    assert client.get("/threads/commitment/99999999999/people?q=ab").status_code == 404
    assert client.get(f"/threads/commitment/{scene.kz_commitment.id}/people?q=a%00b").status_code == 400


def test_the_search_keeps_to_the_readers_council_and_to_those_who_may_write(client, auth, world, scene):
    stranger = UserFactory(organisation=OrganisationFactory(council=CouncilFactory()), name="Stranger")
    db.session.commit()
    signed_out = client.get(f"/threads/commitment/{scene.kz_commitment.id}/people?q=nurlan")
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
    auth.login(world.observer)
    assert "Observers" in refusal(_search(client, scene, "nurlan"), 403)
    auth.logout()
    auth.login(stranger)
    assert refusal(_search(client, scene, "nurlan"), 404) == "There is nothing at this address."


def test_without_javascript_find_people_shows_the_form_again_with_what_was_typed(client, auth, world, scene):
    aliya = UserFactory(organisation=world.kz_org, name="Әлия Жұмабаева", email="aliya@example.org")
    crowd = _crowd(world, 3)
    db.session.commit()
    auth.login(world.tm_member)
    prefix = PREFIX.format(id=scene.kz_commitment.id)
    url = f"/threads/commitment/{scene.kz_commitment.id}/comments"
    draft = "Sözüň ýarysy <b>ýazyldy</b>"
    response = client.post(url, data={f"{prefix}text": draft, f"{prefix}language": "tk",
                                      f"{prefix}mentions": [crowd[0].id], f"{prefix}find": "жұмаб",
                                      f"{prefix}find_people": "1"})
    assert response.status_code == 200
    page = page_text(response)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0  # nothing saved
    assert aliya.id in _offered(page) and _ticked(page) == {crowd[0].id}  # found; the tick kept
    assert "Sözüň ýarysy &lt;b&gt;ýazyldy&lt;/b&gt;</textarea>" in page  # the draft kept, escaped
    assert 'value="tk" selected' in page or 'selected value="tk"' in page
    assert "1 person found for “жұмаб”." in page
    # Ticking the one found and adding the comment mentions both; the person found is told.
    response = client.post(url, data={f"{prefix}text": draft, f"{prefix}language": "tk",
                                      f"{prefix}mentions": [crowd[0].id, aliya.id]})
    assert response.status_code == 302
    comment = db.session.scalar(select(Comment))
    assert {mention.user_id for mention in comment.mentions} == {crowd[0].id, aliya.id}
    told = set(db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "comment.added", Notification.channel == Channel.IN_APP)))
    assert {aliya.id, crowd[0].id} <= told


def test_without_javascript_a_too_short_search_is_named_in_the_error_summary(client, auth, world, scene):
    auth.login(world.member)
    prefix = PREFIX.format(id=scene.kz_commitment.id)
    response = client.post(f"/threads/commitment/{scene.kz_commitment.id}/comments", data={
        f"{prefix}text": "Draft", f"{prefix}language": "en", f"{prefix}find": "x",
        f"{prefix}find_people": "1"})
    assert response.status_code == 422
    assert error_summary(response) == [(f"{prefix}find", "Type at least two letters of a name, a position "
                                                         "or an organisation to find people.")]
    assert f'aria-describedby="{prefix}find-hint {prefix}find-error"' in page_text(response)


def test_a_refused_comment_keeps_the_people_ticked_whoever_they_are(client, auth, world, scene):
    crowd = _crowd(world, 3)
    db.session.commit()
    auth.login(world.member)
    prefix = PREFIX.format(id=scene.kz_commitment.id)
    response = client.post(f"/threads/commitment/{scene.kz_commitment.id}/comments", data={
        f"{prefix}text": "", f"{prefix}language": "en", f"{prefix}mentions": [crowd[2].id]})
    assert response.status_code == 422
    page = page_text(response)
    assert "Crowd Person 02" in page  # not a person of the record, but ticked: still offered, ticked
    assert _ticked(page) == {crowd[2].id}
    # A value that is no person's id (a hand-made request) is refused on its field, not a 500.
    response = client.post(f"/threads/commitment/{scene.kz_commitment.id}/comments", data={
        f"{prefix}text": "Hi", f"{prefix}language": "en", f"{prefix}mentions": [crowd[2].id, "junk"]})
    assert response.status_code == 422
    assert [field for field, _text in error_summary(response)] == [f"{prefix}mentions"]


def test_the_question_form_finds_people_without_javascript_too(client, auth, world, scene):
    crowd = _crowd(world, 2)
    db.session.commit()
    auth.login(world.tm_chair)
    response = client.post(f"/commitments/{scene.kz_commitment.id}/ask", data={
        "text": "Näme üçin?", "language": "tk", "organisation_id": world.kz_org.id, "find": "crowd person",
        "find_people": "1"})
    assert response.status_code == 200
    page = page_text(response)
    assert {person.id for person in crowd} <= _offered(page)
    assert "Näme üçin?</textarea>" in page
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_people_are_found_by_position_after_it_changes(world):
    world.member.position = "Главный СПЕЦИАЛИСТ"
    db.session.flush()
    assert "главный специалист" in world.member.search_text
    assert world.member.search_text.endswith("member@example.org")


def test_the_records_people_are_kept_for_every_reader_until_the_record_or_the_council_changes(
        cached, world, scene, monkeypatch):
    """The picker's list is read once per record and served to every reader (each without themselves),
    and is read again after a change of who answers for the record, of its counterpart, or of a person."""
    from council.conversations import suggestions
    from council.directory.models import User
    from council.directory.services import update_profile
    from council.tracker.models import Commitment
    from council.tracker.services import update_commitment

    reads: list[int] = []
    concerned = suggestions._concerned_people
    monkeypatch.setattr(suggestions, "_concerned_people", lambda ref, limit: reads.append(ref.id) or
                        concerned(ref, limit))
    address = f"/tracker/commitments/{scene.kz_commitment.id}"
    newcomer = UserFactory(organisation=world.tm_org, name="Aýna Newcomer")
    db.session.commit()
    chair, owner = cached(world.tm_chair), cached(world.member)

    offered_to_chair = _offered(page_text(chair.get(address)))
    offered_to_owner = _offered(page_text(owner.get(address)))
    assert reads == [scene.kz_commitment.id]  # the second reader's list came from the cache
    assert world.member.id in offered_to_chair and world.member.id not in offered_to_owner
    assert world.tm_chair.id in offered_to_owner and world.tm_chair.id not in offered_to_chair
    assert world.tm_member.id in offered_to_chair  # the counterpart's owner
    reported = owner.post(f"{address}/progress", data={"progress": "30", "status": "", "note": "Moving"})
    assert reported.status_code == 302
    chair.get(address)
    assert reads == [scene.kz_commitment.id]  # a progress report changes nobody's part in the record

    with cached.app.app_context():  # the counterpart changes hands: its new owner is offered
        counterpart = db.session.get(Commitment, scene.tm_commitment.id)
        update_commitment(db.session.get(User, world.secretary.id), counterpart,
                          organisation=counterpart.organisation, owner=db.session.get(User, newcomer.id),
                          description=counterpart.description,
                          original_language=counterpart.original_language,
                          start_date=counterpart.start_date, due_date=counterpart.due_date,
                          counterpart=counterpart.counterpart, initiative=counterpart.initiative)
        db.session.commit()
    page = page_text(chair.get(address))
    assert newcomer.id in _offered(page) and "Aýna Newcomer" in _picker(page)
    assert len(reads) == 2

    with cached.app.app_context():  # a person renamed: the new name
        update_profile(db.session.get(User, newcomer.id), db.session.get(User, newcomer.id),
                       name="Aýna Täzegelen", position=None, language="tk", time_zone="Asia/Ashgabat")
        db.session.commit()
    picker = _picker(page_text(chair.get(address)))
    assert "Aýna Täzegelen" in picker and "Aýna Newcomer" not in picker
    assert len(reads) == 3


def test_a_new_commitment_s_owner_is_offered_on_its_recommendation_s_page(cached, world, scene):
    from datetime import date

    from council.directory.models import Organisation, User
    from council.tracker.models import Recommendation
    from council.tracker.services import create_commitment

    newcomer = UserFactory(organisation=world.kz_org, name="Dana Newcomer")
    db.session.commit()
    chair = cached(world.tm_chair)
    address = f"/tracker/recommendations/{scene.recommendation.id}"
    assert newcomer.id not in _offered(page_text(chair.get(address)))
    with cached.app.app_context():
        create_commitment(db.session.get(User, world.secretary.id),
                          db.session.get(Recommendation, scene.recommendation.id),
                          organisation=db.session.get(Organisation, world.kz_org.id),
                          owner=db.session.get(User, newcomer.id), description={"en": "Open a lane"},
                          original_language="en", start_date=None, due_date=date(2027, 6, 30))
        db.session.commit()
    assert newcomer.id in _offered(page_text(chair.get(address)))
