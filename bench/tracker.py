"""How the tracker's lists and exports behave as data grows: time and number of queries per request.

    .venv/bin/python -m bench.tracker [--database-url URL] [--sizes 1000,10000]

Uses a scratch database (a temporary SQLite file by default; a PostgreSQL URL must name a database
ending in "_bench", which is emptied). Not run by the test suite.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, text
from werkzeug.security import generate_password_hash

from bench.generate import BENCH_SECRET_KEY, TOTP_SECRET, sign_in
from council import create_app
from council.directory.models import Council, Country, GroupRole, Membership, Organisation, User, WorkingGroup
from council.extensions import db
from council.timeutil import utcnow
from council.tracker.models import Commitment, CommitmentStatus, Recommendation

URLS = ["/tracker/recommendations", "/tracker/recommendations?overdue=1&sort=-progress",
        "/tracker/commitments", "/tracker/commitments?country=TM&q=queue&sort=owner",
        "/tracker/commitments/export.csv", "/tracker/commitments/export.xlsx",
        "/tracker/recommendations/export.csv"]
STATUSES = list(CommitmentStatus)


def fill(recommendations: int) -> None:
    """Two commitments per recommendation (one per side), in every status, some late."""
    db.session.execute(insert(Country), [
        {"code": "KZ", "name": {"en": "Kazakhstan"}, "time_zone": "Asia/Aqtau"},
        {"code": "TM", "name": {"en": "Turkmenistan"}, "time_zone": "Asia/Ashgabat"}])
    council = Council(slug="bench", name={"en": "Bench"})
    db.session.add(council)
    db.session.flush()
    group = WorkingGroup(council_id=council.id, slug="trade", code="TRD", name={"en": "Trade"})
    kz = Organisation(council_id=council.id, code="kz-org", kind="akimat", country_code="KZ",
                      name={"en": "Akimat"})
    tm = Organisation(council_id=council.id, code="tm-org", kind="hyakimlik", country_code="TM",
                      name={"en": "Hyakimlik"})
    db.session.add_all([group, kz, tm])
    db.session.flush()
    secretary = User(email="secretary@bench.test", name="Secretary", council_id=council.id,
                     organisation_id=kz.id, role="secretary", totp_secret=TOTP_SECRET,
                     totp_enabled_at=utcnow(),
                     password_hash=generate_password_hash("bench-password", method="scrypt"))
    owners = [User(email=f"owner{i}@bench.test", name=f"Owner {i}", council_id=council.id,
                   organisation_id=(kz if i % 2 else tm).id) for i in range(50)]
    db.session.add_all([secretary, *owners])
    db.session.flush()
    db.session.add(Membership(group_id=group.id, user_id=secretary.id, role=GroupRole.MEMBER))
    today = date.today()
    batch = 2000
    for start in range(0, recommendations, batch):
        rows = [{"council_id": council.id, "group_id": group.id, "code": f"TRD-{n:06d}",
                 "title": {"en": f"Recommendation {n} on the electronic queue"}, "text": {},
                 "original_language": "en", "source": "council_session", "priority": "medium",
                 "is_public": n % 3 == 0, "status": "adopted",
                 "search_text": f"trd-{n:06d} recommendation {n} on the electronic queue"}
                for n in range(start, min(start + batch, recommendations))]
        ids = db.session.scalars(insert(Recommendation).returning(Recommendation.id), rows).all()
        commitments = []
        for offset, rid in enumerate(ids):
            n = start + offset
            for side, organisation in (("KZ", kz), ("TM", tm)):
                commitments.append({
                    "council_id": council.id, "code": f"TRD-{n:06d}-{side}1", "recommendation_id": rid,
                    "group_id": group.id, "organisation_id": organisation.id,
                    "owner_id": owners[n % 50].id, "description": {"en": "Launch the queue"},
                    "original_language": "en", "due_date": today + timedelta(days=(n % 200) - 60),
                    "progress": n % 101, "status": STATUSES[n % len(STATUSES)],
                    "search_text": f"trd-{n:06d}-{side.lower()}1 launch the queue"})
        db.session.execute(insert(Commitment), commitments)
    db.session.commit()


def measure(client: Any, url: str) -> tuple[float, int, int]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    with client.get(url) as response:
        size = len(response.data)
        assert response.status_code == 200, (url, response.status_code)  # noqa: S101  a benchmark's check of the page it timed
    elapsed = time.perf_counter() - started
    event.remove(db.engine, "before_cursor_execute", count)
    return elapsed, len(statements), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    for size in [int(value) for value in args.sizes.split(",")]:
        url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
        if url.startswith("postgresql") and not url.rsplit("/", 1)[-1].endswith("_bench"):
            raise SystemExit("A PostgreSQL bench database must be named …_bench (it is emptied).")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False, "TESTING": True,
                          "SECRET_KEY": BENCH_SECRET_KEY})
        with app.app_context():
            db.drop_all()
            db.create_all()
            fill(size)
            if url.startswith("postgresql"):
                with db.engine.begin() as connection:
                    connection.execute(text("ANALYZE"))
            client = app.test_client()
            sign_in(client, "secretary@bench.test", "bench-password")
            print(f"\n{size} recommendations, {2 * size} commitments ({url.split(':')[0]})")
            for page in URLS:
                measure(client, page)  # warm up
                seconds, queries, length = measure(client, page)
                print(f"  {page:<58} {seconds * 1000:8.0f} ms {queries:3d} queries {length / 1024:8.0f} KB")
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


if __name__ == "__main__":
    main()
