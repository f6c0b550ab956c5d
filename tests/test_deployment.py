"""A production start needs its own secret key and public address, and answers only for its hosts.

On today's main the app ran with a default key (and docker-compose.yml shipped another): a session
cookie forged with either signed in as the admin, and invitation links could be forged.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from council.config import Config
from council.deployment import ConfigurationError, instance_secret_key

ROOT = Path(__file__).resolve().parent.parent


def test_production_refuses_to_start_without_a_secret_key(make_app):
    with pytest.raises(ConfigurationError, match="COUNCIL_SECRET_KEY is not set"):
        make_app(TESTING=False, SECRET_KEY=None)


@pytest.mark.parametrize("published", ["dev-only-secret-change-me", "change-me-in-production"])
def test_production_refuses_a_key_published_with_the_source(make_app, published):
    with pytest.raises(ConfigurationError, match="COUNCIL_SECRET_KEY"):
        make_app(TESTING=False, SECRET_KEY=published)


def test_production_refuses_to_start_without_its_public_address(make_app):
    with pytest.raises(ConfigurationError, match="COUNCIL_BASE_URL"):
        make_app(TESTING=False, BASE_URL=None)


def test_gunicorn_would_stop_with_a_message_naming_the_variable(tmp_path):
    """What an operator sees: `council:create_app()` as gunicorn calls it, no key in the environment."""
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("COUNCIL_", "FLASK_"))}
    environment["COUNCIL_DATABASE_URL"] = f"sqlite:///{tmp_path / 'council.sqlite3'}"
    environment["COUNCIL_BASE_URL"] = "https://council.example.org"
    result = subprocess.run([sys.executable, "-c", "from council import create_app; create_app()"],
                            capture_output=True, text=True, cwd=ROOT, env=environment, check=False)
    assert result.returncode != 0
    assert "COUNCIL_SECRET_KEY is not set" in result.stderr


def test_debug_keeps_a_random_key_under_instance_made_once(make_app, tmp_path):
    """`make run` (debug) needs no set-up: a random key, readable by its owner only, kept for next time."""
    key_file = tmp_path / "instance" / "secret_key"
    first = make_app(TESTING=False, DEBUG=True, SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))
    second = make_app(TESTING=False, DEBUG=True, SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) >= 48
    assert first.config["SECRET_KEY"] not in {"dev-only-secret-change-me", "change-me-in-production"}


def test_two_processes_starting_at_once_agree_on_one_key(tmp_path):
    key_file = tmp_path / "secret_key"
    keys = {instance_secret_key(key_file) for _ in range(3)}
    assert len(keys) == 1 and list(tmp_path.iterdir()) == [key_file]


def test_the_environment_names_the_key_and_the_extra_hosts(monkeypatch):
    monkeypatch.setenv("COUNCIL_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("COUNCIL_TRUSTED_HOSTS", "intranet.council.local, 10.0.0.5")
    config = Config()
    assert config.SECRET_KEY == "from-the-environment"
    assert config.EXTRA_TRUSTED_HOSTS == ["intranet.council.local", "10.0.0.5"]


def test_production_answers_only_for_its_own_hosts(make_app):
    """A request for evil.example is refused before any view reads the Host header."""
    app = make_app(TESTING=False, SERVER_NAME=None, BASE_URL="https://council.example.org",
                   EXTRA_TRUSTED_HOSTS=["intranet.council.local"])
    client = app.test_client()
    assert client.get("/login", headers={"Host": "council.example.org"}).status_code == 200
    assert client.get("/login", headers={"Host": "intranet.council.local"}).status_code == 200
    refused = client.post("/password/forgot", data={"email": "member@example.org"},
                          headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert client.get("/healthz", headers={"Host": "evil.example:8000"}).status_code == 400
