"""A real HTTP receiver for webhook tests: a small threaded http.server on a free port of its own that
can be stopped (connection refused), started again on the same port, or told to answer an error."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask

from council.webhooks import services
from tests.conftest import free_port
from tests.notifications.conftest import (  # noqa: F401  fixtures shared with the notification tests
    broker_app,
    other_app,
    queue_name,
    redis_url,
)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = field(default_factory=free_port)
    status: int = 204
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/council"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.received.append(Received(self.path, dict(self.headers.items()),
                                                  self.rfile.read(length)))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def ids(self) -> list[str]:
        return [item.headers["webhook-id"] for item in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


# Quick retries, and the loopback receiver allowed (production refuses private addresses).
SETTINGS = {"WEBHOOKS_ALLOW_PRIVATE": True, "WEBHOOK_RETRY_BASE_SECONDS": 0.0, "WEBHOOK_MAX_ATTEMPTS": 3,
            "NOTIFICATION_SWEEP_GRACE_SECONDS": 0.0, "WEBHOOK_TIMEOUT_SECONDS": 5.0}


@pytest.fixture(autouse=True)
def webhook_settings(app: Flask) -> Iterator[dict[str, Any]]:
    saved = {key: app.config[key] for key in SETTINGS}
    app.config.update(SETTINGS)
    yield app.config
    app.config.update(saved)


def endpoint_for(world: Any, url: str, kinds: list[str], *, owner: Any = None,
                 organisation_id: int | None = None) -> Any:
    from council.extensions import db

    endpoint = services.register(owner or world.secretary, world.council, name="Akimat system", url=url,
                                 kinds=kinds, organisation_id=organisation_id)
    db.session.commit()
    return endpoint
