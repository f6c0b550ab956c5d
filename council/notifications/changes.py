"""The "what changed" section of digests: one line per record the reader heard about since their last
digest, in its current state, with what changed meanwhile ("New record; Proposed → Adopted"), grouped
by working group.

A busy record (created, adopted and edited the same day) is one line however many events it had. For a
batch of readers sharing a window: one query for their records, one for the records' events, one per
type for their current state, whatever the number of readers or records.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from council.dbtypes import among
from council.directory.models import User, WorkingGroup
from council.events import Event
from council.extensions import db
from council.formatting import percent
from council.meetings.models import EVENT_LABELS, Meeting, MeetingStatus
from council.notifications.audiences import HEARERS
from council.notifications.messages import SUBJECT_PAGES, Reader, describe, external_url, page_link
from council.notifications.models import Channel, Notification
from council.notifications.sections import SECTION_LIMIT, Items, Line, Readers, by_window, digest_section
from council.tracker.models import Commitment, CommitmentStatus, Recommendation, RecommendationStatus

# Requests are the "needs you" sections' business; the rest of what people hear is news.
NEWS_KINDS = sorted(set(HEARERS) - {"minutes.approval_requested"})
CREATED = {"commitment.created", "recommendation.created"}
STATUSES: dict[str, Any] = {"commitment": CommitmentStatus, "recommendation": RecommendationStatus,
                            "meeting": MeetingStatus}
CHANGE_WORDS: dict[str, Any] = {
    "commitment.updated": _l("Text edited"),
    "recommendation.updated": _l("Text edited"),
    "commitment.progress_reported": _l("Progress reported"),
    "commitment.owner_changed": _l("New owner"),
    "commitment.due_changed": _l("Due date moved"),
    "commitment.sent_back": _l("Report sent back"),
    **{kind: label for kind, label in EVENT_LABELS.items() if kind.startswith(("meeting.", "minutes."))},
}
NEW_RECORD = _l("New record")


# The records' current state -------------------------------------------------------------------------


def _commitments(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    rows = db.session.execute(select(Commitment.id, Commitment.code, Commitment.description,
                                     Commitment.status, Commitment.progress, Commitment.due_date)
                              .where(Commitment.id.in_(sorted(ids))))
    return {id_: {"code": code, "title": description, "state": status.value, "progress": progress,
                  "due_date": due.isoformat()} for id_, code, description, status, progress, due in rows}


def _recommendations(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    rows = db.session.execute(select(Recommendation.id, Recommendation.code, Recommendation.title,
                                     Recommendation.status).where(Recommendation.id.in_(sorted(ids))))
    return {id_: {"code": code, "title": title, "state": status.value} for id_, code, title, status in rows}


def _meetings(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    rows = db.session.execute(select(Meeting.id, Meeting.reference, Meeting.title, Meeting.status,
                                     Meeting.starts_at, Meeting.time_zone).where(Meeting.id.in_(sorted(ids))))
    return {id_: {"code": reference, "title": title, "state": status.value, "starts_at": starts.isoformat(),
                  "time_zone": zone} for id_, reference, title, status, starts, zone in rows}


STATES = {"commitment": _commitments, "recommendation": _recommendations, "meeting": _meetings}


# Collecting ---------------------------------------------------------------------------------------


def _fold(events: list[tuple[str, dict[str, Any], str | None]]) -> dict[str, Any]:
    """What a record's events of the window amount to: new or not, its status then and now, the other
    kinds of change in the order they first happened, and the last event (for records without state)."""
    folded: dict[str, Any] = {"new": False, "from": None, "to": None, "changes": []}
    for kind, payload, _actor in events:
        if kind in CREATED:
            folded["new"] = True
            folded["from"] = payload.get("to")  # the status it was created in, if the event says
        elif "from" in payload and kind.endswith(("status_changed", "sent_back", "verified")):
            folded["from"] = folded["from"] or payload["from"]
            folded["to"] = payload["to"]
        if kind in CHANGE_WORDS and kind not in folded["changes"]:
            folded["changes"].append(kind)
    kind, payload, actor = events[-1]
    folded["last"] = {"kind": kind, "payload": payload, "actor": actor}
    return folded


@digest_section("changes", _l("What changed in your working groups and commitments"),
                lambda item, reader: render_change(item, reader), more="notifications.index")
def collect_changes(readers: Readers) -> list[tuple[Items, int]]:
    """The records of each reader's news of their window, the latest first, grouped by working group:
    for readers sharing a window, their records ranked per reader in one query, then the events and the
    current state of all those records at once."""
    results: list[tuple[Items, int]] = [([], 0) for _reader in readers]
    for (since, until), positions in by_window(readers, lambda window: (window.since, window.until)).items():
        people = {readers[position][0].id: position for position in positions}
        for position, collected in _collect(people, since, until).items():
            results[position] = collected
    return results


def _collect(people: dict[int, int], since: datetime, until: datetime) -> dict[int, tuple[Items, int]]:
    """For these readers (id -> position) with the same window: position -> (items, total)."""
    records = (select(Notification.recipient_id, Event.subject_type, Event.subject_id,
                      func.max(Notification.group_id).label("group_id"),
                      func.max(Notification.created_at).label("at"))
               .join(Event, Notification.event_id == Event.id)
               .where(among(Notification.recipient_id, sorted(people)),
                      Notification.channel == Channel.IN_APP,
                      Notification.created_at > since, Notification.created_at <= until,
                      Notification.kind.in_(NEWS_KINDS))
               .group_by(Notification.recipient_id, Event.subject_type, Event.subject_id).subquery())
    ranked = (select(records, WorkingGroup.id.label("heading_id"), WorkingGroup.name.label("group_name"),
                     func.row_number().over(partition_by=records.c.recipient_id,
                                            order_by=(records.c.at.desc(), records.c.subject_type,
                                                      records.c.subject_id)).label("rank"),
                     func.count().over(partition_by=records.c.recipient_id).label("total"))
              .outerjoin(WorkingGroup, records.c.group_id == WorkingGroup.id).subquery())
    rows = db.session.execute(select(ranked).where(ranked.c.rank <= SECTION_LIMIT)
                              .order_by(ranked.c.recipient_id, ranked.c.rank)).all()
    if not rows:
        return {}
    by_type: dict[str, set[int]] = {}
    for row in rows:
        by_type.setdefault(row.subject_type, set()).add(row.subject_id)
    actor = aliased(User)
    history: dict[tuple[str, int], list[tuple[str, dict[str, Any], str | None]]] = {}
    for subject_type, subject_id, kind, payload, actor_name in db.session.execute(
            select(Event.subject_type, Event.subject_id, Event.kind, Event.payload, actor.name)
            .outerjoin(actor, Event.actor_id == actor.id)
            .where(or_(*(and_(Event.subject_type == type_, Event.subject_id.in_(sorted(ids)))
                         for type_, ids in by_type.items())),
                   Event.kind.in_(NEWS_KINDS), Event.created_at > since, Event.created_at <= until)
            .order_by(Event.id)):
        history.setdefault((subject_type, subject_id), []).append((kind, payload, actor_name))
    states = {(type_, id_): state for type_, ids in by_type.items() if type_ in STATES
              for id_, state in STATES[type_](ids).items()}
    per_reader: dict[int, list[Any]] = {}
    for row in rows:
        per_reader.setdefault(row.recipient_id, []).append(row)
    return {people[recipient]: (_items(records_of, history, states), records_of[0].total)
            for recipient, records_of in per_reader.items()}


def _items(rows: list[Any], history: dict[tuple[str, int], list[tuple[str, dict[str, Any], str | None]]],
           states: dict[tuple[str, int], dict[str, Any]]) -> Items:
    items: Items = []
    groups: list[int | None] = []  # in the order of each group's latest news
    for row in rows:
        key = (row.subject_type, row.subject_id)
        if key not in history:  # its news is older than its last event
            continue
        if row.heading_id not in groups:
            groups.append(row.heading_id)
        # A record gone since (or of a kind without a page) is told by its last news, as it was.
        items.append({"type": row.subject_type, "id": row.subject_id, "at": row.at.isoformat(),
                      "group_id": row.heading_id, "heading": row.group_name, **states.get(key, {}),
                      **_fold(history[key])})
    items.sort(key=lambda item: groups.index(item.pop("group_id")))  # stable: latest first in a group
    return items


# Rendering ----------------------------------------------------------------------------------------


def _status(subject_type: str, value: str | None) -> str:
    statuses = STATUSES.get(subject_type)
    if statuses is None or value not in {status.value for status in statuses}:
        return str(value or "")
    return str(statuses(value).label)


def _state(item: dict[str, Any], reader: Reader) -> str:
    """The record as it is now: its status, and a commitment's progress and due date."""
    state = _status(item["type"], item["state"])
    if item["type"] == "commitment":
        return ", ".join((state, percent(item["progress"]),
                          _("due %(date)s", date=reader.date(date.fromisoformat(item["due_date"])))))
    if item["type"] == "meeting":
        return f"{state}, {reader.meeting_time(item['starts_at'], item['time_zone'])}"
    return state


