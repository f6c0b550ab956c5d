"""Fill a database with a council of realistic volume for the benchmarks (never run by the tests).

    python -m bench.generate --database sqlite:///instance/bench-100k.sqlite3 --size 100k
    python -m bench.generate --database postgresql+psycopg://postgres@127.0.0.1:5432/council_bench_10k \
        --size 10k

The full size is the issue's: 2 countries, 200 organisations, 2,000 people, 8 working groups, 10,000
recommendations, 100,000 commitments, 500,000 progress updates, 2,000 meetings. `--size 10k` keeps the
directory (organisations, people, groups) and divides the rest by ten. Rows go in by bulk: COPY on
PostgreSQL, executemany of prepared INSERTs on SQLite, with ids chosen here so no row waits for another.
The schema is dropped and created afresh, then the planner's statistics refreshed (ANALYZE / VACUUM).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, text
from werkzeug.security import generate_password_hash

from council import create_app
from council.extensions import db
from council.sealing import seal

PASSWORD = "bench-password"  # noqa: S105  the benchmark accounts' shared password, on a throwaway database
# Secretaries sign in with a second factor (required for their role): the bench's own key.
# Every bench app runs with this key: the bench accounts' second factor is sealed under it.
BENCH_SECRET_KEY = "bench-secret"  # noqa: S105  a throwaway database's key
TOTP_SECRET = "BENCHBENCHBENCHBENCHBENCHBENCHBE"  # noqa: S105  the bench accounts' second-factor key, on a throwaway database


def sign_in(client: Any, email: str, password: str = PASSWORD) -> bool:
    """Sign a Flask test client in through the form, with the code when the account has a second factor."""
    import pyotp

    answer = client.post("/login", data={"email": email, "password": password})
    if answer.status_code == 302 and answer.headers["Location"].endswith("/login/code"):
        answer = client.post("/login/code", data={"code": pyotp.TOTP(TOTP_SECRET).now()})
    return bool(answer.status_code == 302)
COUNCIL_SLUG = "mangystau-balkan"
SIZES = {
    "10k": dict(recommendations=1_000, commitments=10_000, updates=50_000, meetings=200),
    "100k": dict(recommendations=10_000, commitments=100_000, updates=500_000, meetings=2_000),
}
ORGANISATIONS = 200
PEOPLE = 2_000
GROUPS = [("trade", "TRD", "Торговля", "Trade"), ("ecology", "ECO", "Экология", "Ecology"),
          ("migration", "MIG", "Миграция", "Migration"), ("digital", "DIG", "Цифровизация", "Digitalization"),
          ("transport", "TRN", "Транспорт и логистика", "Transport and logistics"),
          ("energy", "ENR", "Энергетика", "Energy"), ("humanitarian", "HUM", "Гуманитарное сотрудничество",
                                                      "Humanitarian cooperation"),
          ("security", "SEC", "Безопасность границы", "Border security")]
ORGANISATION_KINDS = {"KZ": ["akimat", "ministry", "border_service", "customs", "chamber_of_commerce",
                             "business", "university", "research_institute", "ngo"],
                      "TM": ["hyakimlik", "ministry", "border_service", "customs", "chamber_of_commerce",
                             "business", "university", "research_institute", "ngo"]}
# Commitment statuses in the proportions of a council a few years into its work.
STATUS_WEIGHTS = {"planned": 18, "in_progress": 35, "reported_done": 8, "verified": 30, "blocked": 4,
                  "cancelled": 5}
RECOMMENDATION_WEIGHTS = {"proposed": 8, "adopted": 75, "implemented": 10, "rejected": 3, "withdrawn": 2,
                          "superseded": 2}


@dataclass
class Volume:
    recommendations: int
    commitments: int
    updates: int
    meetings: int


class Loader:
    """Bulk inserts: COPY on PostgreSQL, executemany on SQLite (values converted as the ORM would)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    def _value(self, value: Any) -> Any:
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        if self.postgres:
            return value
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
        return value

    def insert(self, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        count = 0
        if self.postgres:
            raw = self.connection.connection.driver_connection
            names = ", ".join(f'"{name}"' for name in columns)
            with raw.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
                    f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([self._value(value) for value in row])
                    count += 1
            return count
        names = ", ".join(f'"{name}"' for name in columns)
        marks = ", ".join("?" for _ in columns)
        statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'  # noqa: S608  table and column names from our own metadata; values are bound
        batch: list[tuple[Any, ...]] = []
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for row in rows:
            batch.append(tuple(self._value(value) for value in row))
            if len(batch) == 20_000:
                cursor.executemany(statement, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(statement, batch)
            count += len(batch)
        return count


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate(url: str, size: str, seed: int = 2014, echo: bool = True) -> dict[str, int]:
    """Drop and create the schema at `url`, then fill it; returns the number of rows per table."""
    volume = Volume(**SIZES[size])
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "REDIS_URL": None,
                      "SECRET_KEY": BENCH_SECRET_KEY})
    rng = random.Random(seed)
    started = time.perf_counter()
    counts: dict[str, int] = {}
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.date()
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.create_all()
        tables = db.metadata.tables
        with db.engine.begin() as connection:
            load = Loader(connection)

            def put(name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
                counts[name] = counts.get(name, 0) + load.insert(tables[name], columns, rows)
                if echo:
                    print(f"  {name:<18} {counts[name]:>9,} rows  {time.perf_counter() - started:6.1f} s",
                          flush=True)

            put("council", ["id", "slug", "name", "description", "original_language", "created_at"],
                [(1, COUNCIL_SLUG, {"ru": "Совет трансграничного сотрудничества Мангистау – Балкан",
                                    "en": "Mangystau – Balkan cross-border cooperation council"},
                  {"en": "Benchmark data."}, "ru", now)])
            put("country", ["code", "name", "time_zone"],
                [("KZ", {"ru": "Казахстан", "en": "Kazakhstan"}, "Asia/Aqtau"),
                 ("TM", {"ru": "Туркменистан", "en": "Turkmenistan"}, "Asia/Ashgabat")])
            put("region", ["id", "country_code", "parent_id", "kind", "code", "name"],
                [(1, "KZ", None, "oblast", "mangystau", {"ru": "Мангистауская область"}),
                 (2, "TM", None, "velayat", "balkan", {"ru": "Балканский велаят"})])

            organisations = []  # (id, country)
            for number in range(1, ORGANISATIONS + 1):
                country = "KZ" if number % 2 else "TM"
                organisations.append((number, country))
            put("organisation", ["id", "council_id", "code", "kind", "country_code", "region_id", "name",
                                 "original_language", "search_text", "created_at"],
                [(number, 1, f"org-{number:03d}", rng.choice(ORGANISATION_KINDS[country]), country,
                  1 if country == "KZ" else 2,
                  {"ru": f"Организация {number}", "en": f"Organisation {number}"},
                  "ru", f"организация {number} organisation {number}", now)
                 for number, country in organisations])

            password_hash = generate_password_hash(PASSWORD, method="scrypt")
            sealed_totp = seal(TOTP_SECRET, secret_key=BENCH_SECRET_KEY)
            people = [(number, (number - 1) % ORGANISATIONS + 1) for number in range(1, PEOPLE + 1)]
            put("user", ["id", "email", "name", "council_id", "organisation_id", "language", "time_zone",
                         "role", "active", "password_hash", "search_text", "created_at", "totp_secret_sealed",
                         "totp_enabled_at"],
                [(number, f"person{number}@bench.example", f"Person {number}", 1, organisation,
                  rng.choice(["ru", "kk", "tk", "en"]), "Asia/Aqtau",
                  "secretary" if number <= 2 else ("observer" if number % 50 == 0 else "member"), True,
                  password_hash, f"person {number}", now, sealed_totp if number <= 2 else None,
                  now if number <= 2 else None)
                 for number, organisation in people])
            people_of = {organisation: [] for organisation, _ in organisations}
            for number, organisation in people:
                people_of[organisation].append(number)

            put("working_group", ["id", "council_id", "slug", "code", "name", "description",
                                  "original_language", "active", "created_at"],
                [(number, 1, slug, code, {"ru": ru, "en": en}, {}, "ru", True, now)
                 for number, (slug, code, ru, en) in enumerate(GROUPS, start=1)])
            memberships = []
            for group in range(1, len(GROUPS) + 1):
                # Co-chairs: person 3 + 2·group (an odd, Kazakh organisation) and the next (Turkmen).
                chairs = [2 + 2 * group - 1, 2 + 2 * group]
                members = rng.sample(range(20, PEOPLE + 1), 40)
                memberships += [(group, person, "co_chair") for person in chairs]
                memberships += [(group, person, "member") for person in members if person not in chairs]
            put("membership", ["id", "group_id", "user_id", "role", "created_at"],
                [(number, group, person, role, now)
                 for number, (group, person, role) in enumerate(memberships, start=1)])

            initiatives = 12
            put("initiative", ["id", "council_id", "group_id", "code", "name", "description",
                               "original_language", "search_text", "created_at"],
                [(number, 1, (number - 1) % len(GROUPS) + 1, f"INIT-{number:02d}",
                  {"ru": f"Инициатива {number}", "en": f"Initiative {number}"}, {}, "ru",
                  f"init-{number}", now) for number in range(1, initiatives + 1)])
            put("milestone", ["id", "initiative_id", "title", "original_language", "due_date", "completed_on",
                              "created_at"],
                [(initiative * 10 + step, initiative, {"en": f"Stage {step}"}, "en",
                  today + timedelta(days=120 * (step - 3)),
                  today + timedelta(days=120 * (step - 3) - 5) if step < 3 else None, now)
                 for initiative in range(1, initiatives + 1) for step in range(1, 6)])

            indicators = 16
            put("indicator", ["id", "council_id", "group_id", "initiative_id", "code", "name", "description",
                              "original_language", "unit", "baseline_value", "baseline_date", "target_value",
                              "target_date", "is_public", "search_text", "created_at"],
                [(number, 1, (number - 1) % len(GROUPS) + 1, None, f"IND-{number:02d}",
                  {"en": f"Indicator {number}"}, {}, "en", "USD million", 100 * number,
                  today - timedelta(days=730), 150 * number, today + timedelta(days=730), number % 2 == 0,
                  f"ind-{number}", now) for number in range(1, indicators + 1)])
            put("observation", ["id", "indicator_id", "observed_on", "value", "source", "created_at"],
                [(indicator * 100 + month, indicator, today - timedelta(days=30 * (24 - month)),
                  100 * indicator + month * indicator, "statistics committee", now)
                 for indicator in range(1, indicators + 1) for month in range(24)])

            group_codes = [code for _, code, _, _ in GROUPS]
            recommendations = []  # (id, group, status, public)
            for number in range(1, volume.recommendations + 1):
                recommendations.append((number, (number - 1) % len(GROUPS) + 1,
                                        _weighted(rng, RECOMMENDATION_WEIGHTS), rng.random() < 0.4))
            put("recommendation", ["id", "council_id", "group_id", "code", "title", "text",
                                   "original_language", "source", "priority", "is_public", "status",
                                   "search_text", "created_at", "updated_at"],
                [(number, 1, group, f"{group_codes[group - 1]}-{2020 + number % 7}-{number:05d}",
                  {"ru": f"Рекомендация {number}", "en": f"Recommendation {number}"}, {}, "ru",
                  "council_session", rng.choice(["high", "medium", "low"]), public, status,
                  f"рекомендация {number} recommendation {number}", now - timedelta(days=number % 1500), now)
                 for number, group, status, public in recommendations])

            holders: list[tuple[int, int, int | None]] = []  # (group, organisation, owner) per commitment

            def commitments() -> Iterable[Sequence[Any]]:
                per = volume.commitments // volume.recommendations
                number = 0
                for recommendation, group, _, _ in recommendations:
                    for side in range(per):
                        number += 1
                        organisation = rng.randrange(1 if side % 2 == 0 else 2, ORGANISATIONS + 1, 2)
                        status = _weighted(rng, STATUS_WEIGHTS)
                        due = today + timedelta(days=rng.randint(-730, 365))
                        progress = {"planned": 0, "in_progress": rng.randint(5, 95), "reported_done": 100,
                                    "verified": 100, "blocked": rng.randint(0, 60),
                                    "cancelled": rng.randint(0, 40)}[status]
                        verified_at = now - timedelta(days=rng.randint(0, 720), hours=rng.randint(0, 23)) \
                            if status == "verified" else None
                        owner = rng.choice(people_of[organisation]) if rng.random() < 0.9 else None
                        holders.append((group, organisation, owner))
                        yield (number, 1, f"C-{number:06d}", recommendation, group, organisation, owner,
                               rng.randint(1, initiatives) if rng.random() < 0.1 else None,
                               {"ru": f"Обязательство {number}"}, "ru", due - timedelta(days=180), due,
                               progress, status, verified_at, now - timedelta(days=rng.randint(0, 60)),
                               f"c-{number:06d} обязательство {number}", now, now)

            put("commitment", ["id", "council_id", "code", "recommendation_id", "group_id", "organisation_id",
                               "owner_id", "initiative_id", "description", "original_language", "start_date",
                               "due_date", "progress", "status", "verified_at", "last_reported_at",
                               "search_text", "created_at", "updated_at"], commitments())
            if "commitment_count" in tables:  # kept by the app as commitments are recorded; filled here
                put("commitment_count", ["council_id", "total"], [(1, volume.commitments)])

            def updates() -> Iterable[Sequence[Any]]:
                per = volume.updates // volume.commitments
                number = 0
                for commitment in range(1, volume.commitments + 1):
                    for step in range(per):
                        number += 1
                        yield (number, commitment, rng.randint(1, PEOPLE), 20 * (step + 1), 20 * step,
                               "in_progress", None, f"Report {step + 1}",
                               now - timedelta(days=rng.randint(0, 720)))

            put("progress_update", ["id", "commitment_id", "author_id", "progress", "previous_progress",
                                    "from_status", "to_status", "note", "created_at"], updates())

            if "notification_preference" in tables:
                _notifications(put, holders, rng, now)
            else:
                print("  notification       (no notifications tables on this branch: not generated)")
            if "meeting" in tables:
                _meetings(put, tables, volume, rng, now)
            else:
                print("  meeting            (no meetings table on this branch: not generated)")

            if load.postgres:
                for name, table in tables.items():
                    if "id" in table.c and table.c.id.autoincrement is not False and name in counts \
                            and table.c.id.type.python_type is int:
                        connection.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "  # noqa: S608  a table name from our own metadata
                            f"(SELECT max(id) FROM \"{name}\"))"))
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
            else:
                connection.execute(text("ANALYZE"))
                connection.commit()
        db.session.remove()
        db.engine.dispose()
    if echo:
        print(f"done in {time.perf_counter() - started:.1f} s")
    return counts


