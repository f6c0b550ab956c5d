"""Web and worker processes set the app's start-up objects aside from the garbage collector (heap.py).

Before, each full collection walked the ~300,000 objects of the built app again: a pause of 150–250 ms
in someone's request or in a digest batch (bench/README.md, "Issue 17, 2026-12-07 morning").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
