"""The whole stack for bench/load.py and bench/faults.py, started here and stopped here.

A fresh PostgreSQL database (migrated, then filled by bench/generate.py), our own redis-server on a free
port, an aiosmtpd sink in this process, gunicorn with two workers, a Celery worker and a beat. Every
process is started in its own process group and stopped (TERM, then KILL) by `Stack.stop`, which the
scripts call from `finally`, so a failed or interrupted run leaves nothing running on a shared machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from typing import Any

import httpx
import psycopg
from aiosmtpd.controller import Controller

from bench.generate import BENCH_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# Several people share the PostgreSQL server: BENCH_LOAD_DATABASE gives each run a database of its own.
DATABASE = os.environ.get("BENCH_LOAD_DATABASE", "council_load_bench")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _plain(url: str) -> str:
    """The psycopg form of a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg://", "postgresql://")


# The SMTP sink --------------------------------------------------------------------------------------


@dataclass
class Received:
    message_id: str
    recipients: tuple[str, ...]


@dataclass
class SinkHandler:
    """Keeps every accepted message; while `refusing`, answers 451 (try later) to each DATA."""

    received: list[Received] = field(default_factory=list)
    refused: int = 0
    refusing: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing:
            with self.lock:
                self.refused += 1
            return "451 4.3.0 Mail sink refusing for the fault run, try again later"
        message = message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.received.append(Received(str(message.get("Message-ID", "")).strip(),
                                          tuple(address.lower() for address in envelope.rcpt_tos)))
        return "250 OK"


# A PostgreSQL server of the run's own ---------------------------------------------------------------


@dataclass
class OwnPostgres:
    """A throwaway PostgreSQL cluster on a free port, so a fault run may stop and start *its* server
    (never the machine's shared one). As root, its programs run as the postgres user (they refuse root)."""

    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="council-bench-pg-")))
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL,  # noqa: S603  our own command line
                       stderr=subprocess.STDOUT)

    def init(self) -> None:
        if os.geteuid() == 0:
            import shutil

            shutil.chown(self.directory, "postgres", "postgres")
        self._run("initdb", "-D", str(self.directory / "data"), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-l", str(self.directory / "server.log"),
                  "-o", options, "-w", "start")

    def stop(self) -> None:
        """Fast shutdown: every connection is cut, as when the server is stopped or restarted."""
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()
        import shutil

        shutil.rmtree(self.directory, ignore_errors=True)


