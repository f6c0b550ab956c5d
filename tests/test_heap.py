"""Web and worker processes set the app's start-up objects aside from the garbage collector (heap.py).

Before, each full collection walked the ~300,000 objects of the built app again: a pause of 150–250 ms
in someone's request or in a digest batch (bench/README.md, "Issue 17, 2026-12-07 morning").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_after_settling_a_full_collection_walks_a_small_part_of_the_process(tmp_path):
    script = (
        "import gc\n"
        "from council import create_app, heap\n"
        f"create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path / 'c.sqlite3'}', 'TESTING': True,"
        " 'SECRET_KEY': 'x' * 48, 'REDIS_URL': None})\n"
        "walked_before = len(gc.get_objects())\n"
        "heap.settle()\n"
        "print(walked_before, gc.get_freeze_count(), len(gc.get_objects()))\n")
    result = subprocess.run([sys.executable, "-c", script],  # noqa: S603  our own script, no shell
                            capture_output=True, text=True, cwd=ROOT, check=True)
    walked_before, frozen, walked_after = map(int, result.stdout.split())
    assert walked_before > 100_000 and frozen > 100_000
    assert walked_after < walked_before / 20


def test_gunicorn_starts_with_the_web_settings_and_serves(tmp_path):
    """The command of the Dockerfile and the compose file: gunicorn with council/gunicorn_conf.py."""
    port = free_port()
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("COUNCIL_", "FLASK_"))}
    environment.update(COUNCIL_DATABASE_URL=f"sqlite:///{tmp_path / 'council.sqlite3'}",
                       COUNCIL_SECRET_KEY="k" * 48, COUNCIL_BASE_URL=f"http://127.0.0.1:{port}")
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "-c", "python:council.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
               "--workers", "1", "council:create_app()"]
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(command,  # noqa: S603  a fixed command line, no shell
                                  cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=20) as response:
                    answer = (response.status, json.loads(response.read()))
                break
            except OSError:  # not listening yet, or its worker still building the app on a busy machine
                time.sleep(0.2)
        assert server.poll() is None, log.read_text()
        assert answer is not None and answer[0] == 200
        assert answer[1]["checks"] == {"database": "ok"}
    finally:
        server.terminate()
        server.wait(10)
