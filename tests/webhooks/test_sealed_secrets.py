"""Webhook signing secrets are encrypted at rest, as the TOTP secrets are: a copy of the database does
not let anyone sign deliveries, and the migration seals the secrets stored in clear before it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from standardwebhooks.webhooks import Webhook

from council import create_app
from council.extensions import db
from council.sealing import WEBHOOK_PURPOSE, seal, unseal
from council.webhooks import delivery, services
from council.webhooks.models import DeliveryState, WebhookEndpoint
from tests.conftest import scratch_database_url, settings_for
from tests.webhooks.conftest import endpoint_for
from tests.webhooks.test_delivery import BLOCKED, block, commitment_of, rows

MIGRATIONS = str(Path(__file__).resolve().parent.parent.parent / "migrations")


def stored(endpoint_id: int) -> dict[str, str]:
    with db.engine.connect() as connection:
        row = connection.execute(sa.text("SELECT * FROM webhook_endpoint WHERE id = :id"),
                                 {"id": endpoint_id}).mappings().one()
    return {key: str(value) for key, value in row.items()}


def test_the_secret_shown_and_signing_is_nowhere_in_the_database_in_clear(world, receiver):
    commitment = commitment_of(world)
    endpoint = endpoint_for(world, receiver.url, [BLOCKED])
    first = endpoint.secret
    services.rotate_secret(world.secretary, endpoint)
    db.session.commit()
    row = stored(endpoint.id)
    assert "secret" not in row and "previous_secret" not in row  # the clear columns are gone
    assert not any(secret in value for secret in (first, endpoint.secret) for value in row.values())
    assert unseal(row["secret_sealed"], WEBHOOK_PURPOSE) == endpoint.secret
    assert unseal(row["previous_secret_sealed"], WEBHOOK_PURPOSE) == first
    assert unseal(row["secret_sealed"]) is None  # another purpose's key does not open it

    block(world, commitment)  # both secrets still sign
    [received] = receiver.received
    for secret in (first, endpoint.secret):
        Webhook(secret).verify(received.body, received.headers)


def test_a_secret_no_key_opens_fails_the_delivery_saying_so(world, receiver):
    commitment = commitment_of(world)
    endpoint = endpoint_for(world, receiver.url, [BLOCKED])
    with db.engine.begin() as connection:
        connection.execute(sa.update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id).values(
            secret_sealed=seal("whsec_bG9zdA==", WEBHOOK_PURPOSE, secret_key="a-lost-key")))
    db.session.expire_all()
    block(world, commitment)
    [row] = rows()
    assert receiver.received == [] and row.state == DeliveryState.PENDING
    assert "signing secret cannot be opened" in row.last_error
    services.rotate_secret(world.secretary, db.session.get(WebhookEndpoint, endpoint.id))
    db.session.commit()
    delivery.sweep()
    assert [r.state for r in rows()] == [DeliveryState.DELIVERED]


def test_reseal_secrets_seals_them_again_under_a_new_key(app, make_app, world, receiver):
    endpoint = endpoint_for(world, receiver.url, [BLOCKED])
    secret, sealed = endpoint.secret, endpoint.secret_sealed
    rotated = make_app(SECRET_KEY="the-new-key", SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    with rotated.app_context():
        result = rotated.test_cli_runner().invoke(args=["council", "reseal-secrets"])
        assert result.exit_code == 0, result.output
        assert "1 webhook secret(s)" in result.output
    resealed = stored(endpoint.id)["secret_sealed"]
    assert resealed != sealed
    assert unseal(resealed, WEBHOOK_PURPOSE, secret_key="the-new-key") == secret


def test_the_migration_seals_secrets_stored_in_clear_and_downgrade_opens_them(tmp_path: Path) -> None:
    url = scratch_database_url(tmp_path, "webhook_sealing")
    migrated = create_app(settings_for(url, smtp_port=0, SECRET_KEY="production-key"))
    secret, previous = "whsec_" + "A" * 44, "whsec_" + "B" * 44
    with migrated.app_context():
        upgrade(directory=MIGRATIONS, revision="conv0001")
        tables = sa.MetaData()
        tables.reflect(db.engine, only=["council", "user", "webhook_endpoint"])
        with db.engine.begin() as connection:
            connection.execute(tables.tables["council"].insert().values(
                id=1, slug="c", name="{}", description="{}", original_language="ru",
                created_at=sa.func.now()))
            connection.execute(tables.tables["user"].insert().values(
                id=1, email="secretary@example.org", name="S", council_id=1, language="ru",
                time_zone="Asia/Aqtau", role="secretary", active=True, session_version=0,
                search_text="", created_at=sa.func.now()))
            connection.execute(tables.tables["webhook_endpoint"].insert(), [
                dict(id=1, council_id=1, owner_id=1, name="ERP", url="https://erp.example.kz/hooks",
                     kinds=["commitment.created"], secret=secret, previous_secret=previous, active=True,
                     created_at=datetime.now(UTC)),
                dict(id=2, council_id=1, owner_id=1, name="Portal", url="https://portal.example.kz/h",
                     kinds=["commitment.created"], secret=previous, previous_secret=None, active=True,
                     created_at=datetime.now(UTC))])
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            found = connection.execute(sa.text("SELECT * FROM webhook_endpoint ORDER BY id")).mappings().all()
        assert all("secret" not in row and secret not in str(dict(row)) and previous not in str(dict(row))
                   for row in found)
        assert unseal(found[0]["secret_sealed"], WEBHOOK_PURPOSE) == secret
        assert unseal(found[0]["previous_secret_sealed"], WEBHOOK_PURPOSE) == previous
        assert found[1]["previous_secret_sealed"] is None
        endpoint = db.session.get(WebhookEndpoint, 2)
        assert endpoint is not None and endpoint.secret == previous
        db.session.remove()

        downgrade(directory=MIGRATIONS, revision="conv0001")
        with db.engine.connect() as connection:
            found = connection.execute(sa.text("SELECT * FROM webhook_endpoint ORDER BY id")).mappings().all()
        assert [(row["secret"], row["previous_secret"]) for row in found] == [(secret, previous),
                                                                             (previous, None)]
        assert "secret_sealed" not in found[0]
        db.session.remove()
        db.engine.dispose()
