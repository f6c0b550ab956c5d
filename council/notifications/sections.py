"""The sections of digests: each domain registers its own with @digest_section (the tracker's
commitments, meetings), and digest_context renders a composed digest for its reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from council.directory.models import User, WorkingGroup
from council.events import Event
from council.extensions import db
from council.notifications.messages import Reader, describe, external_url, subject_details
from council.notifications.models import Channel, EmailMode, Notification

SECTION_LIMIT = 40


@dataclass(frozen=True)
class Window:
    """What one digest covers: changes after `since` up to `until`, for a daily or weekly reader."""

    since: datetime
    until: datetime
    mode: EmailMode


@dataclass(frozen=True)
class Line:
    text: str
    link: str
    when: str = ""


Items = list[dict[str, Any]]
Collect = Callable[[User, Window], tuple[Items, int]]
Render = Callable[[dict[str, Any], Reader], Line]


@dataclass(frozen=True)
class DigestSection:
    key: str
    title: Any  # a lazy string
    collect: Collect
    render: Render


SECTIONS: dict[str, DigestSection] = {}
# Kinds of notification that a section of their own lists, so "what changed" leaves them out.
SECTION_KINDS: set[str] = set()


def digest_section(key: str, title: Any, render: Render) -> Callable[[Collect], Collect]:
    """Register a section: `collect` returns JSON-ready items (at most SECTION_LIMIT) and their total."""

    def register(collect: Collect) -> Collect:
        SECTIONS[key] = DigestSection(key, title, collect, render)
        return collect

    return register


# Every digest opens with what changed; the domains' sections follow in the order they register.


def _render_change(item: dict[str, Any], reader: Reader) -> Line:
    message = describe(item["kind"], item["payload"], reader, actor=item.get("actor"),
                       group=item.get("group"))
    return Line(message.headline, external_url("notifications.open_notification", notification_id=item["id"]),
                reader.when(item["at"], "short"))


@digest_section("changes", _l("What changed in your working groups and commitments"), _render_change)
def collect_changes(person: User, window: Window) -> tuple[Items, int]:
    """The person's own notifications of the window (reminders have sections of their own)."""
    actor = aliased(User)
    conditions = (Notification.recipient_id == person.id, Notification.channel == Channel.IN_APP,
                  Notification.created_at > window.since, Notification.created_at <= window.until,
                  Notification.event_id.is_not(None), Notification.kind.not_in(sorted(SECTION_KINDS)))
    rows = db.session.execute(
        select(Notification.id, Notification.kind, Notification.created_at, Event.payload,
               Event.subject_type, Event.subject_id, actor.name, WorkingGroup.name)
        .join(Event, Notification.event_id == Event.id)
        .outerjoin(actor, Event.actor_id == actor.id)
        .outerjoin(WorkingGroup, Notification.group_id == WorkingGroup.id)
        .where(*conditions)
        .order_by(Notification.created_at, Notification.id).limit(SECTION_LIMIT)).all()
    details = subject_details((subject_type, subject_id) for *_, subject_type, subject_id, _a, _g in rows)
    items = [{"id": id_, "kind": kind, "at": at.isoformat(),
              "payload": {**payload, **details.get((subject_type, subject_id), {})},
              "actor": actor_name, "group": group_name}
             for id_, kind, at, payload, subject_type, subject_id, actor_name, group_name in rows]
    total = len(items)
    if total == SECTION_LIMIT:
        total = db.session.scalar(select(func.count()).select_from(Notification).where(*conditions)) or 0
    return items, total



def digest_context(content: dict[str, Any], reader: Reader) -> dict[str, Any]:
    """What the digest templates show, in the reader's words (call inside force_locale)."""
    until = datetime.fromisoformat(content["until"])
    if content["mode"] == EmailMode.WEEKLY:
        since = datetime.fromisoformat(content["since"])
        subject = _("Council: your weekly digest, %(start)s – %(end)s",
                    start=reader.date(since, "medium"), end=reader.date(until, "medium"))
    else:
        subject = _("Council: your digest for %(date)s", date=reader.date(until))
    sections = []
    count = 0
    for data in content["sections"]:
        section = SECTIONS.get(data["key"])
        if section is None:  # a section retired since the digest was composed
            continue
        lines = [section.render(item, reader) for item in data["items"]]
        more = max(data["total"] - len(lines), 0)
        count += data["total"]
        sections.append({"title": str(section.title), "lines": lines,
                         "more": ngettext("and %(num)d more in the app", "and %(num)d more in the app",
                                          more) if more else ""})
    summary = ngettext("%(num)d item for you", "%(num)d items for you", count)
    return {"subject": subject, "summary": summary, "sections": sections,
            "app_link": external_url("notifications.index")}
