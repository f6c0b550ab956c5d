"""No duplicate ever answers 500: every unique constraint a form or the API can write answers a 4xx
(409 on the API) with the message in the person's language on the field at fault, and keeps what was
saved.

Two ways in: the service's own check (someone submits a code already in use), and the race, where a
second request saves the same record after the check passed: here the conflicting row is written by
another database connection just before the request's INSERT, so the database itself refuses it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event, func, select

from council.directory.models import Membership, Organisation, User, WorkingGroup
from council.extensions import db
from council.timeutil import council_today
from council.tracker.models import Indicator, Initiative, Observation, Recommendation
from tests.api.conftest import bearer
from tests.factories import IndicatorFactory, InitiativeFactory, RecommendationFactory, UserFactory

DAY = (council_today() - timedelta(days=3)).isoformat()


def in_russian(message: str, **values: Any) -> str:
    with force_locale("ru"):
        translated = _(message, **values)
    assert translated != message % values if values else translated != message, "not translated"
    return translated


def field_errors(response: Any, field: str) -> list[str]:
    """The messages a form page shows under one field."""
    page = response.get_data(as_text=True)
    return [html.unescape(found) for found in re.findall(
        rf'<small class="field-error" id="{re.escape(field)}-error">'
        rf'<span class="visually-hidden">[^<]*</span> (.*?)</small>', page)]


def count(model: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@contextmanager
def saved_meanwhile(table: str) -> Iterator[list[bool]]:
    """Just before this request's first INSERT into `table`, another connection commits the same row.

    The request's own duplicate check has already passed by then, as when two people press Save at
    the same moment; only the database's unique constraint can refuse the second INSERT.
    """
    fired: list[bool] = []
    pattern = re.compile(rf'^\s*INSERT INTO "?{re.escape(table)}"?\s', re.IGNORECASE)

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        if fired or not pattern.match(statement):
            return
        fired.append(True)
        other = db.engine.raw_connection()
        try:
            other_cursor = other.cursor()
            if executemany:
                other_cursor.executemany(statement, parameters)
            else:
                other_cursor.execute(statement, parameters)
            # An INSERT … RETURNING is a statement in progress until its rows are read: SQLite refuses
            # to commit under it and the connection would keep its write lock for the tests after.
            if other_cursor.description is not None:
                other_cursor.fetchall()
            other_cursor.close()
            other.commit()
        except BaseException:
            other.rollback()
            raise
        finally:
            other.close()

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield fired
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert fired, f"no INSERT INTO {table} was attempted"


@pytest.fixture
def chair_token(world: Any) -> dict[str, str]:
    """The Kazakh co-chair's API token, asking for Russian answers."""
    from council.api import services
    from council.api.models import TokenScope

    _token, secret = services.create_token(world.kz_chair, name="duplicates",
                                           scope=TokenScope.READ_WRITE)
    db.session.commit()
    return {**bearer(secret), "Accept-Language": "ru"}


@pytest.fixture
def russian(world: Any) -> Any:
    """The secretary and the co-chair read the platform in Russian."""
    for person in (world.secretary, world.kz_chair):
        person.language = "ru"
    db.session.commit()
    return world


def organisation_form(**overrides: str) -> dict[str, str]:
    data = {"name-ru": "Порт Курык", "name-en": "Port of Kuryk", "original_language": "ru",
            "code": "kuryk-port", "kind": "business", "country_code": "KZ", "region_id": "",
            "website": ""}
    data.update(overrides)
    return data


def group_form(**overrides: str) -> dict[str, str]:
    data = {"name-ru": "Экология", "original_language": "ru", "slug": "ecology", "code": "ECO"}
    data.update(overrides)
    return data


def invite_form(**overrides: str) -> dict[str, str]:
    data = {"email": "new.person@example.org", "name": "Gulnar Utegenova", "organisation_id": "",
            "role": "member", "language": "ru"}
    data.update(overrides)
    return data


def recommendation_form(world: Any, **overrides: str) -> dict[str, str]:
    data = {"group_id": str(world.group.id), "code": "TRD-2026-010",
            "title-ru": "Предварительное уведомление о грузах", "text-ru": "Ввести уведомление.",
            "original_language": "ru", "source": "council_session", "source_reference": "",
            "priority": "high"}
    data.update(overrides)
    return data


def initiative_form(**overrides: str) -> dict[str, str]:
    data = {"code": "GREEN-CORRIDOR", "name-ru": "Зелёный коридор", "original_language": "ru",
            "group_id": ""}
    data.update(overrides)
    return data


def indicator_form(world: Any, **overrides: str) -> dict[str, str]:
    data = {"code": "TRADE-TURNOVER", "name-ru": "Товарооборот", "original_language": "ru",
            "unit": "USD million", "baseline_value": "", "baseline_date": "", "target_value": "",
            "target_date": "", "group_id": str(world.group.id), "initiative_id": ""}
    data.update(overrides)
    return data


