"""The web processes as the Dockerfile and the compose file start them: gunicorn with
council/gunicorn_conf.py (two threads per worker, the heap settled once the app is built)."""

from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


def _environment(tmp_path: Path, port: int) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("COUNCIL_", "FLASK_", "GUNICORN_"))}
    environment.update(COUNCIL_DATABASE_URL=f"sqlite:///{tmp_path / 'council.sqlite3'}", FLASK_APP="council",
                       COUNCIL_SECRET_KEY="k" * 48, COUNCIL_BASE_URL=f"http://127.0.0.1:{port}")
    return environment


@contextlib.contextmanager
def _serving(tmp_path: Path, port: int) -> Iterator[str]:
    """gunicorn with the web settings and one worker on the test's SQLite database; its address."""
    environment = _environment(tmp_path, port)
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:council.gunicorn_conf",
               "--bind", f"127.0.0.1:{port}", "--workers", "1", "council:create_app()"]
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(command,  # noqa: S603  a fixed command line, no shell
                                  cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=20):
                    break
            except OSError:  # not listening yet, or its worker still building the app on a busy machine
                time.sleep(0.2)
        assert server.poll() is None, log.read_text()
        yield address
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[str]:
    with _serving(tmp_path, free_port()) as address:
        yield address


def _health(address: str) -> tuple[int, dict]:
    with urllib.request.build_opener().open(f"{address}/healthz", timeout=20) as response:
        return response.status, json.loads(response.read())


def test_gunicorn_starts_with_the_web_settings_and_serves(gunicorn: str) -> None:
    status, body = _health(gunicorn)
    assert status == 200 and body["checks"] == {"database": "ok"}


def test_a_slow_connection_does_not_hold_the_worker_from_other_people(gunicorn: str) -> None:
    """Someone on a poor line whose request arrives slowly (here: headers begun, never finished): with a
    worker serving one connection at a time, everyone else would wait for gunicorn's 30 s timeout; a
    worker's threads and poller answer the others meanwhile."""
    host, port = gunicorn.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as slow:
        slow.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}:{port}\r\n".encode())  # and nothing more for now
        time.sleep(0.5)  # the worker has taken the slow connection in
        started = time.monotonic()
        status, body = _health(gunicorn)
        assert status == 200 and body["checks"] == {"database": "ok"}
        assert time.monotonic() - started < 10
        slow.sendall(b"\r\n")  # the slow request finishes and is answered too
        assert slow.recv(64).startswith(b"HTTP/1.1 200")


def test_a_client_pausing_a_few_seconds_between_requests_gets_every_answer(gunicorn: str) -> None:
    """Someone who reads a page for a few seconds and clicks again. A server that keeps a connection
    open after an answer, then closes it after a few idle seconds, can close it just as the next request
    comes: the client gets no answer (with gunicorn's 2 s keep-alive, this test's second request). Each
    answer says "Connection: close" instead, and the next request comes on a new connection."""
    host, port = gunicorn.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=20)
    try:
        for pause in (0, 3, 1):
            time.sleep(pause)
            connection.request("GET", "/healthz")
            answer = connection.getresponse()
            assert answer.status == 200 and json.loads(answer.read())["status"] == "ok"
    finally:
        connection.close()


@pytest.fixture
def demo_gunicorn(tmp_path: Path) -> Iterator[str]:
    """The same on the demo council (`flask db upgrade`, `flask council demo`, as `make run` does)."""
    port, flask = free_port(), str(Path(sys.executable).parent / "flask")
    for command in ([flask, "db", "upgrade"], [flask, "council", "demo"]):
        subprocess.run(command, cwd=ROOT, env=_environment(tmp_path, port),  # noqa: S603  our own CLI
                       check=True, capture_output=True)
    with _serving(tmp_path, port) as address:
        yield address


def _signed_in(address: str, email: str) -> urllib.request.OpenerDirector:
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with browser.open(f"{address}/login", timeout=20) as form:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.read().decode())
    assert token is not None
    data = urllib.parse.urlencode({"csrf_token": token.group(1), "email": email, "password": "council-demo"})
    with browser.open(f"{address}/login", data=data.encode(), timeout=20) as answer:
        assert answer.url.rstrip("/") != f"{address}/login"  # signed in: sent on from the form
    return browser


def test_two_people_s_pages_served_at_once_by_one_worker_are_each_their_own(demo_gunicorn: str) -> None:
    """One worker's two threads serve two people's requests side by side: each page is its reader's,
    in their language, never the other one's (the person, the language and the database session are
    the request's own, not the thread's or the process's)."""
    people = {"member@council-demo.org": ("Нурлан Абенов", "ru"),
              "member.tm@council-demo.org": ("Batyr Orazow", "tk")}
    browsers = {email: _signed_in(demo_gunicorn, email) for email in people}

    def my_work(email: str) -> tuple[str, str]:
        with browsers[email].open(f"{demo_gunicorn}/my-work", timeout=30) as page:
            return email, page.read().decode()

    with ThreadPoolExecutor(6) as pool:
        pages = list(pool.map(my_work, [*people] * 15))
    for email, html in pages:
        name, language = people[email]
        other_name = next(name for key, (name, _) in people.items() if key != email)
        assert f'<html lang="{language}"' in html
        assert f">{name}</a></li>" in html and f">{other_name}</a></li>" not in html
