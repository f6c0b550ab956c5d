"""Test fixtures: a real database (SQLite, or PostgreSQL when COUNCIL_TEST_DATABASE_URL names it),
a real SMTP sink (aiosmtpd), and a client whose every request runs in its own app context and
database session, exactly as in production, so a view that forgets to commit fails its test.
"""

from __future__ import annotations

import contextvars
import email
import email.policy
import html
import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from celery.result import _set_task_join_will_block  # what celery.contrib.testing.worker uses
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, text

from council import create_app
from council.extensions import db
from tests.factories import PASSWORD, PASSWORD_HASH_METHOD


def _worker_number() -> int | None:
    """The pytest-xdist worker this process is (gw0 → 0), or None in a run without workers."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") else None


def _own_services_per_worker() -> None:
    """Under pytest-xdist each worker gets a PostgreSQL database `<name>_gwN` (created here, empty)
    and a Redis database of its own, so workers never see each other's rows, queues or keys."""
    number = _worker_number()
    if number is None:
        return
    url = os.environ.get("COUNCIL_TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        own = f"{parsed.database}_gw{number}"
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{own}"'))
        engine.dispose()
        os.environ["COUNCIL_TEST_DATABASE_URL"] = parsed.set(database=own).render_as_string(
            hide_password=False)
    redis_url = os.environ.get("COUNCIL_TEST_REDIS_URL", "")
    if redis_url:
        from redis.connection import parse_url

        base = int(parse_url(redis_url).get("db", 0))
        prefix = redis_url.rsplit("/", 1)[0] if redis_url.count("/") > 2 else redis_url.rstrip("/")
        os.environ["COUNCIL_TEST_REDIS_URL"] = f"{prefix}/{(base + number) % 16}"


TRANSLATIONS = Path(__file__).resolve().parent.parent / "council" / "translations"


def compile_stale_catalogs() -> list[str]:
    """Compile each catalog whose messages.mo is missing or older than its messages.po, as
    `make compile-translations` does (fuzzy entries included), so a plain `pytest` on a fresh clone
    shows the pages in every language. Returns the languages compiled."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parts[-3])
        partial = mo.with_name(f".messages.mo.{os.getpid()}")
        with partial.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=True)
        os.replace(partial, mo)  # atomic: another process never reads half a catalog
        compiled.append(po.parts[-3])
    return compiled


def pytest_configure(config: pytest.Config) -> None:
    if _worker_number() is None:  # the only process, or xdist's controller before its workers start
        compile_stale_catalogs()
    _own_services_per_worker()


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI (COUNCIL_TEST_REQUIRE_SERVICES=1) a missing PostgreSQL or Redis fails the run."""
    if not os.environ.get("COUNCIL_TEST_REQUIRE_SERVICES"):
        return
    problems = []
    url = os.environ.get("COUNCIL_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        problems.append("COUNCIL_TEST_DATABASE_URL must name a PostgreSQL database")
    else:
        from sqlalchemy import create_engine

        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # any failure to connect is the message CI needs
            problems.append(f"PostgreSQL unreachable: {error}")
        finally:
            engine.dispose()
    redis_url = os.environ.get("COUNCIL_TEST_REDIS_URL", "")
    if not redis_url:
        problems.append("COUNCIL_TEST_REDIS_URL must name a Redis database")
    else:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_timeout=3).ping()
        except redis.RedisError as error:
            problems.append(f"Redis unreachable: {error}")
    if problems:
        pytest.exit("Required services missing: " + "; ".join(problems), returncode=3)


@event.listens_for(Engine, "connect")
def _no_fsync_on_sqlite(connection: Any, record: Any) -> None:
    """Test databases are thrown away: SQLite need not wait for the disk at each commit (factories
    commit every record; with fsync a test spent most of its time waiting for the disk). Locking,
    and so every concurrency test, is unchanged."""
    if type(connection).__module__.startswith("sqlite3"):
        connection.execute("PRAGMA synchronous = OFF")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _MailPolicy(email.policy.EmailPolicy):
    """email.policy.default with CPython's gh-124452 fix (3.12+): a header folded right after its
    name ("Subject:" then the encoded words on the next line, as long Cyrillic subjects are sent)
    parses without a spurious leading space, as mail clients show it."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = sourcelines[0].split(":", 1)
        return name, "".join((value, *sourcelines[1:])).lstrip(" \t\r\n").rstrip("\r\n")


@dataclass
class MailSink:
    """A real SMTP server on loopback that keeps what it receives."""

    messages: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # as received, for tests of the wire format

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=_MailPolicy())
        self.messages.append(parsed)  # type: ignore[arg-type]
        self.raw.append(envelope.content)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    @staticmethod
    def text_of(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    @staticmethod
    def html_of(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("html",))
        assert part is not None
        return str(part.get_content())


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[tuple[MailSink, int]]:
    sink = MailSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture
def mail_sink(smtp_sink: tuple[MailSink, int]) -> MailSink:
    sink, _ = smtp_sink
    sink.messages.clear()
    sink.raw.clear()
    return sink


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("COUNCIL_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def settings_for(url: str, smtp_port: int, **overrides: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "SERVER_NAME": "council.test",
        "BASE_URL": "http://council.test",
        "REDIS_URL": None,
        "PASSWORD_HASH_METHOD": PASSWORD_HASH_METHOD,
        # Factories write rows without the domain events that invalidate the dashboards' cached blocks:
        # the suite renders them every time; tests/dashboard/test_figure_cache.py tests the cache.
        "CACHE_TYPE": "NullCache",
        "CACHE_NO_NULL_WARNING": True,
    }
    settings.update(overrides)
    return settings


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, smtp_sink: tuple[MailSink, int]) -> Iterator[Flask]:
    application = create_app(settings_for(database_url(tmp_path_factory), smtp_sink[1]))
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def make_app(app: Flask, smtp_sink: tuple[MailSink, int]) -> Iterator[Any]:
    """Build another app on the test database with some settings changed; closed afterwards."""
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        other = create_app(settings_for(app.config["SQLALCHEMY_DATABASE_URI"], smtp_sink[1],
                                        **overrides))
        built.append(other)
        return other

    yield build
    # The test's own session may have loaded rows through another app's engine (Flask-SQLAlchemy binds
    # by the current app, so reading an expired `world` attribute inside `other.app_context()` does):
    # give that connection back first, or it goes back to a disposed pool and is never closed.
    db.session.close()
    for other in built:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    if built:
        # The limiter is one object shared by every app: building one with limits switched it on
        # for the test app too, with the counts of the other's attempts.
        from council.extensions import limiter

        limiter.enabled = bool(app.config["RATELIMIT_ENABLED"])
        if limiter.enabled:  # a limiter that was never switched on has no storage to reset
            with app.app_context():
                limiter.reset()


@pytest.fixture(autouse=True)
def app_context(app: Flask) -> Iterator[None]:
    """Each test runs in an app context; afterwards every table is emptied."""
    # A real worker in this process (celery.contrib.testing's start_worker, in the notification and
    # webhook tests) sets Celery's process-wide "inside a task" flag from its thread, which may outlive
    # the test: a later test's own result.get() was then refused ("Never call result.get() within a
    # task!"). Each test starts outside any task, as Celery's testing worker itself resets it.
    _set_task_join_will_block(False)
    with app.app_context():
        yield
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as connection:
            # DELETE, children first, rather than TRUNCATE: a test leaves a few rows, and TRUNCATE of
            # every table costs PostgreSQL about 2 s (new files for each table) against 0.1 s.
            for table in tables:
                connection.execute(table.delete())
            if connection.dialect.name == "postgresql":
                # Ids start at 1 again in every test, as after TRUNCATE … RESTART IDENTITY.
                sequences = connection.execute(text(
                    "SELECT sequence_name FROM information_schema.sequences "
                    "WHERE sequence_schema = current_schema()")).scalars().all()
                for name in sequences:
                    connection.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context: its own app context, `g` and database session."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    test_client = app.test_client()
    # Anonymous pages speak English in tests unless a test asks for another language.
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client


def current_code(email: str) -> str | None:
    """The code a person's authenticator app shows now (None without a second factor). A code is
    accepted once, so when this step's code was used already, the next step's (still accepted)."""
    import pyotp
    from sqlalchemy import select

    from council.directory.models import User
    from council.sealing import unseal

    row = db.session.execute(select(User.totp_secret_sealed, User.totp_enabled_at, User.totp_last_step)
                             .where(User.email == email.strip().casefold())).first()
    if row is None or row.totp_secret_sealed is None or row.totp_enabled_at is None:
        return None
    secret = unseal(row.totp_secret_sealed)
    assert secret is not None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(datetime.now(UTC))
    if row.totp_last_step is not None and row.totp_last_step >= step:
        step = row.totp_last_step + 1
    return totp.generate_otp(step)


def sign_in(client: FlaskClient, email: str, password: str) -> Any:
    """Sign in through the form: the password, then the code when the person has a second factor."""
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"].endswith("/login/code"):
        code = current_code(email)
        assert code is not None
        response = client.post("/login/code", data={"code": code})
        assert response.status_code == 302, response.get_data(as_text=True)
    return response


class Auth:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, user: Any, password: str | None = None) -> Any:
        from tests.factories import PASSWORD

        return sign_in(self.client, user.email, password or PASSWORD)

    def logout(self) -> Any:
        return self.client.post("/logout")


@pytest.fixture
def cached(make_app: Any) -> Any:
    """A function signing a person in on an app with the in-process cache (the suite's app has none)."""
    app = make_app(CACHE_TYPE="SimpleCache")
    app.test_client_class = IsolatedClient

    def client_for(person: Any, language: str = "en") -> Any:
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        db.session.commit()  # a fresh look at the code the other app's sign-in used
        sign_in(client, person.email, PASSWORD)
        return client

    client_for.app = app  # type: ignore[attr-defined]
    return client_for


def uncached(app: Flask, person: Any, language: str = "en") -> Any:
    """The same person signed in on the suite's app (no cache), each request in its own context."""
    app.test_client_class = IsolatedClient
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    db.session.commit()  # a fresh look at the code the other app's sign-in used
    sign_in(client, person.email, PASSWORD)
    return client


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


def page_text(response: Any) -> str:
    return str(response.get_data(as_text=True))


NOT_FOUND = "There is nothing at this address."
# Refusals say who can (council/auth/permissions.py): the world's group is the Trade working group.
ONLY_SECRETARIES = "Only the council's secretaries can do this."
ONLY_TRADE_LEADERS = "Only the council's secretaries or the co-chairs of the Trade working group can do this."


def refusal(response: Any, status: int = 403) -> str:
    """What a refused person reads: checks the status, then returns the error page's message (or the
    API's), so a test can say which refusal it expects, not only its number."""
    assert response.status_code == status, page_text(response)[:2000]
    if response.is_json:
        return str(response.json["error"]["message"])
    found = re.search(r'<p role="alert">(.*?)</p>', page_text(response), re.DOTALL)
    assert found, f"no refusal on the {status} page"
    return html.unescape(found.group(1)).strip()


def error_summary(response: Any) -> list[tuple[str | None, str]]:
    """The problems a refused form lists in its error summary at the top: (the id of the input each
    links to, or None for a problem of the whole form; its text)."""
    page = page_text(response)
    box = re.search(r'<div class="error-summary" role="alert" tabindex="-1".*?<ul>(.*?)</ul>', page,
                    re.DOTALL)
    if box is None:
        return []
    found = []
    for item in re.findall(r"<li>(.*?)</li>", box.group(1), re.DOTALL):
        link = re.fullmatch(r'<a href="#([^"]+)">(.*)</a>', item.strip(), re.DOTALL)
        found.append((link.group(1), html.unescape(link.group(2))) if link
                     else (None, html.unescape(item.strip())))
    return found


@dataclass
class World:
    """A small council: one Kazakh and one Turkmen organisation, a group with both co-chairs."""

    council: Any
    kz_org: Any
    tm_org: Any
    group: Any
    secretary: Any
    kz_chair: Any
    tm_chair: Any
    member: Any
    tm_member: Any
    observer: Any
    admin: Any
    outsider: Any  # a member of another organisation, in no group


@pytest.fixture
def world() -> World:
    from council.directory.models import GroupRole, PlatformRole
    from tests.factories import (
        CouncilFactory,
        MembershipFactory,
        OrganisationFactory,
        UserFactory,
        WorkingGroupFactory,
    )

    council = CouncilFactory()
    kz_org = OrganisationFactory(council=council, code="mangystau-akimat")
    tm_org = OrganisationFactory(council=council, code="balkan-hyakimlik", turkmen=True)
    other_org = OrganisationFactory(council=council, code="aktau-akimat")
    group = WorkingGroupFactory(council=council, slug="trade", code="TRD",
                                name={"ru": "Торговля", "en": "Trade", "kk": "Сауда"})
    secretary = UserFactory(organisation=kz_org, role=PlatformRole.SECRETARY,
                            email="secretary@example.org", name="Aliya Secretary")
    kz_chair = UserFactory(organisation=kz_org, email="kz.chair@example.org", name="Yerlan Chair")
    tm_chair = UserFactory(organisation=tm_org, email="tm.chair@example.org", name="Merdan Chair",
                           time_zone="Asia/Ashgabat")
    member = UserFactory(organisation=kz_org, email="member@example.org", name="Nurlan Member")
    tm_member = UserFactory(organisation=tm_org, email="tm.member@example.org", name="Batyr Member")
    observer = UserFactory(organisation=kz_org, role=PlatformRole.OBSERVER,
                           email="observer@example.org", name="Elena Observer")
    admin = UserFactory(organisation=None, council=council, role=PlatformRole.ADMIN,
                        email="admin@example.org", name="Admin")
    outsider = UserFactory(organisation=other_org, email="outsider@example.org", name="Outsider")
    MembershipFactory(group=group, user=kz_chair, role=GroupRole.CO_CHAIR)
    MembershipFactory(group=group, user=tm_chair, role=GroupRole.CO_CHAIR)
    MembershipFactory(group=group, user=member, role=GroupRole.MEMBER)
    MembershipFactory(group=group, user=tm_member, role=GroupRole.MEMBER)
    return World(council, kz_org, tm_org, group, secretary, kz_chair, tm_chair, member, tm_member,
                 observer, admin, outsider)


def scratch_database_url(tmp_path: Any, suffix: str) -> str:
    """An empty database beside the test one: a file on SQLite, a sibling database on PostgreSQL."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = os.environ.get("COUNCIL_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / f'{suffix}.sqlite3'}"
    parsed = make_url(url)
    scratch = f"{parsed.database}_{suffix}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{scratch}"'))
    engine.dispose()
    return parsed.set(database=scratch).render_as_string(hide_password=False)
