"""The production-like stack described by docker-compose.yml is valid, complete, and ships no secret."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {"POSTGRES_PASSWORD": "a-database-password-from-env",
           "COUNCIL_SECRET_KEY": "a-secret-key-from-the-environment",
           "COUNCIL_BASE_URL": "https://council.example.org"}


def run_compose(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("COUNCIL_TEST_REQUIRE_SERVICES"):
            pytest.fail("docker-compose is required in CI to validate docker-compose.yml")
        pytest.skip("docker-compose is not installed")
    # Only what the test gives: no COUNCIL_* or POSTGRES_* of the machine running the tests.
    clean = {name: value for name, value in os.environ.items()
             if not name.startswith(("COUNCIL_", "POSTGRES_"))}
    # `config` validates the file against the Compose schema and resolves it; no engine is needed.
    return subprocess.run([binary, "--file", str(ROOT / "docker-compose.yml"), "config", *args],  # noqa: S603  a fixed command line, no shell
                          capture_output=True, text=True, check=False, cwd=ROOT,
                          env={**clean, **(SECRETS if env is None else env)})


def compose(*args: str) -> str:
    result = run_compose(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_compose_describes_the_whole_stack():
    services = set(compose("--services").split())
    assert services >= {"web", "worker", "beat", "postgres", "redis", "mail"}
    resolved = compose()
    assert "flask db upgrade && gunicorn" in resolved
    assert "/healthz" in resolved
    assert "celery -A workers.celery_app worker" in resolved
    assert "celery -A workers.celery_app beat" in resolved
    assert resolved.count("COUNCIL_DATABASE_URL: postgresql+psycopg://") == 3
    assert resolved.count("COUNCIL_REDIS_URL: redis://redis:6379/0") == 3


def test_every_secret_comes_from_the_environment():
    """Today's main shipped `change-me-in-production` as the key (a forged session cookie signed in as
    the admin) and `council` as the database password."""
    stack: dict[str, Any] = yaml.safe_load(compose())
    for name in ("web", "worker", "beat"):
        environment = stack["services"][name]["environment"]
        assert environment["COUNCIL_SECRET_KEY"] == SECRETS["COUNCIL_SECRET_KEY"]
        assert SECRETS["POSTGRES_PASSWORD"] in environment["COUNCIL_DATABASE_URL"]
        assert environment["COUNCIL_BASE_URL"] == SECRETS["COUNCIL_BASE_URL"]
    assert stack["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"] == SECRETS["POSTGRES_PASSWORD"]


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_compose_refuses_to_start_without_a_secret_and_names_it(missing):
    result = run_compose(env={name: value for name, value in SECRETS.items() if name != missing})
    assert result.returncode != 0
    assert missing in result.stderr


def test_the_mail_catcher_shows_its_mails_to_this_machine_only():
    """Mailpit's web UI lists every e-mail, reset links included: it was published on every interface."""
    stack: dict[str, Any] = yaml.safe_load(compose())
    published = [str(port) if not isinstance(port, dict) else port.get("host_ip", "")
                 for port in stack["services"]["mail"].get("ports", [])]
    assert published and all(port.startswith("127.0.0.1") for port in published), published
