"""Digest composition at scale: time, queries and peak memory per run, for growing numbers of people.

    python -m bench.digests [--people 500 2000] [--database URL] [--redis URL]

Builds a council in a scratch database (a SQLite file by default), puts everyone on daily digests
with news, commitments due and overdue, then times the digest run (composed and recorded batch by
batch, as workers do) with the e-mails handed to a Redis queue of the bench's own (nothing is sent).
Peak memory should not grow with the number of people.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, func, select

from bench.generate import BENCH_SECRET_KEY
from council import create_app
from council.directory.models import GroupRole, Membership, User
from council.extensions import db
from council.notifications import digests
from council.notifications.models import DigestRun, EmailMode, Notification, NotificationPreference

MORNING = datetime(2026, 11, 25, 2, 5, tzinfo=UTC)


def populate(people: int) -> None:
    from tests.factories import (
        CommitmentFactory,
        CouncilFactory,
        OrganisationFactory,
        RecommendationFactory,
        WorkingGroupFactory,
    )

    council = CouncilFactory()
    organisation = OrganisationFactory(council=council)
    group = WorkingGroupFactory(council=council)
    recommendation = RecommendationFactory(group=group)
    users = [User(email=f"reader{n}@example.org", name=f"Reader {n}", council_id=council.id,
                  organisation_id=organisation.id, language=("ru", "kk", "tk", "en")[n % 4])
             for n in range(people)]
    db.session.add_all(users)
    db.session.flush()
    for user in users:
        db.session.add(Membership(group_id=group.id, user_id=user.id, role=GroupRole.MEMBER))
        db.session.add(NotificationPreference(user_id=user.id, email_mode=EmailMode.DAILY))
    db.session.commit()
    for offset in (-20, -3, 2, 6, 11):  # overdue and due soon, for the whole organisation
        CommitmentFactory(recommendation=recommendation, organisation=organisation,
                          due_date=date(2026, 11, 25) + timedelta(days=offset))
    from council import events

    class Meeting:  # an event about a meeting: the in-app rows of every member are the digest's news
        def __init__(self, id_: int) -> None:
            self.id, self.council_id = id_, council.id

    for number in range(3):
        events.record("meeting.agenda_published", Meeting(number + 1), None, meeting_id=number + 1,
                      group_id=group.id, title={"en": f"Meeting {number}"})
        db.session.commit()


def measure(people: int, database: str, redis_url: str) -> dict[str, Any]:
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "REDIS_URL": redis_url,
                      "CELERY_QUEUE": queue, "SERVER_NAME": "council.test", "TESTING": True,
                      "SECRET_KEY": BENCH_SECRET_KEY})
    with app.app_context():
        db.drop_all()
        db.create_all()
        import time_machine

        with time_machine.travel(MORNING - timedelta(hours=12), tick=False):
            populate(people)
        statements = [0]

        def count(*_args: Any) -> None:
            statements[0] += 1

        def run() -> float:
            started = time.perf_counter()
            for batch in digests.due_batches(MORNING):  # what workers do with the batches plan() hands out
                digests.send_due(batch, MORNING)
            return time.perf_counter() - started

        event.listen(db.engine, "before_cursor_execute", count)
        elapsed = run()
        event.remove(db.engine, "before_cursor_execute", count)
        sent = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "digest"))
        runs = db.session.scalar(select(func.count()).select_from(DigestRun))
        # Again, from scratch, under tracemalloc (which slows it down) for the peak of Python memory.
        db.session.execute(delete(DigestRun))
        db.session.execute(delete(Notification).where(Notification.kind == "digest"))
        db.session.commit()
        tracemalloc.start()
        run()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{queue}*"):
        client.delete(key)
    return {"people": people, "digests": sent, "runs": runs, "seconds": round(elapsed, 2),
            "ms_per_person": round(elapsed / people * 1000, 2),
            "queries_per_person": round(statements[0] / people, 1), "peak_mib": round(peak / 2**20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--database", help="a scratch database URL (its tables are dropped)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/1")
    arguments = parser.parse_args()
    for people in arguments.people:
        database = arguments.database or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
        print(measure(people, database, arguments.redis))


if __name__ == "__main__":
    main()
