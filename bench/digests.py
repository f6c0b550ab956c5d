"""Digest run against plain smtplib: throughput of everyone's digests, composed and delivered into an SMTP
sink, beside smtplib sending the same number of messages of the same size into the same sink.

    python -m bench.digests [--people 500 2000] [--database URL] [--memory] [--sink process|thread]

Builds a council in a scratch database (a SQLite file by default, its tables dropped), puts everyone on
daily digests with news, commitments due and overdue, then, in this process and in one run:
1. plain smtplib sends N messages into an aiosmtpd sink (the baseline): once over one connection, once
   with a connection per message (as the outbox does, a delivery being its own task);
2. the digest run for everyone due at once: `digests.due_batches` + `send_due`, batch by batch as workers
   do, the e-mails delivered by the outbox's own `deliver` (Celery eager, no broker) into the same sink;
3. the baseline again, with the very messages the digest run sent (so of the same size).
The digest run's throughput (messages a second) is stated as a share of each baseline's (the mean of
its two rounds). The sink runs in a process of its own by default, as a real SMTP server does: with
`--sink thread` it runs in a thread of this process (the earlier setup), where it competes for the GIL
with both the baseline's client and the digest run. Also: queries per person and per batch, and with
--memory the peak of Python memory of a second run (tracemalloc, which slows it down), which should not
grow with the number of people.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import smtplib
import statistics
import tempfile
import threading
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import delete, event, func, select

from bench.generate import BENCH_SECRET_KEY
from bench.stack import free_port
from council import create_app, heap
from council.directory.models import GroupRole, Membership, User
from council.extensions import db
from council.notifications import digests
from council.notifications.models import (
    DeliveryState,
    DigestRun,
    EmailMode,
    Notification,
    NotificationPreference,
)

MORNING = datetime(2026, 11, 25, 2, 5, tzinfo=UTC)
SENDER = "council@bench.example"


class Sink:
    """An aiosmtpd handler that keeps each message's bytes (the baseline resends them)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append((envelope.rcpt_tos[0], bytes(envelope.original_content or envelope.content)))
        return "250 OK"

    def take(self) -> list[tuple[str, bytes]]:
        with self.lock:
            taken, self.messages = self.messages, []
        return taken


class ThreadSink:
    """The sink in a thread of this process."""

    def __init__(self) -> None:
        self.sink = Sink()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.port = self.controller.port

    def take(self) -> list[tuple[str, bytes]]:
        return self.sink.take()

    def stop(self) -> None:
        self.controller.stop()


def _serve(port: int, commands: Connection) -> None:
    """The sink process: serve SMTP on `port`, hand over what it received when asked."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    commands.send("ready")
    while commands.recv() != "stop":  # "take"
        commands.send(sink.take())
    controller.stop()
    commands.send("stopped")


class ProcessSink:
    """The sink in a process of its own, as a real SMTP server is: it does not share this process's GIL."""

    def __init__(self) -> None:
        self.port = free_port()
        self.commands, theirs = multiprocessing.get_context("spawn").Pipe()
        self.process = multiprocessing.get_context("spawn").Process(target=_serve, args=(self.port, theirs),
                                                                    daemon=True)
        self.process.start()
        if self.commands.recv() != "ready":
            raise RuntimeError("the SMTP sink did not start")

    def take(self) -> list[tuple[str, bytes]]:
        self.commands.send("take")
        taken: list[tuple[str, bytes]] = self.commands.recv()
        return taken

    def stop(self) -> None:
        self.commands.send("stop")
        self.commands.recv()
        self.process.join(10)


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


def smtplib_baseline(port: int, messages: list[tuple[str, bytes]], *, reuse: bool) -> float:
    """Seconds for plain smtplib to send these messages: over one connection, or one per message."""
    started = time.perf_counter()
    if reuse:
        with smtplib.SMTP("127.0.0.1", port) as client:
            for recipient, content in messages:
                client.sendmail(SENDER, [recipient], content)
    else:
        for recipient, content in messages:
            with smtplib.SMTP("127.0.0.1", port) as client:
                client.sendmail(SENDER, [recipient], content)
    return time.perf_counter() - started