# Processes ------------------------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 10.0) -> None:
        """TERM the process group, KILL it if it is still there after `timeout`."""
        if not self.alive():
            return
        self.signal_group(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.popen.wait(5)
        # Children left behind by their parent (a prefork pool) are in the same group.
        self.signal_group(signal.SIGKILL)


@dataclass
class Stack:
    """Settings and handles of one run; `start()` brings everything up, `stop()` takes it all down."""

    size: str = "10k"
    database: str = DATABASE
    retry_base_seconds: float = 2.0
    digest_hour: int | None = None  # COUNCIL_DIGEST_HOUR, when a run needs digests due now
    sweep_seconds: float = 5.0
    claim_seconds: float = 30.0
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="council-bench-")))
    redis_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    # bench/faults.py --hosts 2: this many gunicorns (each on a port of its own, as on separate hosts)
    # and Celery workers, against the one PostgreSQL and the one Redis.
    webs: int = 1
    workers: int = 1
    web_workers: int = 2  # gunicorn's --workers in each web process
    extra_web_ports: list[int] = field(default_factory=list)
    processes: dict[str, Process] = field(default_factory=dict)
    sink: SinkHandler = field(default_factory=SinkHandler)
    controller: Controller | None = None
    # bench/faults.py stops PostgreSQL: then the run has a server of its own (OwnPostgres).
    own_postgres: bool = False
    postgres: OwnPostgres | None = None
    # bench/load.py --without-beat: no beat, so none of its time-of-day work (below) in the measurement.
    beat: bool = True

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def base_urls(self) -> list[str]:
        """Every web process's address; clients are spread over them."""
        return [self.base_url, *(f"http://127.0.0.1:{port}" for port in self.extra_web_ports)]

    @property
    def server_url(self) -> str:
        return self.postgres.url if self.postgres is not None else SERVER_URL

    @property
    def url(self) -> str:
        return self.server_url.rsplit("/", 1)[0] + "/" + self.database

    def env(self) -> dict[str, str]:
        assert self.controller is not None  # noqa: S101  a benchmark's own invariant
        env = dict(os.environ)
        env.update({
            "FLASK_APP": "council",
            "COUNCIL_DATABASE_URL": self.url,
            "COUNCIL_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "COUNCIL_SECRET_KEY": BENCH_SECRET_KEY,
            "COUNCIL_BASE_URL": self.base_url,
            "COUNCIL_SMTP_HOST": "127.0.0.1",
            "COUNCIL_SMTP_PORT": str(self.controller.port),
            "COUNCIL_MAIL_FROM": "Council <council@bench.example>",
            "COUNCIL_UPLOAD_FOLDER": str(self.workdir / "uploads"),
            # Every client signs in from 127.0.0.1: the per-address login limit would refuse the 11th.
            "COUNCIL_LOGIN_RATE_LIMIT": "100000 per minute",
            # Short delays so a run sees retries, sweeps and expired claims within minutes.
            "COUNCIL_NOTIFICATION_RETRY_BASE_SECONDS": str(self.retry_base_seconds),
            "COUNCIL_NOTIFICATION_RETRY_MAX_DELAY": "30",
            **({"COUNCIL_DIGEST_HOUR": str(self.digest_hour)} if self.digest_hour is not None else {}),
            "COUNCIL_NOTIFICATION_MAX_ATTEMPTS": "20",
            "COUNCIL_OUTBOX_SWEEP_SECONDS": str(self.sweep_seconds),
            "COUNCIL_NOTIFICATION_SWEEP_GRACE_SECONDS": "5",
            "COUNCIL_NOTIFICATION_CLAIM_SECONDS": str(self.claim_seconds),
            "COUNCIL_BEAT_MAX_LOOP_SECONDS": "5",
            "PYTHONUNBUFFERED": "1",
            "BENCH_WEB_CPU_FOLDER": str(self.workdir),  # what each page costs the web workers
        })
        return env

    # Pieces --------------------------------------------------------------------------------------

    def create_database(self) -> None:
        with psycopg.connect(_plain(self.server_url), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{self.database}"')

    def drop_database(self) -> None:
        if self.postgres is not None:  # the whole server went with stop()
            return
        with psycopg.connect(_plain(SERVER_URL), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def fill(self) -> None:
        subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=self.env(), check=True,  # noqa: S603  our own command line, no shell
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "bench.generate", "--database", self.url, "--size", self.size],  # noqa: S603  our own command line, no shell
                       cwd=ROOT, env=self.env(), check=True, stdout=subprocess.DEVNULL)

    def spawn(self, name: str, command: list[str]) -> Process:
        log = self.workdir / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(command, cwd=ROOT, env=self.env(), stdout=out,  # noqa: S603  our own command line, no shell
                                     stderr=subprocess.STDOUT, start_new_session=True)
        process = Process(name, popen, log)
        self.processes[name] = process
        return process

    def start_redis(self) -> None:
        # No persistence: a stopped Redis comes back empty, queued tasks and schedule included.
        self.spawn("redis", ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)])
        self._wait_port(self.redis_port, "redis")

    def stop_redis(self) -> None:
        self.processes["redis"].stop()

    def start_web(self) -> None:
        while len(self.extra_web_ports) < self.webs - 1:
            self.extra_web_ports.append(free_port())
        for number, url in enumerate(self.base_urls):
            name = "web" if number == 0 else f"web{number + 1}"
            self.spawn(name, [str(BIN / "gunicorn"), "-c", "python:council.gunicorn_conf",
                              "--bind", url.removeprefix("http://"), "--workers", str(self.web_workers),
                              "--timeout", "60", "bench.trivial:create_app()"])
        for number, url in enumerate(self.base_urls):
            name = "web" if number == 0 else f"web{number + 1}"
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                        break
                self._check_alive(name)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer; see {self.workdir / f'{name}.log'}")
                time.sleep(0.3)

    def start_worker(self, name: str = "worker") -> Process:
        return self.spawn(name, [str(BIN / "celery"), "-A", "workers.celery_app", "worker",
                                 "--loglevel=WARNING", "--concurrency", "2", "--hostname", f"{name}@bench",
                                 "--without-mingle", "--without-gossip"])

    def start_beat(self) -> None:
        self.spawn("beat", [str(BIN / "celery"), "-A", "workers.celery_app", "beat", "--loglevel=WARNING"])

    def start_sink(self) -> None:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=free_port())
        self.controller.start()

    def start(self, echo: bool = True) -> None:
        def say(text: str) -> None:
            if echo:
                print(text, file=sys.stderr, flush=True)

        say(f"stack: files in {self.workdir}")
        if self.own_postgres:
            self.postgres = OwnPostgres()
            self.postgres.init()
            self.postgres.start()
            say(f"stack: own PostgreSQL on :{self.postgres.port} in {self.postgres.directory}")
        self.start_sink()
        say(f"stack: database {self.database} (migrate, generate {self.size})")
        self.create_database()
        self.fill()
        say(f"stack: redis-server :{self.redis_port}, {self.webs} gunicorn(s) from :{self.web_port}, "
            f"{self.workers} worker(s), {'beat' if self.beat else 'no beat'}, "
            f"SMTP sink :{self.controller.port if self.controller else '?'}")
        self.start_redis()
        self.start_web()
        for number in range(self.workers):
            self.start_worker("worker" if number == 0 else f"worker-{number + 1}")
        if self.beat:
            self.start_beat()

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            self.processes[name].stop()
        if self.controller is not None:
            with contextlib.suppress(Exception):
                self.controller.stop()
            self.controller = None
        if self.postgres is not None:
            self.postgres.remove()

    def stop_postgres(self) -> None:
        assert self.postgres is not None  # noqa: S101  only a run with its own server stops it
        self.postgres.stop()

    def start_postgres(self) -> None:
        assert self.postgres is not None  # noqa: S101  as above
        self.postgres.start()

    # Helpers -------------------------------------------------------------------------------------

    def _check_alive(self, name: str) -> None:
        if not self.processes[name].alive():
            raise RuntimeError(f"{name} exited; see {self.processes[name].log}")

    def _wait_port(self, port: int, name: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                return
            self._check_alive(name)
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not open port {port}")

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(_plain(self.url), autocommit=True)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_on_signals(stack: Stack) -> None:
    """Turn SIGTERM/SIGHUP into KeyboardInterrupt, so `finally` stops the stack on those too."""
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)