def render_change(item: dict[str, Any], reader: Reader) -> Line:
    if "state" not in item:  # a record with no page of its own to read the state of (a group)
        # A digest composed before this section grouped by record carries one notification per item.
        last = item.get("last") or {"kind": item["kind"], "payload": item["payload"],
                                    "actor": item.get("actor")}
        message = describe(last["kind"], last["payload"], reader, actor=last["actor"],
                           group=item.get("heading") or item.get("group"))
        link = page_link(item["type"], item["id"]) if item.get("type") in SUBJECT_PAGES \
            else external_url("notifications.index")
        return Line(message.headline, link)
    title = reader.text(item["title"])
    if item["type"] == "commitment":  # named by what will be done; the code is secondary
        what = f"{title} ({item['code']})"
    elif item["type"] == "recommendation":
        what = f"{item['code']} {title}"
    else:
        what = title or item["code"] or ""
    changed = [str(NEW_RECORD)] if item["new"] else []
    if item["from"] and item["from"] != item["state"]:
        changed.append(f"{_status(item['type'], item['from'])} → {_status(item['type'], item['state'])}")
    changed += [str(CHANGE_WORDS[kind]) for kind in item["changes"]]
    detail = _state(item, reader)
    return Line(what, page_link(item["type"], item["id"]),
                detail=" · ".join((detail, "; ".join(changed))) if changed else detail)