def _notifications(put: Any, holders: list[tuple[int, int, int | None]], rng: random.Random,
                   now: datetime) -> None:
    """A quarter of the people take a daily digest; over the last three days, one commitment in twenty
    had progress reported, and its owner was told in the app (what the digest's "changes" reads)."""
    put("notification_preference", ["user_id", "email_mode", "digest_weekday", "updated_at"],
        [(person, "daily", 0, now) for person in range(1, PEOPLE + 1) if person % 4 == 1 or person <= 2])
    events, notifications = [], []
    for commitment, (group, organisation, owner) in enumerate(holders, start=1):
        if commitment % 20 or owner is None:
            continue
        at = now - timedelta(minutes=rng.randint(1, 3 * 24 * 60))
        number = len(events) + 1
        events.append((number, "commitment.progress_reported", "commitment", commitment, 1, owner,
                       {"group_id": group, "organisation_id": organisation, "owner_id": owner,
                        "code": f"C-{commitment:06d}", "title": {"en": "Recommendation"}, "progress": 50,
                        "previous_progress": 30}, at))
        notifications.append((number, 1, owner, number, group, "commitment.progress_reported", "in_app",
                              "sent", {}, 0, at, at))
    put("event", ["id", "kind", "subject_type", "subject_id", "council_id", "actor_id", "payload",
                  "created_at"], events)
    put("notification", ["id", "council_id", "recipient_id", "event_id", "group_id", "kind", "channel",
                         "state", "payload", "attempts", "created_at", "sent_at"], notifications)


