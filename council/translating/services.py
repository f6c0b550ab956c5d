"""Adding a translation, and finding what is left to translate.

A translation never touches the original text: the original language is refused here, and an empty
field only takes that language's translation away. The record's search key follows, because the models
rebuild it whenever a text is assigned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import case, exists, func, or_, select

from council.auth.permissions import can, require
from council.directory.models import PlatformRole, User
from council.errors import Conflict, NotFound, ValidationFailed
from council.extensions import db
from council.i18n import LANGUAGE_NAMES, LANGUAGES, Translations
from council.translating import navigation
from council.translating.registry import (
    KINDS,
    Kind,
    kind_of,
    missing_condition,
    missing_in,
    partly_in,
)

# How many records of one kind the "to translate" list shows at once.
LIST_LIMIT = 50
# The minutes are checked in Python (their notes are nested); only this many recent ones.
MINUTES_LIMIT = 200


def get_kind(key: str) -> Kind:
    kind = KINDS.get(key)
    if kind is None:
        raise NotFound(_("There is nothing at this address."))
    return kind


def get_record(kind: Kind, record_id: int, reader: User) -> Any:
    """A record of the reader's council that they may edit, or NotFound / NotAllowed."""
    record = db.session.get(kind.model, record_id)
    meeting = kind.meeting_of(record) if record is not None else None
    council_id = meeting.council_id if meeting is not None else getattr(record, "council_id", None)
    if record is None or council_id != reader.council_id:
        raise NotFound(_("There is nothing at this address."))
    require(reader, kind.action, kind.permission_target(record))
    return record


def may_translate(user: Any, record: Any) -> bool:
    kind = kind_of(record)
    return kind is not None and can(user, kind.action, kind.permission_target(record))


@dataclass(frozen=True)
class LanguageStatus:
    """What a detail page says about a record's languages."""

    kind: str
    record_id: int
    original: str
    missing: list[str]
    editable: bool
    partly: list[str]  # missing languages that some of the record's texts have already


def language_status(user: Any, record: Any) -> LanguageStatus | None:
    kind = kind_of(record)
    if kind is None:
        return None
    return LanguageStatus(kind.key, record.id, kind.original(record), missing_in(kind, record),
                          may_translate(user, record), partly_in(kind, record))


def add_translation(actor: User, record: Any, language: str, texts: Mapping[str, str | None]) -> Any:
    """Set the record's texts in `language` (not its original one) from {part: text}; record an event.

    Parts left empty lose that language's translation; parts not named are left as they are.
    """
    kind = kind_of(record)
    if kind is None:
        raise NotFound(_("There is nothing at this address."))
    require(actor, kind.action, kind.permission_target(record))
    if language not in LANGUAGES:
        raise ValidationFailed(_("Choose one of the listed values."), field="language")
    original = kind.original(record)
    if language == original:
        raise Conflict(_("%(language)s is the original language of this text: change it on the record's "
                         "own edit page.", language=LANGUAGE_NAMES[original]), field="language")
    parts = {part.key: part for part in kind.parts(record)}
    unknown = sorted(set(texts) - set(parts))
    if unknown:
        # The field is "texts" (the API's body member): a name no text has is no form field either.
        name = (unknown[0] or '""')[:60]
        raise ValidationFailed(_("This text cannot be translated here: %(part)s.", part=name), field="texts")
    lock_texts(kind, record)
    frozen = kind.frozen(record)
    changed: list[str] = []
    for key, value in texts.items():
        part = parts[key]
        value = (value or "").strip()
        if len(value) > part.max_length:
            raise ValidationFailed(_("Use at most %(count)s characters.", count=part.max_length), field=key)
        current: Translations = kind.read(record, key)
        if current.get(language, "") == value:
            continue
        if frozen and current.get(language):
            raise Conflict(_("This text is approved or published and already has its %(language)s "
                             "version; only a missing language can be added.",
                             language=LANGUAGE_NAMES[language]), field=key)
        updated = {lang: text for lang, text in current.items() if lang != language}
        if value:
            updated[language] = value
        kind.write(record, key, updated)
        changed.append(key)
    if changed:
        kind.announce(record, actor, {"language": language, "fields": changed})
    return record


