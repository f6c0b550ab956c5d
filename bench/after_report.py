"""The dashboards and "my work" just after another organisation's report, in-process: what a kind of report
costs the pages a reader asks for next.

    .venv/bin/python -m bench.after_report --kind initiative --backend postgresql --redis redis://127.0.0.1:6379/13
    .venv/bin/python -m bench.after_report --kind planned --backend postgresql --redis redis://127.0.0.1:6379/13

Each round a member of another organisation than the reader's reports progress on one of their
commitments, then the reader (bench.mix's, signed in through Flask's test client) asks for the council,
group and organisation dashboards and "my work". --kind says which commitments are reported on:
`initiative`, open ones of an initiative (a tenth of the generated data's); `planned`, planned ones
outside any initiative, a different one each round (its first report puts it in progress), by as many
members as that takes. Figures are the median CPU time (`time.process_time()`, this process only) of each
page over the rounds, after three to warm up, on a copy of bench/run.py's database as bench.mix does.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from typing import Any

from sqlalchemy import create_engine, text

from bench.generate import PASSWORD, generate, sign_in
from bench.mix import WARM_UP, _members, copy_of, mix_app
from bench.run import database_url, ensure_database, has_volume


def reports(url: str, kind: str, organisation_id: int, rounds: int) -> list[tuple[str, int]]:
    """(reporter's e-mail, commitment) for each round: members of other organisations than the reader's."""
    engine = create_engine(url)
    chosen: list[tuple[str, int]] = []
    with engine.connect() as connection:
        people = connection.execute(text(
            'SELECT id, email FROM "user" WHERE role = \'member\' AND active '
            "AND organisation_id != :organisation ORDER BY id"), {"organisation": organisation_id}).all()
        for user_id, email in people:
            if kind == "initiative":
                ids = list(connection.scalars(text(
                    "SELECT id FROM commitment WHERE owner_id = :user AND initiative_id IS NOT NULL "
                    "AND status IN ('planned', 'in_progress', 'blocked') ORDER BY id"), {"user": user_id}))
                if ids:
                    rng = random.Random(2)
                    chosen = [(email, rng.choice(ids)) for _ in range(rounds)]
                    break
            else:
                chosen += [(email, commitment) for commitment in connection.scalars(text(
                    "SELECT id FROM commitment WHERE owner_id = :user AND initiative_id IS NULL "
                    "AND status = 'planned' ORDER BY id"), {"user": user_id})]
                if len(chosen) >= rounds:
                    break
    engine.dispose()
    if len(chosen) < rounds:
        raise SystemExit(f"only {len(chosen)} commitments to report on; ask for fewer rounds")
    return chosen[:rounds]


def measure(url: str, kind: str, rounds: int, redis_url: str | None) -> dict[str, float]:
    (_, email, organisation_id, _, group), _ = _members(url)
    plan = reports(url, kind, organisation_id, WARM_UP + rounds)
    app = mix_app(url, redis_url)
    reader = app.test_client()
    reporters: dict[str, Any] = {}
    for reporter in dict.fromkeys(address for address, _ in plan):
        reporters[reporter] = app.test_client()
        if not sign_in(reporters[reporter], reporter, PASSWORD):
            raise SystemExit(f"could not sign {reporter} in")
    if not sign_in(reader, email, PASSWORD):
        raise SystemExit("could not sign the reader in")
    pages = {"council dashboard": "/dashboard", "group dashboard": f"/dashboard/groups/{group}",
             "organisation dashboard": f"/dashboard/organisations/{organisation_id}", "my work": "/my-work"}
    times: dict[str, list[float]] = {page: [] for page in pages}
    rng = random.Random(3)
    for number, (reporter, commitment) in enumerate(plan):
        answer = reporters[reporter].post(f"/tracker/commitments/{commitment}/progress", data={
            "progress": str(rng.randint(1, 95)), "status": "", "note": "bench.after_report", "links": ""})
        if answer.status_code not in (302, 303):
            raise SystemExit(f"a progress report was answered {answer.status_code}")
        for page, path in pages.items():
            started = time.process_time()
            if reader.get(path).status_code != 200:
                raise SystemExit(f"{page}: not 200")
            if number >= WARM_UP:
                times[page].append(time.process_time() - started)
    return {page: statistics.median(values) * 1000 for page, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=("initiative", "planned"), default="initiative")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--size", default="10k", help="bench/generate.py size (bench/run.py's databases)")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--redis", help="the app's cache on this Redis URL (its database is flushed)")
    options = parser.parse_args()
    url = database_url(options.backend, options.size)
    ensure_database(url)
    if not has_volume(url, options.size):
        print(f"[{options.backend} {options.size}] generating", file=sys.stderr, flush=True)
        generate(url, options.size, echo=False)
    with copy_of(url) as copy:
        figures = measure(copy, options.kind, options.rounds, options.redis)
    print(f"after a report on a commitment ({options.kind}), {options.backend} {options.size}, "
          f"{options.rounds} rounds: " + " | ".join(f"{page} {ms:.2f} ms" for page, ms in figures.items()))


if __name__ == "__main__":
    main()
