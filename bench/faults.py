"""Faults under load: Redis stopped, SMTP refusing, a worker killed, PostgreSQL stopped; then nothing
lost, and nothing sent twice except what the delivery contract allows (README, "E-mail delivery").

    .venv/bin/python -m bench.faults --clients 20 --think 2
    .venv/bin/python -m bench.faults --clients 20 --think 2 --hosts 2   # two web processes on two
        # ports (clients spread over both) and two Celery workers, one of them killed in step 3

The stack and clients of bench/load.py, on a PostgreSQL server of the run's own (initdb'd on a free
port; the machine's shared server is never stopped). While the clients browse and report progress:
1. after a warm-up, Redis is stopped for --outage seconds and started again, empty (no persistence:
   the queued deliveries and their retries are lost with it, and only the outbox can bring them back);
2. after a pause, the SMTP sink answers 451 to every message for --outage seconds;
3. after a pause, everyone but the co-chairs is switched to a daily digest and the digests due are
   handed to the worker (`flask council digests send`, with COUNCIL_DIGEST_HOUR=0 so that they are
   due whatever the hour); the Celery worker (with --hosts 2, the first of the two) is killed (SIGKILL,
   with its pool) while it holds e-mails, a chunk of digests if it gets there in time, and a new one
   started;
4. after a pause, PostgreSQL is stopped (fast shutdown: every connection cut) for --db-outage seconds
   and started again.
Halfway through each fault a new person signs in (the login form is rate limited in Redis). Every
other progress report of a client says "blocked" (the next one on it "in progress" again): that e-mails
the group's co-chairs at once, so that e-mails are being sent when each fault strikes (a report on one's
own commitment otherwise e-mails nobody; the rest read it in the day's round-up).
Then the clients stop and the script waits for the outbox to drain (the beat's sweep and the retries
with backoff), and checks:
- every progress report the clients were answered with a redirect (saved) is in the database, and no
  request was answered 500 (while PostgreSQL is down: 503), and every request after it is back succeeds;
- every e-mail row of the outbox is sent, and the SMTP sink received each one (its Message-ID,
  <notification-ID@host>, counted in the sink), to the row's recipient, exactly once, except rows in
  doubt: a row the killed worker held "sending" may have reached the server before the worker died, and
  a row being sent when PostgreSQL stopped may have been accepted while it could not be marked sent;
  either is sent again with the same Message-ID. Rows sent together (a digest chunk, over several SMTP
  sessions) are marked sent in one commit at the chunk's end, so every row of a group being sent is
  still "sending" when the fault strikes and is among those held: a second copy of each is allowed, no
  more.
  Those re-sends are counted apart (the row's in_doubt_sends); any other duplicate, or any loss, fails
  the run.
Prints the counts, and exits non-zero when a check fails. The run lasts --warmup + 2 × --outage +
--db-outage + 4 × --pause seconds (200 by default); load.py's --duration is not used here.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.generate import PASSWORD
from bench.load import Client, Person, Stats, arguments, csrf_token, people, run_clients, table
from bench.stack import BIN, Stack, stop_on_signals

MESSAGE_ID = re.compile(r"<notification-(\d+)@")


def phase_log(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} faults: {text}", file=sys.stderr, flush=True)


@dataclass
class Held:
    """E-mail rows that were "sending" when a fault struck: the killed worker's, and those being sent
    when PostgreSQL stopped (the server may accept one while its row cannot be marked sent)."""

    by_killed_worker: set[int] = field(default_factory=set)
    when_postgres_stopped: set[int] = field(default_factory=set)

    def all(self) -> set[int]:
        return self.by_killed_worker | self.when_postgres_stopped


def sending_rows(stack: Stack) -> set[int]:
    with stack.connect() as connection:
        return {row[0] for row in connection.execute(
            "SELECT id FROM notification WHERE channel = 'email' AND state = 'sending'")}


async def sign_in_now(stack: Stack, stats: Stats, kind: str, person: Person,
                      expect: tuple[int, ...] = (302,)) -> None:
    """One fresh sign-in through the form, recorded under `kind`."""
    client = Client(0, person, stack, stats, 0, random.Random(0))
    try:
        page = await client.request(kind + " form", "GET", "/login")
        if page is not None:
            await client.request(kind, "POST", "/login", expect=expect, data={
                "csrf_token": csrf_token(page.text), "email": person.email, "password": PASSWORD})
    finally:
        await client.close()


def digest_burst(stack: Stack) -> str:
    """Everyone but the co-chairs (whom the "blocked" reports e-mail at once) switched to a daily digest,
    and the digests due handed to the worker, as beat does: chunks of them go out together (several SMTP
    sessions, one commit for each chunk) while step 3 kills the worker."""
    with stack.connect() as connection:
        connection.execute(
            "UPDATE notification_preference SET email_mode = 'daily' WHERE user_id NOT IN "
            "(SELECT user_id FROM membership WHERE role = 'co_chair')")
    answer = subprocess.run([str(BIN / "flask"), "council", "digests", "send"],  # noqa: S603  fixed
                            env=stack.env(),
                            capture_output=True, text=True, check=True, timeout=300)
    return answer.stdout.strip()


def faults(stack: Stack, stats: Stats, options: Any, spare: Person, held: Held) -> Any:
    outage, pause = options.outage, options.pause

    async def during() -> None:
        await asyncio.sleep(options.warmup)
        phase_log(f"stopping Redis for {outage:g} s")
        stats.phase = "redis down"
        stack.stop_redis()
        await asyncio.sleep(outage / 2)
        await sign_in_now(stack, stats, "sign-in while Redis is down", spare)
        await asyncio.sleep(outage / 2)
        stack.start_redis()
        phase_log("Redis is back (empty)")
        stats.phase = "after redis"
        await asyncio.sleep(pause)

        phase_log(f"SMTP sink refuses (451) for {outage:g} s")
        stats.phase = "smtp refusing"
        stack.sink.refusing = True
        await asyncio.sleep(outage / 2)
        await sign_in_now(stack, stats, "sign-in while SMTP refuses", spare)
        await asyncio.sleep(outage / 2)
        stack.sink.refusing = False
        phase_log(f"SMTP sink accepts again ({stack.sink.refused} messages refused)")
        stats.phase = "after smtp"
        await asyncio.sleep(pause)

        phase_log("killing the Celery worker (SIGKILL, pool included), starting a new one")
        stats.phase = "worker killed"
        # Kill it while it holds e-mails (claimed, being sent): a chunk of digests, sent together over
        # several SMTP sessions and recorded in one commit, if it gets there within --pause (else any).
        phase_log(f"digests handed to the worker: {await asyncio.to_thread(digest_burst, stack)}")
        until = time.monotonic() + pause
        with stack.connect() as connection:
            while True:
                holding, waiting, chunk = connection.execute(
                    "SELECT count(*) FILTER (WHERE state = 'sending' AND claimed_until > now()), "
                    "count(*) FILTER (WHERE state = 'pending'), "
                    "count(*) FILTER (WHERE state = 'sending' AND kind = 'digest') FROM notification "
                    "WHERE channel = 'email'").fetchone()
                if chunk or (holding and time.monotonic() > until) or time.monotonic() > until + pause:
                    break
                await asyncio.sleep(0.005)
        stack.processes["worker"].signal_group(signal.SIGKILL)
        stack.processes["worker"].popen.wait(10)
        # With one worker, what is "sending" now is what the dead worker held. Asked twice, a second
        # apart: a claim's COMMIT already on its way to the server may land after the first look. With
        # --hosts 2 the other worker's rows are among them; it marks them sent, so they never go in
        # doubt, and the check allows a second copy only of a row counted in doubt (in_doubt_sends).
        held.by_killed_worker = sending_rows(stack)
        await asyncio.sleep(1.0)
        held.by_killed_worker |= sending_rows(stack)
        stack.start_worker("worker2")
        phase_log(f"worker killed holding {len(held.by_killed_worker)} e-mail(s) ('sending'); "
                  f"{waiting} pending in all")
        await sign_in_now(stack, stats, "sign-in after the worker was killed", spare)
        stats.phase = "after worker"
        await asyncio.sleep(pause)

        phase_log(f"stopping PostgreSQL for {options.db_outage:g} s")
        stats.phase = "postgres down"
        held.when_postgres_stopped = sending_rows(stack)
        stack.stop_postgres()
        await asyncio.sleep(options.db_outage / 2)
        await sign_in_now(stack, stats, "sign-in while PostgreSQL is down (503 expected)", spare,
                          expect=(503,))
        await asyncio.sleep(options.db_outage / 2)
        stack.start_postgres()
        phase_log("PostgreSQL is back")
        stats.phase = "after postgres"
        await sign_in_now(stack, stats, "sign-in after PostgreSQL is back", spare)
        await asyncio.sleep(pause)
        phase_log("faults done; the clients finish")

    return during


def drain(stack: Stack, timeout: float) -> dict[str, int]:
    """Wait until no e-mail row is pending or sending (or `timeout`); returns the rows by state."""
    deadline = time.monotonic() + timeout
    while True:
        with stack.connect() as connection:
            states = dict(connection.execute(
                "SELECT state, count(*) FROM notification WHERE channel = 'email' GROUP BY state").fetchall())
        if not (states.get("pending") or states.get("sending")) or time.monotonic() > deadline:
            return states
        time.sleep(2)


def check_answers(stats: Stats) -> bool:
    """No 500 at all; 503 while PostgreSQL was down; nothing but success once it was back."""
    statuses = stats.phase_statuses
    server_errors = {key: count for key, count in statuses.items() if key[1] >= 500 and key[1] != 503}
    unavailable = {phase: count for (phase, status), count in statuses.items() if status == 503}
    after = sum(count for (phase, kind), count in stats.phase_errors.items()
                if phase == "after postgres" and "503 expected" not in kind)
    print(f"HTTP 5xx other than 503: {sum(server_errors.values())} {server_errors or ''}; "
          f"503 by phase: {unavailable}; errors after PostgreSQL came back: {after}")
    return not server_errors and after == 0


def check(stack: Stack, stats: Stats, held: Held) -> bool:
    ok = True
    with stack.connect() as connection:
        notes = [note for _, note in stats.saved]
        stored = {row[0] for row in connection.execute(
            "SELECT note FROM progress_update WHERE note = ANY(%s)", (notes,))}
        failed_notes = [note for _, note in stats.failed_posts]
        failed_but_stored = connection.execute(
            "SELECT count(*) FROM progress_update WHERE note = ANY(%s)", (failed_notes,)).fetchone()[0]
        rows = connection.execute(
            "SELECT n.id, n.state, n.attempts, lower(u.email), n.in_doubt_sends FROM notification n "
            "JOIN \"user\" u ON u.id = n.recipient_id WHERE n.channel = 'email'").fetchall()
    missing_reports = len(notes) - len(stored)
    print(f"\nprogress reports answered as saved: {len(notes)}; in the database: {len(stored)}; "
          f"missing: {missing_reports}")
    print(f"progress reports answered with an error: {len(failed_notes)}; of them saved anyway: "
          f"{failed_but_stored}")
    ok &= missing_reports == 0

    by_state = Counter(state for _, state, _, _, _ in rows)
    sent = {id_: email for id_, state, _, email, _ in rows if state == "sent"}
    retried = sum(1 for _, _, attempts, _, _ in rows if attempts > 1)
    in_doubt = {id_: count for id_, _, _, _, count in rows if count}
    received: Counter[int] = Counter()
    recipients: dict[int, set[str]] = {}
    unknown = 0
    with stack.sink.lock:
        messages = list(stack.sink.received)
    for message in messages:
        match = MESSAGE_ID.search(message.message_id)
        if match is None:
            unknown += 1
            continue
        received[int(match.group(1))] += 1
        recipients.setdefault(int(match.group(1)), set()).update(message.recipients)
    duplicated = {id_: count for id_, count in received.items() if count > 1}
    # The contract's one exception: a row in doubt when a fault struck (the killed worker's, or one being
    # sent when PostgreSQL stopped), sent again with the same Message-ID.
    allowed = {id_ for id_, count in duplicated.items()
               if id_ in held.all() and count <= 1 + in_doubt.get(id_, 0)}
    other_duplicates = {id_: count for id_, count in duplicated.items() if id_ not in allowed}
    not_received = set(sent) - set(received)
    not_marked = set(received) - set(sent)
    wrong_recipient = [id_ for id_, email in sent.items() if id_ in recipients and recipients[id_] != {email}]
    print(f"e-mail rows in the outbox: {len(rows)} {dict(by_state)}; retried (attempts > 1): {retried}")
    print(f"SMTP sink: {len(messages)} messages received, {len(received)} distinct Message-IDs, "
          f"{stack.sink.refused} refused while refusing; without a notification Message-ID: {unknown}")
    outside = {id_: count for id_, count in in_doubt.items() if id_ not in held.all()}
    print(f"in-doubt re-sends: {sum(in_doubt.values())} of {len(in_doubt)} row(s); rows the killed worker "
          f"held: {len(held.by_killed_worker)}; rows sending when PostgreSQL stopped: "
          f"{len(held.when_postgres_stopped)}; of them received twice (allowed): {len(allowed)}; "
          f"in-doubt re-sends of other rows: {sum(outside.values())} {dict(list(outside.items())[:10])}")
    print(f"sent rows never received: {len(not_received)}; received more than once outside the "
          f"contract: {len(other_duplicates)} {dict(list(other_duplicates.items())[:10])}; received but "
          f"not marked sent: {len(not_marked)}; to the wrong recipient: {len(wrong_recipient)}")
    ok &= not by_state.get("pending") and not by_state.get("sending") and not by_state.get("failed") \
        and not not_received and not other_duplicates and not not_marked and not wrong_recipient \
        and not unknown
    return bool(ok)


def main() -> None:
    parser = arguments(__doc__)
    parser.set_defaults(clients=20, think=2.0)
    parser.add_argument("--warmup", type=float, default=20.0)
    parser.add_argument("--outage", type=float, default=30.0, help="seconds of each of the first two faults")
    parser.add_argument("--pause", type=float, default=20.0, help="seconds between the faults")
    parser.add_argument("--db-outage", type=float, default=20.0, help="seconds PostgreSQL is stopped")
    parser.add_argument("--drain-timeout", type=float, default=300.0)
    parser.add_argument("--hosts", type=int, default=1,
                        help="web processes (each on its own port, the clients spread over them) and "
                             "Celery workers, as on that many hosts sharing PostgreSQL and Redis")
    options = parser.parse_args()
    duration = options.warmup + 2 * options.outage + options.db_outage + 4 * options.pause
    stack = Stack(size=options.size, own_postgres=True, webs=options.hosts, workers=options.hosts,
                  digest_hour=0)  # digests due whatever the hour (step 3's burst)
    stop_on_signals(stack)
    ok = False
    try:
        stack.start()
        spare = people(stack, options.clients + 1, seed=77)[-1]
        phase_log(f"{options.clients} clients, think {options.think:g} s, {duration:.0f} s, "
                  f"{options.hosts} web process(es) and worker(s); load average {os.getloadavg()}")
        stats = Stats(faults=True)
        held = Held()

        async def scenario() -> tuple[Stats, float]:
            return await run_clients(stack, options.clients, duration, options.think,
                                     during=faults(stack, stats, options, spare, held), stats=stats)

        stats, elapsed = asyncio.run(scenario())
        print(table(stats, elapsed, f"{options.clients} clients, think {options.think:g} s, "
                                    f"{elapsed:.0f} s with faults, {options.hosts} web + "
                                    f"{options.hosts} worker process(es)"))
        print(f"load average at the end of the run: {os.getloadavg()}")
        print("\nerrors by phase: " + (", ".join(f"{phase} / {kind}: {count}" for (phase, kind), count
                                                 in sorted(stats.phase_errors.items())) or "none"))
        phase_log(f"waiting for the outbox to drain (at most {options.drain_timeout:.0f} s)")
        started = time.monotonic()
        states = drain(stack, options.drain_timeout)
        phase_log(f"outbox after {time.monotonic() - started:.0f} s: {states}")
        alive = {name: process.alive() for name, process in stack.processes.items()}
        print(f"processes alive at the end: {alive}")
        ok = check_answers(stats)
        ok &= check(stack, stats, held)
        for url in stack.base_urls:
            with httpx.Client(base_url=url) as http:
                print(f"{url}/healthz at the end: {http.get('/healthz').text.strip()}")
        print("\nRESULT: " + ("every saved change is stored, every e-mail delivered once (re-sends in "
                              "doubt counted above)" if ok else "CHECKS FAILED"))
    finally:
        stack.stop()
        if not options.keep_database:
            stack.drop_database()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
