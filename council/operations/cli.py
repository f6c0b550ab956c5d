"""`flask council backup DIRECTORY` and `flask council restore DIRECTORY`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import click
from flask.cli import AppGroup

from council.operations.backup import BackupRefused


def register(group: AppGroup) -> None:
    @group.command("backup")
    @click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
    def backup_command(directory: Path) -> None:
        """Write a database dump and the uploaded files into DIRECTORY (new or empty)."""
        from council.operations.backup import backup

        try:
            made = backup(directory)
        except BackupRefused as error:
            raise click.ClickException(str(error)) from error
        except subprocess.CalledProcessError as error:
            raise click.ClickException(error.stderr.decode(errors="replace").strip()) from error
        for name, digest in made.files.items():
            click.echo(f"{directory / name}  sha256 {digest}")
        click.echo(f"Backup written to {directory}.")

    @group.command("restore")
    @click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
    def restore_command(directory: Path) -> None:
        """Load a backup from DIRECTORY into an empty database and the upload folder."""
        from council.operations.backup import restore

        try:
            restore(directory)
        except BackupRefused as error:
            raise click.ClickException(str(error)) from error
        except subprocess.CalledProcessError as error:
            raise click.ClickException(error.stderr.decode(errors="replace").strip()) from error
        click.echo(f"Restored from {directory}.")
