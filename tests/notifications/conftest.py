"""Real services for the notification tests: Redis servers of their own, Celery workers (threads and
processes), and an SMTP sink that can be told to refuse mail.

Tests that stop or break a service start their own on a free port and stop only that one. Tests that
only need a working Redis use COUNCIL_TEST_REDIS_URL (each with a queue of its own). Locally, without
those services, the tests skip with the reason; in CI (COUNCIL_TEST_REQUIRE_SERVICES=1) they fail.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import redis
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from flask import Flask

from council.extensions import db
from tests.conftest import MailSink, free_port

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def need(condition: bool, reason: str) -> None:
    """Skip without the service locally; fail in CI, where every service must be there."""
    if condition:
        return
    if os.environ.get("COUNCIL_TEST_REQUIRE_SERVICES"):
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def wait_for(check: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1,
             message: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


# Redis ------------------------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> Iterator[str]:
    """COUNCIL_TEST_REDIS_URL (a Redis database that the tests may fill and empty)."""
    url = os.environ.get("COUNCIL_TEST_REDIS_URL", "")
    need(bool(url), "COUNCIL_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/1)")
    try:
        redis.Redis.from_url(url, socket_timeout=3).ping()
    except redis.RedisError as error:
        need(False, f"Redis at {url} does not answer: {error}")
    yield url


@dataclass
class RedisServer:
    """A redis-server of the test's own, on a free port: it may be stopped and started again."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603  our own command line, no shell
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",  # noqa: S607  the Redis of PATH, as .ci/run starts it
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.answers, timeout=10, message=f"redis-server on port {self.port}")

    def answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    need(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


# SMTP -------------------------------------------------------------------------------------------


@dataclass
class SwitchableSink(MailSink):
    """The shared sink's behaviour, plus: refuse mail (451) while `refusing`, a hook called before a
    message is accepted and one called at QUIT, after it was (tests kill a worker there)."""

    refusing: bool = False
    before_accept: Callable[[EmailMessage], bool] | None = None
    on_quit: Callable[[], None] | None = None  # called when a client says goodbye (after its messages)
    refused: int = 0

    peers: list[Any] = field(default_factory=list)  # each message's session, by the client's address
    open_sessions: int = 0  # counted by _OneSessionAtATime

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer)
        if self.refusing:
            self.refused += 1
            return "451 4.3.0 Mail server busy, try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if self.before_accept is not None and not self.before_accept(parsed):  # type: ignore[arg-type]
            return "451 4.3.0 Not accepted"
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        if self.on_quit is not None:
            self.on_quit()
        return "221 Bye"


class _OneSessionAtATime(SMTP):
    """A server that takes one session from its clients at a time: another is greeted with 421."""

    async def _handle_client(self) -> None:
        sink: SwitchableSink = self.event_handler
        if sink.open_sessions >= 1:
            await self.push("421 4.7.0 One session at a time")
            if self.transport is not None:
                self.transport.close()
            return
        sink.open_sessions += 1
        try:
            await super()._handle_client()
        finally:
            sink.open_sessions -= 1


class _OneSessionController(Controller):
    def factory(self) -> SMTP:
        return _OneSessionAtATime(self.handler, **self.SMTP_kwargs)