# The service's own check -----------------------------------------------------------------------------


def test_an_organisation_code_in_use_is_refused_on_the_code_field(client, auth, russian):
    auth.login(russian.secretary)
    response = client.post("/organisations/new", data=organisation_form(code="mangystau-akimat"))
    assert 400 <= response.status_code < 500
    assert field_errors(response, "code") == [in_russian("Another organisation already uses this code.")]
    assert count(Organisation, Organisation.code == "mangystau-akimat") == 1
    response = client.post(f"/organisations/{russian.tm_org.id}/edit",
                           data=organisation_form(code="mangystau-akimat"))
    assert 400 <= response.status_code < 500
    assert field_errors(response, "code") == [in_russian("Another organisation already uses this code.")]
    db.session.expire_all()
    assert db.session.get(Organisation, russian.tm_org.id).code == "balkan-hyakimlik"


def test_a_group_address_in_use_is_refused_on_the_slug_field(client, auth, russian):
    auth.login(russian.secretary)
    response = client.post("/groups/new", data=group_form(slug="trade"))
    assert 400 <= response.status_code < 500
    assert field_errors(response, "slug") == [in_russian("Another working group already uses this value.")]
    assert count(WorkingGroup) == 1


def test_an_address_already_registered_is_refused_on_the_email_field(client, auth, russian, mail_sink):
    auth.login(russian.secretary)
    response = client.post("/people/invite", data=invite_form(email="member@example.org"))
    assert 400 <= response.status_code < 500
    assert field_errors(response, "email") == [
        in_russian("A person with this e-mail address is already registered.")]
    db.session.expire_all()
    assert db.session.get(User, russian.member.id).name == "Nurlan Member"
    assert mail_sink.messages == []


def test_adding_a_member_twice_is_refused_on_the_person_field(client, auth, russian):
    auth.login(russian.kz_chair)
    response = client.post(f"/groups/{russian.group.id}/members",
                           data={"user_id": russian.member.id, "role": "member"})
    assert 400 <= response.status_code < 500
    assert field_errors(response, "user_id")
    memberships = db.session.scalars(select(Membership).where(
        Membership.user_id == russian.member.id)).all()
    assert [m.role.value for m in memberships] == ["member"]


@pytest.mark.parametrize("kind", ["recommendation", "initiative", "indicator"])
def test_a_tracker_code_in_use_is_refused_on_the_code_field(client, auth, russian, kind):
    RecommendationFactory(group=russian.group, code="TRD-2026-010")
    InitiativeFactory(council=russian.council, code="GREEN-CORRIDOR")
    IndicatorFactory(council=russian.council, group=russian.group, code="TRADE-TURNOVER")
    db.session.commit()
    auth.login(russian.secretary)
    url, data, model, code = {
        "recommendation": ("/tracker/recommendations/new", recommendation_form(russian),
                           Recommendation, "TRD-2026-010"),
        "initiative": ("/tracker/initiatives/new", initiative_form(), Initiative, "GREEN-CORRIDOR"),
        "indicator": ("/tracker/indicators/new", indicator_form(russian), Indicator, "TRADE-TURNOVER"),
    }[kind]
    response = client.post(url, data=data)
    assert response.status_code == 409
    assert field_errors(response, "code") == [in_russian("The code %(code)s is already used.", code=code)]
    assert count(model, model.code == code) == 1


def test_a_second_value_for_the_same_date_is_refused_on_the_web_and_the_api(client, auth, russian,
                                                                            chair_token):
    indicator = IndicatorFactory(council=russian.council, group=russian.group, code="TRADE-TURNOVER")
    db.session.commit()
    auth.login(russian.kz_chair)
    url = f"/tracker/indicators/{indicator.id}/observations"
    assert client.post(url, data={"observed_on": DAY, "value": "719", "source": "Stat"}).status_code == 302
    again = client.post(url, data={"observed_on": DAY, "value": "720", "source": "Other"})
    assert again.status_code == 409
    message = in_russian("There is already a value for this date.")
    assert field_errors(again, "observed_on") == [message]
    api = client.post(f"/api/v1/indicators/{indicator.id}/observations",
                      json={"observed_on": DAY, "value": 721, "source": "API"},
                      headers=chair_token)
    assert api.status_code == 409
    assert api.json["error"]["field"] == "observed_on"
    assert api.json["error"]["message"] == message
    kept = db.session.scalars(select(Observation)).all()
    assert [(str(o.value), o.source) for o in kept] == [("719.0000", "Stat")] or \
        [(float(o.value), o.source) for o in kept] == [(719.0, "Stat")]


# The race: the check passed, another request saved the same record first ---------------------------


