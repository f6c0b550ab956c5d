"""The TOTP secrets of two-factor sign-in are encrypted at rest: a copy of the database does not give
away anyone's second factor, and the migration seals the secrets stored in clear before it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from council import create_app
from council.directory.models import User
from council.extensions import db
from council.sealing import seal, unseal
from tests.auth.test_two_factor import set_up
from tests.conftest import scratch_database_url, settings_for
from tests.factories import PASSWORD

MIGRATIONS = str(Path(__file__).resolve().parent.parent.parent / "migrations")


def stored_row(email: str) -> dict[str, Any]:
    """The person's row as a copy of the database shows it, every column as text."""
    with db.engine.connect() as connection:
        row = connection.execute(sa.text('SELECT * FROM "user" WHERE email = :email'),
                                 {"email": email}).mappings().one()
    return {key: str(value) for key, value in row.items()}


def test_the_secret_set_up_on_the_profile_is_nowhere_in_the_database_in_clear(client, auth, world):
    auth.login(world.member)
    page = client.get("/profile/two-factor").get_data(as_text=True)
    secret = page.split('id="two-factor-secret">')[1].split("<")[0]
    assert len(secret) == 32
    assert not any(secret in value for value in stored_row(world.member.email).values())
    set_up(client, world.member.email)
    row = stored_row(world.member.email)
    assert not any(secret in value for value in row.values())
    assert "totp_secret" not in row  # the clear column is gone
    assert unseal(row["totp_secret_sealed"]) == secret

    # The person still signs in with the code their app shows.
    auth.logout()
    client.post("/login", data={"email": world.member.email, "password": PASSWORD})
    # (the code of the next time step: this step's was spent on set-up)
    code = pyotp.TOTP(secret).at(datetime.now(UTC), counter_offset=1)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    assert client.get("/groups").status_code == 200


def test_another_secret_key_cannot_open_it_but_a_fallback_can(app, make_app, world):
    sealed = world.secretary.totp_secret_sealed
    assert sealed and unseal(sealed) == world.secretary.totp_secret
    assert unseal(sealed, secret_key="some-other-key") is None
    rotated = make_app(SECRET_KEY="the-new-key", SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    with rotated.app_context():
        assert unseal(sealed) == world.secretary.totp_secret
        result = rotated.test_cli_runner().invoke(args=["council", "reseal-secrets"])
        assert result.exit_code == 0, result.output
    resealed = stored_row(world.secretary.email)["totp_secret_sealed"]
    assert resealed != sealed
    assert unseal(resealed, secret_key="the-new-key") == world.secretary.totp_secret


def test_a_secret_no_key_opens_refuses_every_code_instead_of_failing(client, world):
    LOST = pyotp.random_base32()
    with db.engine.begin() as connection:
        connection.execute(sa.update(User).where(User.id == world.secretary.id).values(
            totp_secret_sealed=seal(LOST, secret_key="a-lost-key")))
    response = client.post("/login", data={"email": world.secretary.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/login/code")  # the password alone is not enough
    refused = client.post("/login/code", data={"code": pyotp.TOTP(LOST).now()})
    assert refused.status_code == 422
    assert client.get("/groups").status_code == 302


def test_the_migration_seals_secrets_stored_in_clear_and_downgrade_opens_them(tmp_path: Path) -> None:
    url = scratch_database_url(tmp_path, "sealing")
    migrated = create_app(settings_for(url, smtp_port=0, SECRET_KEY="production-key"))
    secret = pyotp.random_base32()
    with migrated.app_context():
        upgrade(directory=MIGRATIONS, revision="c4f1e2a9b7d3")
        tables = sa.MetaData()
        tables.reflect(db.engine, only=["council", "user"])
        with db.engine.begin() as connection:
            connection.execute(tables.tables["council"].insert().values(
                id=1, slug="c", name="{}", description="{}", original_language="ru",
                created_at=sa.func.now()))
            connection.execute(tables.tables["user"].insert().values(
                id=1, email="secretary@example.org", name="S", council_id=1, language="ru",
                time_zone="Asia/Aqtau", role="secretary", active=True, session_version=0,
                totp_secret=secret, totp_enabled_at=sa.func.now(), search_text="",
                created_at=sa.func.now()))
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            row = connection.execute(sa.text('SELECT * FROM "user"')).mappings().one()
        assert "totp_secret" not in row and secret not in str(dict(row))
        assert unseal(row["totp_secret_sealed"]) == secret
        assert unseal(row["totp_secret_sealed"], secret_key="another-key") is None
        person = db.session.get(User, 1)
        assert person is not None and person.two_factor_enabled and person.totp_secret == secret
        db.session.remove()

        downgrade(directory=MIGRATIONS, revision="c4f1e2a9b7d3")
        with db.engine.connect() as connection:
            row = connection.execute(sa.text('SELECT * FROM "user"')).mappings().one()
        assert row["totp_secret"] == secret and "totp_secret_sealed" not in row
        db.session.remove()
        db.engine.dispose()
