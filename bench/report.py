"""Time and peak Python memory of the progress report at 100,000 commitments (500,000 progress updates).

    .venv/bin/python -m bench.report [--size 100k] [--database URL]

Fills a scratch SQLite database with bench.generate (or uses --database as it is), then, as a secretary,
generates the whole council's report for the current year in Russian with Kazakh side by side, and one
working group's in Russian: the service's `generate` (gathering, DOCX, PDF) timed once (wall clock and
the process's CPU time, which a busy machine does not inflate), then run again under tracemalloc for the
peak (tracing slows Python down a few times). Not run by the test suite.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

from sqlalchemy import select

from bench.generate import BENCH_SECRET_KEY, generate
from council import create_app
from council.directory.models import Council, PlatformRole, User, WorkingGroup
from council.extensions import db
from council.reports import services
from council.reports.models import ReportVersion
from council.reports.services import ReportRequest


def _run(secretary: User, council: Council, asked: ReportRequest) -> tuple[float, float, int, int, int]:
    """Seconds (wall clock and this process's CPU), peak bytes, and the PDF's and the DOCX's size."""
    timings = []
    cpu = 0.0
    peak = 0
    version = None
    for traced in (False, True):
        version = services.request_report(secretary, council, asked)
        db.session.commit()
        if traced:
            tracemalloc.start()
        started, started_cpu = time.perf_counter(), time.process_time()
        if services.generate(version.id) != "done":
            raise SystemExit(f"report {version.id} failed")
        timings.append(time.perf_counter() - started)
        cpu = cpu or time.process_time() - started_cpu
        if traced:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    db.session.expire_all()
    done = db.session.get(ReportVersion, version.id) if version is not None else None
    if done is None or not done.pdf or not done.docx:
        raise SystemExit("the report has no documents")
    return timings[0], cpu, peak, len(done.pdf), len(done.docx)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=("10k", "100k"), default="100k")
    parser.add_argument("--database", help="an already generated database (default: a scratch SQLite)")
    args = parser.parse_args()
    url = args.database or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench-report.sqlite3'}"
    if not args.database:
        started = time.perf_counter()
        generate(url, args.size, echo=False)
        print(f"generated {args.size} in {time.perf_counter() - started:.0f} s")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "REDIS_URL": None,
                      "SECRET_KEY": BENCH_SECRET_KEY})
    with app.app_context():
        council = db.session.scalars(select(Council)).first()
        secretary = db.session.scalars(select(User).where(User.role == PlatformRole.SECRETARY)).first()
        group = db.session.scalars(select(WorkingGroup).order_by(WorkingGroup.id)).first()
        if council is None or secretary is None or group is None:
            raise SystemExit("the database has no council, secretary or working group")
        year = date.today().year
        cases = {
            "council, year, ru + kk": ReportRequest(group_id=None, period="year", year=year, language="ru",
                                                    second_language="kk"),
            "one group, year, ru": ReportRequest(group_id=group.id, period="year", year=year, language="ru"),
        }
        for name, asked in cases.items():
            seconds, cpu, peak, pdf, docx = _run(secretary, council, asked)
            print(f"  {name:<24} {seconds:6.1f} s ({cpu:5.1f} s CPU)   peak {peak / 1e6:6.1f} MB   "
                  f"PDF {pdf / 1e3:6.0f} kB   DOCX {docx / 1e3:6.0f} kB")


if __name__ == "__main__":
    main()