def test_an_organisation_saved_meanwhile_is_a_field_error_not_a_500(client, auth, russian):
    auth.login(russian.secretary)
    with saved_meanwhile("organisation"):
        response = client.post("/organisations/new", data=organisation_form())
    assert 400 <= response.status_code < 500
    assert field_errors(response, "code") == [in_russian("Another organisation already uses this code.")]
    assert count(Organisation, Organisation.code == "kuryk-port") == 1
    # The session was rolled back cleanly: the next request works.
    assert client.post("/organisations/new", data=organisation_form(code="aktau-port")).status_code == 302


def test_a_group_saved_meanwhile_is_a_field_error(client, auth, russian):
    auth.login(russian.secretary)
    with saved_meanwhile("working_group"):
        response = client.post("/groups/new", data=group_form())
    assert 400 <= response.status_code < 500
    assert field_errors(response, "slug") == [in_russian("Another working group already uses this value.")]
    assert count(WorkingGroup, WorkingGroup.slug == "ecology") == 1


def test_a_person_registered_meanwhile_is_a_field_error_and_no_mail_leaves(client, auth, russian,
                                                                           mail_sink):
    auth.login(russian.secretary)
    with saved_meanwhile("user"):
        response = client.post("/people/invite", data=invite_form())
    assert 400 <= response.status_code < 500
    assert field_errors(response, "email") == [
        in_russian("A person with this e-mail address is already registered.")]
    assert count(User, User.email == "new.person@example.org") == 1
    assert mail_sink.messages == []


def test_a_member_added_meanwhile_is_a_field_error(client, auth, russian):
    person = UserFactory(organisation=russian.kz_org, name="Askar New")
    db.session.commit()
    auth.login(russian.kz_chair)
    with saved_meanwhile("membership"):
        response = client.post(f"/groups/{russian.group.id}/members",
                               data={"user_id": person.id, "role": "member"})
    assert 400 <= response.status_code < 500
    assert field_errors(response, "user_id") == [in_russian("This person is already in the group.")]
    assert count(Membership, Membership.user_id == person.id) == 1


def test_a_recommendation_code_taken_meanwhile_is_a_field_error(client, auth, russian):
    auth.login(russian.secretary)
    with saved_meanwhile("recommendation"):
        response = client.post("/tracker/recommendations/new", data=recommendation_form(russian))
    assert response.status_code == 409
    assert field_errors(response, "code") == [in_russian("This code is already used.")]
    assert count(Recommendation, Recommendation.code == "TRD-2026-010") == 1


def test_a_value_recorded_meanwhile_is_a_409_on_the_web_and_the_api(client, auth, russian, chair_token):
    indicator = IndicatorFactory(council=russian.council, group=russian.group, code="TRADE-TURNOVER")
    db.session.commit()
    headers = chair_token
    message = in_russian("There is already a value for this date.")
    with saved_meanwhile("observation"):
        api = client.post(f"/api/v1/indicators/{indicator.id}/observations",
                          json={"observed_on": DAY, "value": 721, "source": "API"}, headers=headers)
    assert api.status_code == 409
    assert api.json["error"] == {"status": 409, "message": message, "field": "observed_on",
                                 "errors": {"observed_on": [message]}}
    assert count(Observation) == 1
    other_day = (council_today() - timedelta(days=4)).isoformat()
    auth.login(russian.kz_chair)
    with saved_meanwhile("observation"):
        web = client.post(f"/tracker/indicators/{indicator.id}/observations",
                          data={"observed_on": other_day, "value": "1", "source": "Stat"})
    assert web.status_code == 409
    assert field_errors(web, "observed_on") == [message]
    assert count(Observation) == 2


def test_a_duplicate_reaching_the_commit_is_a_409_page_not_a_500(make_app, world):
    """The app-wide handler: a view that commits a duplicate unflushed still answers 409."""
    app = make_app()
    council_id, kind = world.council.id, world.kz_org.kind

    @app.post("/_test/duplicate-organisation")
    def duplicate() -> str:
        db.session.add(Organisation(council_id=council_id, code="mangystau-akimat", kind=kind,
                                    country_code="KZ", name={"ru": "Дубль"}, original_language="ru"))
        db.session.commit()
        return "saved"

    app.config["WTF_CSRF_ENABLED"] = False
    browser = app.test_client()
    page = browser.post("/_test/duplicate-organisation", headers={"Accept-Language": "ru"})
    api = browser.post("/_test/duplicate-organisation",
                       headers={"Accept-Language": "ru", "Accept": "application/json"})
    message = in_russian("Another organisation already uses this code.")
    assert page.status_code == 409 and message in html.unescape(page.get_data(as_text=True))
    assert api.status_code == 409 and api.json["error"]["field"] == "code"
    assert count(Organisation, Organisation.code == "mangystau-akimat") == 1
