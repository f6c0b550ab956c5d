"""What the app needs before it answers anyone: a secret key, its public address and the hosts it serves.

A production start (neither debug nor tests) refuses to run without COUNCIL_SECRET_KEY: a default key
would be known to everyone who read this repository, and with it anyone can forge a session cookie or
an invitation link. In debug and tests a random key is kept under instance/ instead, made once.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
# Keys this repository once shipped as defaults (config.py, docker-compose.yml): never accepted.
PUBLISHED_KEYS = frozenset({"dev-only-secret-change-me", "change-me-in-production"})
GENERATE_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


class ConfigurationError(RuntimeError):
    """The app cannot start as configured; the message names the variable to set."""


def is_production(app: Flask) -> bool:
    return not (app.debug or app.testing)


def settle(app: Flask) -> None:
    """Fill in or refuse the secret key, the public address and the trusted hosts."""
    production = is_production(app)
    key = app.config.get("SECRET_KEY")
    if not key:
        if production:
            raise ConfigurationError(
                "COUNCIL_SECRET_KEY is not set. Council will not start with a key others could know: "
                f"generate one with {GENERATE_KEY} and set COUNCIL_SECRET_KEY in the environment "
                "(or in .env beside docker-compose.yml).")
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.config["SECRET_KEY_FILE"]))
    elif production and key in PUBLISHED_KEYS:
        raise ConfigurationError(
            f"COUNCIL_SECRET_KEY is a key published with Council's source; generate a new one with "
            f"{GENERATE_KEY}.")
    if not app.config.get("BASE_URL"):
        if production:
            raise ConfigurationError(
                "COUNCIL_BASE_URL is not set: it is the address people open (https://council.example.org), "
                "used in every link Council e-mails and the only host it answers for.")
        app.config["BASE_URL"] = DEVELOPMENT_BASE_URL
    if production and app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config["BASE_URL"],
                                                    app.config.get("EXTRA_TRUSTED_HOSTS") or [])


def trusted_hosts(base_url: str, extra: list[str]) -> list[str]:
    """The host of the public address, then any others named (a second name, an internal address).

    A request for any other Host is answered 400 (Flask's TRUSTED_HOSTS): links are built from the
    public address anyway, and this keeps a forged Host from reaching any code that reads it."""
    host = urlsplit(base_url).hostname
    if not host:
        raise ConfigurationError(f"COUNCIL_BASE_URL {base_url!r} has no host name (https://host/…).")
    return [host, *(name for name in extra if name != host)]


def instance_secret_key(path: Path) -> str:
    """The key kept in `path`, made on first use: random, readable by this user only (0600).

    Written whole to a private file, then linked into place (link fails if the name exists), so two
    processes starting at once (the reloader, gunicorn workers) agree on one complete key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: its key is the one
        finally:
            draft.unlink()
    return path.read_text().strip()
