"""A digest as its reader receives it: subject, text and HTML.

Readers of one organisation and working group mostly get the same digest (the same commitments due, the
same news). A chunk of digests sent together writes each distinct digest once per language and time
zone, with stand-ins for what is the reader's own (a mail merge), then fills in each reader's name and
unsubscribe link; the words of a digest written alone are the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale

from council.addresses import external_url
from council.directory.models import User
from council.emails import Merged, render_merged
from council.notifications.messages import Reader
from council.notifications.sections import Lines, digest_context

# What differs from one reader of the same digest to the next.
PERSONAL = ("name", "unsubscribe_link")


@dataclass
class Written:
    """What a chunk of digests sent together has written so far: each line per item, language and time
    zone, and each distinct digest per language and time zone."""

    lines: Lines = field(default_factory=dict)
    digests: dict[tuple[Reader, str], Merged] = field(default_factory=dict)


def digest_letter(content: dict[str, Any], person: User, unsubscribe_link: str,
                  written: Written | None = None) -> tuple[str, str, str]:
    """The subject, text and HTML of a composed digest for `person`, written once per `written`
    (a chunk) for all who get the same digest in the same language and time zone."""
    reader = Reader.of(person)
    written = written if written is not None else Written()
    key = (reader, json.dumps(content, sort_keys=True, default=str))
    merged = written.digests.get(key)
    if merged is None:
        with force_locale(reader.language):
            context = digest_context(content, reader, written.lines)
        merged = written.digests[key] = render_merged(
            "digest", reader.language, PERSONAL,
            preferences_link=external_url("notifications.preferences"), **context)
    return merged.filled(name=person.name, unsubscribe_link=unsubscribe_link)
