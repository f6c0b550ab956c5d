"""`among(column, ids)` finds the same rows as `column.in_(ids)`; on PostgreSQL its statement is the
same text whatever the number of ids (one array parameter), so it is neither rewritten nor parsed anew
for each batch (council/dbtypes.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from council.dbtypes import among
from council.directory.models import User
from council.extensions import db
from tests.dashboard.test_query_counts import counted
from tests.factories import UserFactory


@pytest.mark.parametrize("size", [0, 1, 3, 250])
def test_among_finds_what_in_finds(app, world, size):
    people = [UserFactory(organisation=world.kz_org, email=f"among{n}@example.org") for n in range(3)]
    ids = [person.id for person in people][:size] + list(range(10**6, 10**6 + max(size - 3, 0)))
    ids += ids[:2]  # repeated ids change nothing
    found = db.session.scalars(select(User.id).where(among(User.id, ids)).order_by(User.id)).all()
    assert found == db.session.scalars(select(User.id).where(User.id.in_(ids)).order_by(User.id)).all()
    assert found == sorted(person.id for person in people)[:size]


def test_among_is_one_statement_text_for_3_ids_or_300_on_postgresql(app, world):
    ids = [world.member.id, world.kz_chair.id, world.tm_chair.id]
    with counted() as statements:
        few = db.session.scalars(select(User.email).where(among(User.id, ids))).all()
        absent = list(range(10**6, 10**6 + 297))
        many = db.session.scalars(select(User.email).where(among(User.id, ids + absent))).all()
    assert sorted(few) == sorted(many)
    assert len(few) == 3
    if db.engine.dialect.name == "postgresql":
        assert statements[0] == statements[1]
        assert "= ANY" in statements[0]
    else:
        assert statements[0] != statements[1]  # an IN list of 3, then of 300
