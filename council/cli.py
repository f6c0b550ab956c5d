"""`flask council …`: demo data and account administration."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from council.extensions import db
from council.notifications.cli import register as register_notification_commands

council_cli = AppGroup("council", help="Council administration commands.")
register_notification_commands(council_cli)


@council_cli.command("demo")
def load_demo_command() -> None:
    """Load the demo council (safe to run again: nothing is duplicated)."""
    from council.demo import DEMO_PASSWORD, load_demo

    accounts = load_demo()
    click.echo("Demo data loaded. Sign in at http://127.0.0.1:5000 with any of these accounts")
    click.echo(f"(password for all: {DEMO_PASSWORD}):")
    for email, role in accounts:
        click.echo(f"  {email:<34} {role}")


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
    click.echo(f"Administrator {address} created.")
