"""Backups that are proven: the database (pg_dump, or SQLite's own backup) and the uploaded files, in
one directory with a manifest; and the restore that tests/operations/test_backup.py runs on them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from council.extensions import db
from council.operations.status import version
from council.timeutil import utcnow

PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
UPLOADS = "uploads.tar.gz"
MANIFEST = "manifest.json"


class BackupRefused(Exception):
    """A backup or restore that would overwrite something, or a damaged backup: said to the operator at
    the shell (in English, like the rest of the command line)."""


@dataclass(frozen=True)
class Backup:
    directory: Path
    files: dict[str, str]  # name -> sha256


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq form of the URL, and the environment carrying its password (not on the command line,
    where `ps` would show it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupRefused(f"{name} is not installed; install the PostgreSQL client programs.")
    return found


def backup(directory: Path) -> Backup:
    """Write the database and the uploads into `directory` (created; it must be empty)."""
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BackupRefused(f"{directory} is not empty: choose a new directory for each backup.")
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        dsn, env = _libpq(url)
        subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file",  # noqa: S603  fixed program, no shell
                        str(directory / PG_DUMP), dsn], env=env, check=True, capture_output=True)
    else:
        source = sqlite3.connect(str(url.database))
        target = sqlite3.connect(str(directory / SQLITE_COPY))
        try:
            source.backup(target)  # a consistent copy even while the app writes
        finally:
            target.close()
            source.close()
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    with tarfile.open(directory / UPLOADS, "w:gz") as archive:
        if uploads.exists():
            archive.add(uploads, arcname=".")
    files = {path.name: _sha256(path) for path in sorted(directory.iterdir())}
    manifest: dict[str, Any] = {"created_at": utcnow().isoformat(), "version": version(),
                                "database": url.get_backend_name(), "files": files}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return Backup(directory, files)


def restore(directory: Path) -> None:
    """Load a backup into this app's database (which must have no tables) and upload folder."""
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        if _sha256(directory / name) != digest:
            raise BackupRefused(f"{name} does not match the manifest: the backup is damaged.")
    url = db.engine.url
    if inspect(db.engine).get_table_names():
        raise BackupRefused("The database is not empty: restore into a new, empty database.")
    if url.get_backend_name() != manifest["database"]:
        raise BackupRefused(f"This backup is of a {manifest['database']} database.")
    if manifest["database"] == "postgresql":
        dsn, env = _libpq(url)
        subprocess.run([_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", dsn,  # noqa: S603  fixed program, no shell
                        str(directory / PG_DUMP)], env=env, check=True, capture_output=True)
    else:
        db.engine.dispose()
        shutil.copyfile(directory / SQLITE_COPY, str(url.database))
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    uploads.mkdir(parents=True, exist_ok=True)
    with tarfile.open(directory / UPLOADS, "r:gz") as archive:
        archive.extractall(uploads, filter="data")  # no absolute paths, links or devices
