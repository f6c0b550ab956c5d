"""`flask council …`: demo data and account administration."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from council.extensions import db
from council.notifications.cli import register as register_notification_commands
from council.operations.cli import register as register_operation_commands

council_cli = AppGroup("council", help="Council administration commands.")
register_notification_commands(council_cli)
register_operation_commands(council_cli)


@council_cli.command("demo")
def load_demo_command() -> None:
    """Load the demo council (safe to run again: nothing is duplicated)."""
    from council.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo

    accounts = load_demo()
    click.echo("Demo data loaded. Sign in at http://127.0.0.1:5000 with any of these accounts")
    click.echo(f"(password for all: {DEMO_PASSWORD}):")
    for email, role in accounts:
        click.echo(f"  {email:<34} {role}")
    click.echo("Secretaries and the administrator also need a code (two-factor sign-in): add the key "
               f"{DEMO_TOTP_SECRET} to an authenticator app, or run `flask council demo-code`.")


@council_cli.command("demo-code")
def demo_code_command() -> None:
    """Print the current sign-in code of the demo secretaries and administrator (demo key only)."""
    import pyotp

    from council.demo import DEMO_TOTP_SECRET

    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).now())


@council_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option()
def create_admin(email: str, name: str, password: str) -> None:
    """Create the first administrator (and the council if there is none yet)."""
    from council.auth.services import find_by_email, normalize_email, set_password
    from council.directory.models import Council, PlatformRole, User
    from council.errors import DomainError

    council = db.session.scalar(select(Council).order_by(Council.id))
    if council is None:
        council = Council(slug="council", name={"en": "Cross-border cooperation council"},
                          original_language="en")
        db.session.add(council)
        db.session.flush()
    try:
        address = normalize_email(email)
        if find_by_email(address) is not None:
            raise click.ClickException(f"{address} is already registered.")
        admin = User(email=address, name=name, council_id=council.id, role=PlatformRole.ADMIN,
                     language="ru")
        db.session.add(admin)
        set_password(admin, password)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Administrator {address} created. At the first sign-in the platform asks them to set up "
               "two-factor sign-in (an authenticator app) before anything else.")


@council_cli.command("reseal-secrets")
def reseal_secrets_command() -> None:
    """Seal every second factor and webhook signing secret again under the current COUNCIL_SECRET_KEY
    (after rotating it, while the previous key is still in COUNCIL_SECRET_KEY_FALLBACKS); the fallback
    can be dropped afterwards."""
    from cryptography.fernet import InvalidToken

    from council.directory.models import User
    from council.sealing import WEBHOOK_PURPOSE, reseal
    from council.webhooks.models import WebhookEndpoint

    people = db.session.scalars(select(User).where(User.totp_secret_sealed.is_not(None)))
    done, unreadable = 0, []
    for person in people:
        try:
            person.totp_secret_sealed = reseal(person.totp_secret_sealed or "")
            done += 1
        except InvalidToken:
            unreadable.append(person.email)
    endpoints, unreadable_endpoints = 0, []
    for endpoint in db.session.scalars(select(WebhookEndpoint)):
        try:
            endpoint.secret_sealed = reseal(endpoint.secret_sealed, WEBHOOK_PURPOSE)
            if endpoint.previous_secret_sealed:
                endpoint.previous_secret_sealed = reseal(endpoint.previous_secret_sealed, WEBHOOK_PURPOSE)
            endpoints += 1
        except InvalidToken:
            unreadable_endpoints.append(f"{endpoint.name} ({endpoint.url})")
    db.session.commit()
    click.echo(f"{done} second factor(s) and {endpoints} webhook secret(s) sealed under the current key.")
    if unreadable or unreadable_endpoints:
        raise click.ClickException(
            "No key at hand opens the second factor of: " + (", ".join(unreadable) or "nobody")
            + "; nor the signing secret of the webhook endpoints: "
            + (", ".join(unreadable_endpoints) or "none")
            + ". Add the key they were sealed under to COUNCIL_SECRET_KEY_FALLBACKS; otherwise have an "
            "administrator reset those second factors, and rotate those endpoints' secrets.")
