"""The sections of digests, and digest_context that renders a composed digest for its reader.

A digest reads as a letter: what needs the reader first (home registers those sections), then one line
per record that changed, grouped by working group (changes), then the meetings ahead (meetings). Each
domain registers its own sections with @digest_section; ORDER puts them in the letter's order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from council.directory.models import User
from council.notifications.messages import Reader, external_url
from council.notifications.models import EmailMode

SECTION_LIMIT = 10  # a section shows this many lines, then "and N more" links to the site
# The letter's order: what needs the reader, what changed, the meetings ahead.
ORDER = ("approvals", "verification", "questions", "overdue", "due_soon", "conversations", "changes",
         "upcoming")


@dataclass(frozen=True)
class Window:
    """What one digest covers: changes after `since` up to `until`, for a daily or weekly reader."""

    since: datetime
    until: datetime
    mode: EmailMode


@dataclass(frozen=True)
class Line:
    """One line of a digest: a record (the link's text), then what is to know about it (its state and
    what changed, when it is due)."""

    text: str
    link: str
    detail: str = ""


Items = list[dict[str, Any]]
# A section collects for a whole batch of readers at once (set-based queries, a fixed number per batch):
# given (person, window) pairs, it returns each one's items and total, in the same order.
Readers = Sequence[tuple[User, Window]]
Collect = Callable[[Readers], list[tuple[Items, int]]]
Render = Callable[[dict[str, Any], Reader], Line]


@dataclass(frozen=True)
class DigestSection:
    key: str
    title: Any  # a lazy string
    collect: Collect
    render: Render
    more_endpoint: str  # the page that lists all of the section's items
    needs_reader: bool  # the section asks the reader to act


SECTIONS: dict[str, DigestSection] = {}


def digest_section(key: str, title: Any, render: Render, *, more: str,
                   needs_reader: bool = False) -> Callable[[Collect], Collect]:
    """Register a section: `collect` returns, for each (person, window) of a batch, JSON-ready items (at
    most SECTION_LIMIT) and their total; an item's "heading" (a working group's name) groups the lines
    under it."""

    def register(collect: Collect) -> Collect:
        SECTIONS[key] = DigestSection(key, title, collect, render, more, needs_reader)
        return collect

    return register


def in_order() -> list[DigestSection]:
    rank = {key: n for n, key in enumerate(ORDER)}
    return sorted(SECTIONS.values(), key=lambda section: rank.get(section.key, len(ORDER)))


def by_window(readers: Readers, key: Callable[[Window], Any]) -> dict[Any, list[int]]:
    """The positions of the readers, by what of their window a section's queries depend on (in a run
    everyone shares `until`, and nearly everyone `since`): one set of queries per distinct value."""
    positions: dict[Any, list[int]] = {}
    for position, (_person, window) in enumerate(readers):
        positions.setdefault(key(window), []).append(position)
    return positions


# Lines already written for a reader's language and time zone: (section, reader, item as JSON) -> Line.
Lines = dict[tuple[str, Reader, str], Line]


def _grouped(section: DigestSection, items: list[dict[str, Any]], reader: Reader,
             lines: Lines | None = None) -> list[dict[str, Any]]:
    """Lines under their headings, in the items' order (collect sorts them by heading). With `lines`,
    an item another reader of the same language and time zone was shown is written once."""
    groups: list[dict[str, Any]] = []
    for item in items:
        heading = reader.text(item["heading"]) if item.get("heading") else (
            _("The council") if "heading" in item else "")
        if not groups or groups[-1]["heading"] != heading:
            groups.append({"heading": heading, "lines": []})
        if lines is None:
            line = section.render(item, reader)
        else:
            key = (section.key, reader, json.dumps(item, sort_keys=True, default=str))
            line = lines.get(key) or lines.setdefault(key, section.render(item, reader))
        groups[-1]["lines"].append(line)
    return groups


def digest_context(content: dict[str, Any], reader: Reader, lines: Lines | None = None) -> dict[str, Any]:
    """What the digest templates show, in the reader's words (call inside force_locale); the text and
    the HTML part are both made from these lines, so they say the same. `lines` (an empty dict, kept
    for a batch of digests sent together) writes each item once per language and time zone."""
    since, until = datetime.fromisoformat(content["since"]), datetime.fromisoformat(content["until"])
    if content["mode"] == EmailMode.WEEKLY:
        subject = _("Council: your weekly digest, %(start)s – %(end)s",
                    start=reader.date(since, "medium"), end=reader.date(until, "medium"))
    elif content["mode"] == EmailMode.IMMEDIATE:  # the round-up of what was not e-mailed at once
        subject = _("Council: the rest of the news, %(date)s", date=reader.date(until))
    else:
        subject = _("Council: your digest for %(date)s", date=reader.date(until))
    sections = []
    needs_reader = 0
    for data in content["sections"]:
        section = SECTIONS.get(data["key"])
        if section is None:  # a section retired since the digest was composed
            continue
        more = max(data["total"] - len(data["items"]), 0)
        if section.needs_reader:
            needs_reader += data["total"]
        sections.append({"key": section.key, "title": str(section.title),
                         "groups": _grouped(section, data["items"], reader, lines),
                         "more": ngettext("and %(num)d more", "and %(num)d more", more) if more else "",
                         "more_link": external_url(section.more_endpoint)})
    since_text = reader.date(since)
    if content["mode"] == EmailMode.IMMEDIATE:
        opening = _("You were e-mailed at once about what concerns you. Here is the rest of what changed "
                    "in your working groups and commitments since %(date)s.", date=since_text)
        return {"subject": subject, "opening": opening, "sections": sections,
                "app_link": external_url("home.home")}
    opening = ngettext("%(num)d thing needs you. Below it: what changed since %(date)s, and the "
                       "meetings ahead.",
                       "%(num)d things need you. Below them: what changed since %(date)s, and the "
                       "meetings ahead.", needs_reader, date=since_text) if needs_reader \
        else _("Nothing waits for you. Here is what changed since %(date)s, and the meetings ahead.",
               date=since_text)
    return {"subject": subject, "opening": opening, "sections": sections,
            "app_link": external_url("home.home")}