@contextmanager
def _serving(controller_class: type[Controller] = Controller) -> Iterator[tuple[SwitchableSink, int]]:
    sink = SwitchableSink()
    port = free_port()
    controller = controller_class(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture
def own_smtp() -> Iterator[tuple[SwitchableSink, int]]:
    with _serving() as served:
        yield served


@pytest.fixture
def one_session_smtp() -> Iterator[tuple[SwitchableSink, int]]:
    """A real SMTP server that refuses a second session while one is open (some relays do)."""
    with _serving(_OneSessionController) as served:
        yield served


# Celery -----------------------------------------------------------------------------------------


FAST_RETRIES = {"NOTIFICATION_RETRY_BASE_SECONDS": 0.3, "NOTIFICATION_MAX_ATTEMPTS": 3,
                "NOTIFICATION_CLAIM_SECONDS": 3.0, "NOTIFICATION_SWEEP_GRACE_SECONDS": 0.0}


@pytest.fixture
def queue_name(redis_url: str) -> Iterator[str]:
    """A queue of the test's own on the shared test Redis, emptied afterwards."""
    name = f"council-test-{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)


@pytest.fixture
def other_app(make_app: Callable[..., Flask]) -> Callable[..., Flask]:
    """make_app, for tests that use the shared `world` inside another app's context."""
    return make_app


@pytest.fixture
def broker_app(other_app: Callable[..., Flask]) -> Callable[..., Flask]:
    """An app whose tasks go to a real broker (not in-process), with quick retries."""

    def build(redis: str, queue: str = "celery", smtp_port: int | None = None, **overrides: Any) -> Flask:
        settings: dict[str, Any] = {**FAST_RETRIES, "REDIS_URL": redis, "CELERY_QUEUE": queue}
        if smtp_port is not None:
            settings["MAIL_PORT"] = smtp_port
        settings.update(overrides)
        return other_app(**settings)

    return build


@contextmanager
def worker_thread(app: Flask, pool: str = "solo") -> Iterator[None]:
    """A real Celery worker in this process (celery.contrib.testing.worker), consuming app's queue."""
    from celery.contrib.testing.worker import start_worker
    from celery.result import _set_task_join_will_block

    celery = app.extensions["celery"]
    try:
        with start_worker(celery, pool=pool, perform_ping_check=False, shutdown_timeout=30,
                          loglevel="WARNING"):
            yield
    finally:
        _set_task_join_will_block(False)  # the worker's pool set it for the whole process


def worker_environment(app: Flask, queue: str) -> dict[str, str]:
    """The environment that makes `celery -A workers.celery_app` build the same app as `app`."""
    config = app.config
    environment = {**os.environ,
                   "COUNCIL_DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
                   "COUNCIL_REDIS_URL": config["REDIS_URL"], "COUNCIL_CELERY_QUEUE": queue,
                   "COUNCIL_SECRET_KEY": config["SECRET_KEY"], "COUNCIL_BASE_URL": config["BASE_URL"],
                   "COUNCIL_SMTP_HOST": config["MAIL_SERVER"], "COUNCIL_SMTP_PORT": str(config["MAIL_PORT"]),
                   "COUNCIL_RATELIMIT_ENABLED": "false", "PYTHONWARNINGS": "ignore"}
    for name in ("NOTIFICATION_RETRY_BASE_SECONDS", "NOTIFICATION_MAX_ATTEMPTS",
                 "NOTIFICATION_CLAIM_SECONDS", "NOTIFICATION_SWEEP_GRACE_SECONDS", "DIGEST_BATCH_SIZE",
                 "OUTBOX_SWEEP_SECONDS", "BEAT_LOCK_SECONDS", "BEAT_MAX_LOOP_SECONDS"):
        environment[f"COUNCIL_{name}"] = str(config[name])
    return environment


@dataclass
class WorkerProcess:
    """`celery worker` in a process of its own, which a test may kill like a crashed machine."""

    process: subprocess.Popen[bytes]
    log: Path
    output: Any = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.output is not None:
            self.output.close()


class CeleryProcesses:
    """Starts `celery worker` and `celery beat` processes for a test, and stops them all afterwards."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started: list[WorkerProcess] = []

    def start(self, app: Flask, queue: str, name: str, arguments: list[str],
              ready: Callable[[bytes], bool]) -> WorkerProcess:
        log = self.directory / f"celery-{name}-{len(self.started)}.log"
        output = log.open("wb")
        process = subprocess.Popen([CELERY, "-A", "workers.celery_app", *arguments, "--loglevel", "INFO"],  # noqa: S603  our own command line, no shell
                                   cwd=ROOT, env=worker_environment(app, queue), stdout=output,
                                   stderr=subprocess.STDOUT)
        started = WorkerProcess(process, log, output)
        self.started.append(started)
        wait_for(lambda: ready(log.read_bytes()) or process.poll() is not None, timeout=60,
                 message=f"{name} to start")
        assert process.poll() is None, log.read_text()
        return started

    def stop_all(self) -> None:
        for started in self.started:
            started.stop()


@pytest.fixture
def celery_processes(tmp_path: Path) -> Iterator[CeleryProcesses]:
    processes = CeleryProcesses(tmp_path)
    yield processes
    processes.stop_all()
    # A killed worker's connections are gone; make sure ours do not hold old snapshots either.
    db.session.remove()


@pytest.fixture
def worker_processes(celery_processes: CeleryProcesses) -> Callable[..., WorkerProcess]:
    def start(app: Flask, queue: str, name: str = "w1") -> WorkerProcess:
        return celery_processes.start(
            app, queue, name, ["worker", "--pool", "solo", "-Q", queue, "-n", f"{name}@%h",
                               "--without-gossip", "--without-mingle", "--without-heartbeat"],
            ready=lambda log: b"ready." in log)

    return start


@pytest.fixture
def beat_processes(celery_processes: CeleryProcesses) -> Callable[..., WorkerProcess]:
    def start(app: Flask, queue: str, name: str = "beat") -> WorkerProcess:
        return celery_processes.start(app, queue, name, ["beat"],
                                      ready=lambda log: b"beat: Starting" in log)

    return start

def mail_to(sink: MailSink, address: str) -> list[EmailMessage]:
    """Messages to exactly this address (the shared sink's `to` also matches tm.member@… for member@…)."""
    return [message for message in sink.messages if str(message["To"]) == address]


def subject(message: EmailMessage) -> str:
    """The decoded subject; a long non-ASCII one is folded right after "Subject:", hence the strip."""
    return str(message["Subject"]).strip()


def plain(text: str) -> str:
    """Babel (CLDR) writes "2026 г.", "2026 ж." and "10:00 AM" with narrow no-break spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")