def lock_texts(kind: Kind, record: Any) -> None:
    """Lock the row that holds the texts until the commit, and read them afresh: two translators saving
    one record (for the minutes, any of their notes) at once must not overwrite each other's language."""
    holder = record.current if kind.key == "minutes" else record
    db.session.execute(select(type(holder).id).where(type(holder).id == holder.id).with_for_update())
    db.session.refresh(holder)


# The "to translate" list -----------------------------------------------------------------------------


@dataclass
class KindWork:
    """One kind's records the user may edit that miss a language: counts, and the first few."""

    kind: Kind
    counts: dict[str, int] = field(default_factory=dict)  # per language
    total: int = 0  # records missing the chosen language (or any language)
    rows: list[tuple[Any, list[str]]] = field(default_factory=list)


_any_missing_conditions: dict[tuple[str, tuple[str, ...]], Any] = {}


def _any_missing(kind: Kind, languages: list[str]) -> Any:
    """SQL: the kind's record misses one of `languages` (built once: the navigation asks every page)."""
    key = (kind.key, tuple(languages))
    if key not in _any_missing_conditions:
        _any_missing_conditions[key] = or_(*[missing_condition(kind, lang) for lang in languages])
    return _any_missing_conditions[key]


def _sql_work(kind: Kind, user: User, languages: list[str], limit: int) -> KindWork:
    editable = kind.editable(user)
    flags = [func.coalesce(func.sum(case((missing_condition(kind, lang), 1), else_=0)), 0)
             for lang in LANGUAGES]
    counts = db.session.execute(editable.with_only_columns(*flags, maintain_column_froms=True)).one()
    work = KindWork(kind, counts=dict(zip(LANGUAGES, (int(count) for count in counts), strict=True)))
    wanted = editable.where(_any_missing(kind, languages))
    work.total = db.session.scalar(wanted.with_only_columns(func.count(), maintain_column_froms=True)) or 0
    records = db.session.scalars(wanted.options(*kind.load).order_by(kind.model.id.desc()).limit(limit))
    work.rows = [(record, missing_in(kind, record)) for record in records]
    return work


def _python_work(kind: Kind, user: User, languages: list[str], limit: int) -> KindWork:
    records = db.session.scalars(kind.editable(user).options(*kind.load).order_by(kind.model.id.desc())
                                 .limit(MINUTES_LIMIT))
    work = KindWork(kind, counts=dict.fromkeys(LANGUAGES, 0))
    for record in records:
        missing = missing_in(kind, record)
        for lang in missing:
            work.counts[lang] += 1
        if set(missing) & set(languages):
            work.total += 1
            if len(work.rows) < limit:
                work.rows.append((record, missing))
    return work


def translation_work(user: User, *, language: str | None = None, kind_key: str | None = None,
                     limit: int = LIST_LIMIT) -> list[KindWork]:
    """Per kind, the records `user` may edit that miss `language` (or any language)."""
    languages = [language] if language in LANGUAGES else list(LANGUAGES)
    kinds = [KINDS[kind_key]] if kind_key in KINDS else list(KINDS.values())
    work = []
    for kind in kinds:
        found = _sql_work(kind, user, languages, limit) if kind.columns \
            else _python_work(kind, user, languages, limit)
        work.append(found)
    return work


def _has_translation_work(user: User) -> bool:
    # The minutes' nested notes are left out here (they would need Python on every page); a meeting
    # with minutes to translate almost always has its title or agenda to translate too.
    checks = [exists(kind.editable(user).where(_any_missing(kind, list(LANGUAGES))).with_only_columns(
        kind.model.id)) for kind in KINDS.values() if kind.columns]
    return bool(db.session.scalar(select(or_(*checks))))


def has_translation_work(user: Any) -> bool:
    """Whether the navigation shows the "to translate" link: once per request, from the cache while the
    council's texts are unchanged (council/translating/navigation.py)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role == PlatformRole.OBSERVER:
        return False
    cache_key = "_translation_work"
    if has_request_context() and cache_key in g:
        return bool(g.get(cache_key))
    found = navigation.remembered(user, lambda: _has_translation_work(user))
    if has_request_context():
        setattr(g, cache_key, found)
    return found
