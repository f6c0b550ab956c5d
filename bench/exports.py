"""Time and peak Python memory of the full commitments export, CSV and XLSX, at 100,000 rows.

    .venv/bin/python -m bench.exports [--recommendations 50000]

Fills a scratch SQLite database (bench.tracker.fill: two commitments per recommendation), signs in as a
secretary and downloads /tracker/commitments/export.csv and .xlsx: once timed, once under tracemalloc
for the peak (tracing slows Python down a few times). Target: at most 20 MB of Python memory at 100,000
rows (the CSV is written row by row and the XLSX in openpyxl's write-only mode, both into a file that
spills to disk past 4 MB). Not run by the test suite.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench.generate import BENCH_SECRET_KEY, sign_in
from bench.tracker import fill
from council import create_app
from council.extensions import db

URLS = ["/tracker/commitments/export.csv", "/tracker/commitments/export.xlsx",
        "/tracker/recommendations/export.xlsx"]


def download(client: Any, url: str) -> int:
    with client.get(url) as response:
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        return sum(len(chunk) for chunk in response.response)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recommendations", type=int, default=50_000)
    args = parser.parse_args()
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "TESTING": True,
                      "SECRET_KEY": BENCH_SECRET_KEY})
    with app.app_context():
        db.create_all()
        fill(args.recommendations)
        client = app.test_client()
        sign_in(client, "secretary@bench.test", "bench-password")
        print(f"{args.recommendations} recommendations, {2 * args.recommendations} commitments")
        for page in URLS:
            started = time.perf_counter()
            size = download(client, page)
            elapsed = time.perf_counter() - started
            tracemalloc.start()
            download(client, page)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"  {page:<40} {elapsed:7.1f} s {size / 1e6:7.1f} MB file  peak {peak / 1e6:6.1f} MB")
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main()