def filler(count: int, size: int) -> list[tuple[str, bytes]]:
    """Messages of `size` bytes for the first baseline round (before any digest exists)."""
    body = b"Subject: bench\r\nFrom: " + SENDER.encode() + b"\r\n\r\n"
    line = b"x" * 76 + b"\r\n"
    body += line * max((size - len(body)) // len(line), 0)
    return [(f"reader{n}@example.org", body) for n in range(count)]


def measure(people: int, database: str, memory: bool, expected_size: int, sink_kind: str = "process",
            settle: bool = True) -> dict[str, Any]:
    sink: ThreadSink | ProcessSink = ProcessSink() if sink_kind == "process" else ThreadSink()
    os.environ.pop("COUNCIL_REDIS_URL", None)  # Celery eager: deliveries run here, after each commit
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "REDIS_URL": None, "RATELIMIT_STORAGE_URI": "memory://",
                      "SERVER_NAME": "council.test", "BASE_URL": "https://council.test", "TESTING": True,
                      "SECRET_KEY": BENCH_SECRET_KEY, "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1",
                      "MAIL_PORT": sink.port, "MAIL_DEFAULT_SENDER": f"Council <{SENDER}>"})
    # The sink's and the tasks' INFO lines would cost both sides more than the work measured.
    for name in ("mail.log", "celery", "council"):
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            import time_machine

            with time_machine.travel(MORNING - timedelta(hours=12), tick=False):
                populate(people)
            if settle:  # as a worker process does once the app is built, before its first task
                heap.settle()
            statements = [0]

            def count(*_args: Any) -> None:
                statements[0] += 1

            batches = [0]

            def run() -> float:
                started = time.perf_counter()
                for batch in digests.due_batches(MORNING):  # as workers do with what plan() hands out
                    batches[0] += 1
                    digests.send_due(batch, MORNING)
                return time.perf_counter() - started

            before_reuse = smtplib_baseline(sink.port, filler(people, expected_size), reuse=True)
            before_each = smtplib_baseline(sink.port, filler(people, expected_size), reuse=False)
            sink.take()
            event.listen(db.engine, "before_cursor_execute", count)
            elapsed = run()
            event.remove(db.engine, "before_cursor_execute", count)
            delivered = sink.take()
            sent = db.session.scalar(select(func.count()).select_from(Notification).where(
                Notification.kind == "digest", Notification.state == DeliveryState.SENT))
            runs = db.session.scalar(select(func.count()).select_from(DigestRun))
            after_reuse = smtplib_baseline(sink.port, delivered, reuse=True)
            after_each = smtplib_baseline(sink.port, delivered, reuse=False)
            sink.take()
            peak = None
            if memory:  # again, from scratch, under tracemalloc
                db.session.execute(delete(DigestRun))
                db.session.execute(delete(Notification).where(Notification.kind == "digest"))
                db.session.commit()
                tracemalloc.start()
                run()
                _current, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                sink.take()
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    finally:
        sink.stop()
    count_sent = len(delivered)
    rate = count_sent / elapsed
    reuse = count_sent / statistics.mean((before_reuse, after_reuse))
    each = count_sent / statistics.mean((before_each, after_each))
    return {"people": people, "sink": sink_kind, "digests_sent": sent, "received_by_sink": count_sent,
            "runs": runs,
            "batches": batches[0], "mean_message_bytes": round(statistics.mean(len(m) for _, m in delivered))
            if delivered else 0,
            "digest_seconds": round(elapsed, 2), "digest_per_second": round(rate, 1),
            "ms_per_person": round(elapsed / people * 1000, 2),
            "queries_per_person": round(statements[0] / people, 1),
            "queries_per_batch": round(statements[0] / max(batches[0], 1), 1),
            "smtplib_one_connection_per_second": round(reuse, 1),
            "smtplib_connection_each_per_second": round(each, 1),
            "smtplib_rounds_seconds": [round(x, 2) for x in
                                       (before_reuse, after_reuse, before_each, after_each)],
            "ratio_to_one_connection": round(rate / reuse, 2),
            "ratio_to_connection_each": round(rate / each, 2),
            "peak_mib": round(peak / 2**20, 1) if peak is not None else None,
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--database", help="a scratch database URL (its tables are dropped)")
    parser.add_argument("--memory", action="store_true", help="a second run under tracemalloc")
    parser.add_argument("--message-bytes", type=int, default=9000,
                        help="size of the first baseline round's messages (the second uses the digests)")
    parser.add_argument("--sink", choices=("process", "thread"), default="process",
                        help="the SMTP sink in a process of its own (as a real server) or in a thread here")
    parser.add_argument("--no-settle", action="store_true",
                        help="leave the app's start-up objects to the garbage collector (council/heap.py), "
                             "as workers did before 2026-12-07")
    arguments = parser.parse_args()
    for people in arguments.people:
        database = arguments.database or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
        print(measure(people, database, arguments.memory, arguments.message_bytes, arguments.sink,
                      settle=not arguments.no_settle), flush=True)


if __name__ == "__main__":
    main()
