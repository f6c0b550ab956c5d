"""The demo data loads, and loading it twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from council.demo import load_demo
from council.directory.models import Membership, Organisation, User, WorkingGroup
from council.extensions import db


def counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Organisation, User, WorkingGroup, Membership)}


def test_demo_is_idempotent(app):
    accounts = load_demo()
    first = counts()
    load_demo()
    assert counts() == first
    assert first["WorkingGroup"] >= 4
    assert ("secretary@council-demo.org", "secretary (KZ)") in accounts
    assert ("cochair.tm@council-demo.org", "co-chair of trade (TM)") in accounts


def test_every_group_has_a_co_chair_from_each_country(client):
    load_demo()
    from council.directory.services import co_chairs

    for group in db.session.scalars(select(WorkingGroup)):
        assert sorted(m.user.country_code for m in co_chairs(group)) == ["KZ", "TM"]
