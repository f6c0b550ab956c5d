"""`flask council digests …`, `flask council outbox …` and `flask council tick`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from council.notifications.models import EmailMode

digests_cli = AppGroup("digests", help="Digest e-mails.")
outbox_cli = AppGroup("outbox", help="The e-mail outbox.")


@digests_cli.command("preview")
@click.option("--user", "email", required=True, help="The person's e-mail address.")
@click.option("--period", type=click.Choice(["daily", "weekly"]), default=None,
              help="Daily or weekly; by default the person's own choice (daily if they have none).")
@click.option("--html", is_flag=True, help="Print the HTML part too.")
def preview_command(email: str, period: str | None, html: bool) -> None:
    """Print the digest a person would receive now (nothing is recorded or sent)."""
    from council.auth.services import find_by_email
    from council.notifications.digests import preview
    from council.notifications.services import preference_of

    person = find_by_email(email)
    if person is None:
        raise click.ClickException(f"Nobody is registered as {email}.")
    preference = preference_of(person)
    click.echo(f"{person.name} <{person.email}>: {preference.email_mode.value} e-mails, "
               f"language {person.language}, time zone {person.time_zone}")
    rendered = preview(person, EmailMode(period) if period else None)
    if rendered is None:
        click.echo("Nothing to say: no digest would be sent.")
        return
    subject, text, html_part = rendered
    click.echo(f"Subject: {subject}\n\n{text}")
    if html:
        click.echo(html_part)


@digests_cli.command("send")
def send_command() -> None:
    """Send the digests and round-ups due now (the beat does this every 15 minutes)."""
    from council.notifications import roundup
    from council.notifications.digests import plan

    click.echo(f"Digests handed over for {plan()} people, round-ups for {roundup.plan()}.")


@outbox_cli.command("sweep")
def sweep_command() -> None:
    """Queue every pending e-mail whose time has come (the beat does this every minute)."""
    from council.notifications.outbox import sweep

    click.echo(f"{sweep()} e-mails queued.")


def tick_command() -> None:
    """Run the periodic jobs once: the outbox sweep, due digests, round-ups and reminders (cron, without
    beat)."""
    from council.notifications import roundup
    from council.notifications.digests import plan
    from council.notifications.outbox import sweep
    from council.notifications.reminders import send_reminders

    click.echo(f"{sweep()} e-mails queued, {plan()} people due for a digest, {roundup.plan()} for a "
               f"round-up, {send_reminders()} reminders written.")


def register(group: AppGroup) -> None:
    group.add_command(digests_cli)
    group.add_command(outbox_cli)
    group.command("tick")(tick_command)
