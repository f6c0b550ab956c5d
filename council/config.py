"""Settings, read from COUNCIL_* environment variables with embedded defaults.

Without COUNCIL_DATABASE_URL the app uses SQLite under instance/; without COUNCIL_REDIS_URL Celery runs
tasks in-process and the rate limiter keeps its counters in memory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

INSTANCE_PATH = Path(__file__).resolve().parent.parent / "instance"
# The council's calendar: what "today", "overdue" and "due soon" mean (both sides are UTC+5).
COUNCIL_TIME_ZONE = "Asia/Aqtau"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"COUNCIL_{name}")
    return value if value not in (None, "") else default


def _flag(name: str, default: bool = False) -> bool:
    value = _env(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def _number(name: str, default: float) -> Any:
    value = _env(name)
    return default if value is None else type(default)(float(value))


class Config:
    """One class; every value can be overridden from the environment or by create_app(test_config)."""

    def __init__(self) -> None:
        # No default: outside debug and tests the app refuses to start without it (council/deployment.py);
        # `make run` (debug) keeps a random one under instance/.
        self.SECRET_KEY = _env("SECRET_KEY")
        self.SECRET_KEY_FILE = str(INSTANCE_PATH / "secret_key")
        # While rotating the key: the previous ones, comma-separated. Sessions signed and second
        # factors sealed under them keep working (Flask reads this for sessions; see sealing.py).
        self.SECRET_KEY_FALLBACKS = [key.strip() for key in (_env("SECRET_KEY_FALLBACKS") or "").split(",")
                                     if key.strip()]
        self.SQLALCHEMY_DATABASE_URI = _env(
            "DATABASE_URL", f"sqlite:///{INSTANCE_PATH / 'council.sqlite3'}"
        )
        self.SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
        self.REDIS_URL = _env("REDIS_URL")
        # Every link in every e-mail and export is built from it, never from the request's Host header;
        # in production it is required, and it (with COUNCIL_TRUSTED_HOSTS) names the hosts answered.
        self.BASE_URL = _env("BASE_URL")
        self.EXTRA_TRUSTED_HOSTS = [host.strip() for host in (_env("TRUSTED_HOSTS") or "").split(",")
                                    if host.strip()]

        # Sessions and cookies: secure flags on unless explicitly running plain HTTP locally.
        self.HTTPS = _flag("HTTPS", default=False)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.HTTPS
        self.REMEMBER_COOKIE_SECURE = self.HTTPS
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.WTF_CSRF_TIME_LIMIT = 8 * 3600

        # Languages: English is the source; Russian is the council's common working language.
        self.BABEL_DEFAULT_LOCALE = "ru"
        self.BABEL_DEFAULT_TIMEZONE = COUNCIL_TIME_ZONE
        self.COUNCIL_TIME_ZONE = _env("TIME_ZONE", COUNCIL_TIME_ZONE)
        self.BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")

        # E-mail: console in the embedded default, SMTP when a host is named.
        self.MAIL_SERVER = _env("SMTP_HOST", "localhost")
        self.MAIL_PORT = int(_env("SMTP_PORT", "25") or 25)
        self.MAIL_USERNAME = _env("SMTP_USER")
        self.MAIL_PASSWORD = _env("SMTP_PASSWORD")
        self.MAIL_USE_TLS = _flag("SMTP_STARTTLS")
        self.MAIL_USE_SSL = _flag("SMTP_SSL")
        self.MAIL_TIMEOUT = 10
        # SMTP sessions a digest chunk is sent over at once, in one worker thread: each session waits
        # for the server's answers while the others' commands and the next message are written.
        self.MAIL_SESSIONS = _number("MAIL_SESSIONS", 2)
        self.MAIL_DEFAULT_SENDER = _env("MAIL_FROM", "Council <council@localhost>")
        self.MAIL_BACKEND = "smtp" if _env("SMTP_HOST") else "console"

        # Rate limits live in Redis when there is one, so every gunicorn worker shares them.
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", default=True)
        # Redis down must not stop people signing in (it answered 500): each process then counts in its
        # own memory until Redis is back.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        # Failed sign-ins (README, "Signing in"): per account and address, and per address over all
        # accounts; never per account alone, which would let a stranger lock a named person out.
        self.LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "5 per minute; 20 per hour")
        self.LOGIN_ADDRESS_RATE_LIMIT = _env("LOGIN_ADDRESS_RATE_LIMIT", "20 per minute; 100 per hour")
        self.PASSWORD_RESET_RATE_LIMIT = _env("PASSWORD_RESET_RATE_LIMIT", "5 per minute; 20 per hour")
        # Codes of two-factor sign-in, per account whatever the address: a six-digit code has a million
        # values, so 30 guesses an hour leave an attacker who has the password no real chance.
        self.TWO_FACTOR_RATE_LIMIT = _env("TWO_FACTOR_RATE_LIMIT", "5 per minute;30 per hour")
        self.API_RATE_LIMIT = _env("API_RATE_LIMIT", "300 per minute")  # per personal access token

        # Passwords: werkzeug's scrypt at its default cost. Tests name a cheap method through
        # create_app(test_config), as they sign in hundreds of times; not read from the environment,
        # so no deployment weakens it by a variable.
        self.PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105  a hashing method, not a password
        self.INVITATION_MAX_AGE = int(_env("INVITATION_MAX_AGE", str(7 * 24 * 3600)) or 0)
        self.PASSWORD_RESET_MAX_AGE = int(_env("PASSWORD_RESET_MAX_AGE", str(2 * 3600)) or 0)
        # Notifications: e-mails are retried with exponential backoff (base, doubling, capped), then
        # marked failed; a worker that died while sending frees its row after the claim time.
        self.CELERY_QUEUE = _env("CELERY_QUEUE", "celery")
        self.NOTIFICATION_MAX_ATTEMPTS = _number("NOTIFICATION_MAX_ATTEMPTS", 8)
        self.NOTIFICATION_RETRY_BASE_SECONDS = _number("NOTIFICATION_RETRY_BASE_SECONDS", 60.0)
        self.NOTIFICATION_RETRY_MAX_DELAY = _number("NOTIFICATION_RETRY_MAX_DELAY", 3600.0)
        self.NOTIFICATION_CLAIM_SECONDS = _number("NOTIFICATION_CLAIM_SECONDS", 300.0)
        # The sweep leaves rows younger than this to the task queued after their commit.
        self.NOTIFICATION_SWEEP_GRACE_SECONDS = _number("NOTIFICATION_SWEEP_GRACE_SECONDS", 30.0)
        # Beat: how often the outbox is swept; how long a beat's lock lasts without renewal (a standby
        # beat takes over after it); how long beat may sleep between ticks; when admins are warned.
        self.OUTBOX_SWEEP_SECONDS = _number("OUTBOX_SWEEP_SECONDS", 60.0)
        self.BEAT_LOCK_SECONDS = _number("BEAT_LOCK_SECONDS", 300)
        self.BEAT_MAX_LOOP_SECONDS = _number("BEAT_MAX_LOOP_SECONDS", 60)
        self.BEAT_STALE_SECONDS = _number("BEAT_STALE_SECONDS", 300.0)
        # Webhooks: retried with exponential backoff (base, doubling, capped) up to the last attempt; an
        # endpoint whose every delivery failed for WEBHOOK_DISABLE_AFTER_SECONDS is turned off and its
        # owner told. Private, loopback and link-local addresses (and plain http) are refused unless
        # WEBHOOKS_ALLOW_PRIVATE is set (tests, a developer's machine).
        self.WEBHOOKS_ALLOW_PRIVATE = _flag("WEBHOOKS_ALLOW_PRIVATE")
        self.WEBHOOK_MAX_ATTEMPTS = _number("WEBHOOK_MAX_ATTEMPTS", 12)
        self.WEBHOOK_RETRY_BASE_SECONDS = _number("WEBHOOK_RETRY_BASE_SECONDS", 60.0)
        self.WEBHOOK_RETRY_MAX_DELAY = _number("WEBHOOK_RETRY_MAX_DELAY", 6 * 3600.0)
        self.WEBHOOK_TIMEOUT_SECONDS = _number("WEBHOOK_TIMEOUT_SECONDS", 10.0)
        self.WEBHOOK_CLAIM_SECONDS = _number("WEBHOOK_CLAIM_SECONDS", 120.0)
        self.WEBHOOK_DISABLE_AFTER_SECONDS = _number("WEBHOOK_DISABLE_AFTER_SECONDS", 3 * 24 * 3600.0)
        # After a secret is rotated the previous one keeps signing this long, so receivers can switch.
        self.WEBHOOK_PREVIOUS_SECRET_SECONDS = _number("WEBHOOK_PREVIOUS_SECRET_SECONDS", 24 * 3600.0)
        self.DIGEST_HOUR = _number("DIGEST_HOUR", 7)  # digests go out from 07:00 in each person's zone
        self.DIGEST_BATCH_SIZE = _number("DIGEST_BATCH_SIZE", 200)
        self.UPLOAD_FOLDER = _env("UPLOAD_FOLDER", str(INSTANCE_PATH / "uploads"))
        # Evidence files: each up to EVIDENCE_MAX_BYTES; a whole request (several files) up to 50 MB.
        self.EVIDENCE_MAX_BYTES = int(_env("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)) or 0)
        self.MAX_CONTENT_LENGTH = int(_env("MAX_CONTENT_LENGTH", str(50 * 1024 * 1024)) or 0)
        self.PAGE_SIZE = 25
        # /metrics answers this bearer token, or these addresses/networks (comma-separated).
        self.METRICS_TOKEN = _env("METRICS_TOKEN")
        self.METRICS_ALLOW = [entry.strip() for entry in
                              (_env("METRICS_ALLOW", "127.0.0.1,::1") or "").split(",") if entry.strip()]
        # While the database is unreachable every request is answered 503 with this Retry-After.
        self.DATABASE_RETRY_AFTER_SECONDS = _number("DATABASE_RETRY_AFTER_SECONDS", 30)

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in vars(self).items() if key.isupper()}