def _meetings(put: Any, tables: Any, volume: Volume, rng: random.Random, now: datetime) -> None:
    """Council sessions and group meetings over four years, with invitations (the secretaries, the group's
    co-chairs and some members), and minutes: approved for most past meetings, awaiting approval for the
    rest; a third of the approved ones are public."""
    meetings, invitations, chairs, minutes, revisions, approvals = [], [], [], [], [], []
    for number in range(1, volume.meetings + 1):
        starts = now + timedelta(days=rng.randint(-1400, 120), hours=rng.randint(0, 8))
        session = number % 10 == 0
        group = None if session else (number - 1) % len(GROUPS) + 1
        status = "agenda_published" if starts > now else rng.choice(["held", "minutes_approved",
                                                                     "minutes_approved"])
        meetings.append({
            "id": number, "council_id": 1, "kind": "council_session" if session else "group_meeting",
            "group_id": group, "reference": f"M-{number:05d}", "title": {"en": f"Meeting {number}"},
            "original_language": "en", "starts_at": starts, "ends_at": starts + timedelta(hours=3),
            "time_zone": "Asia/Aqtau", "status": status, "sequence": 0,
            "is_public": status == "minutes_approved" and number % 3 == 0, "created_at": now,
            "updated_at": now})
        # Co-chairs of group g are people 2g+1 (Kazakh side) and 2g+2 (Turkmen side); sessions are
        # chaired by the trade group's.
        chair_pair = [3, 4] if session else [2 * group + 1, 2 * group + 2]
        if session:
            chairs += [(number, person) for person in chair_pair]
        for person in {1, 2, *chair_pair, *rng.sample(range(20, PEOPLE + 1), 8)}:
            invitations.append((len(invitations) + 1, number, person, None, "pending", now))
        if status == "agenda_published":
            continue
        minutes.append((number, number, now))
        approved = status == "minutes_approved"
        revisions.append((number, number, 1, "approved" if approved else "published", "en",
                          {"general": {"en": f"Minutes of meeting {number}."}}, [], now,
                          starts + timedelta(days=7), starts + timedelta(days=14) if approved else None))
        if approved:
            approvals += [(2 * number - 1, number, chair_pair[0], "KZ", starts + timedelta(days=14)),
                          (2 * number, number, chair_pair[1], "TM", starts + timedelta(days=14))]
    columns = [column for column in meetings[0] if column in tables["meeting"].c]
    put("meeting", columns, [[row[column] for column in columns] for row in meetings])
    put("meeting_session_chair", ["meeting_id", "user_id"], chairs)
    put("invitation", ["id", "meeting_id", "user_id", "organisation_id", "response", "created_at"],
        invitations)
    put("minutes", ["id", "meeting_id", "created_at"], minutes)
    put("minutes_revision", ["id", "minutes_id", "number", "status", "original_language", "notes",
                             "decisions_snapshot", "created_at", "published_at", "approved_at"], revisions)
    put("minutes_approval", ["id", "revision_id", "user_id", "country_code", "approved_at"], approvals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of the database to fill")
    parser.add_argument("--size", choices=sorted(SIZES), default="100k")
    parser.add_argument("--seed", type=int, default=2014)
    arguments = parser.parse_args()
    print(f"Generating {arguments.size} into {arguments.database}")
    generate(arguments.database, arguments.size, arguments.seed)


if __name__ == "__main__":
    main()
