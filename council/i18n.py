"""The reader's language and time zone, and multilingual content with a visible fallback.

Interface strings go through Flask-Babel. Content (a recommendation's title, a group's name) is stored
as a JSON object {language: text} with its original, authoritative language marked next to it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import flask_babel
from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

LANGUAGES: tuple[str, ...] = ("ru", "kk", "tk", "en")
# Each language named in itself: that is how a reader finds their own in the switcher.
LANGUAGE_NAMES = {"ru": "Русский", "kk": "Қазақша", "tk": "Türkmençe", "en": "English"}
DEFAULT_LANGUAGE = "ru"
PROFILE_LANGUAGE = "profile_language"  # the signed-in reader's language, kept in their session

Translations = dict[str, str]


def select_locale() -> str:
    """Profile first, then the switcher's choice for anonymous readers, then the language of the person
    a link was sent to (`speak_as`), then the language of whoever signed out last, then the browser,
    then ru."""
    if not has_request_context():  # a worker or the CLI: callers use force_locale()
        return DEFAULT_LANGUAGE
    if g.get("database_unavailable"):  # nobody can be looked up: the language the profile had
        remembered = session.get(PROFILE_LANGUAGE)
        if remembered in LANGUAGES:
            return str(remembered)
    elif current_user.is_authenticated and current_user.language in LANGUAGES:
        if session.get(PROFILE_LANGUAGE) != current_user.language:
            session[PROFILE_LANGUAGE] = current_user.language  # for the outage page (council.outages)
        return str(current_user.language)
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return str(chosen)
    # A page reached from a link sent to one person (an invitation, a password reset) speaks that
    # person's language: the e-mail did, and the browser may be a shared one.
    owner = g.get("link_owner_language")
    if owner in LANGUAGES:
        return str(owner)
    # Whoever just signed out on this browser keeps their language on the sign-in page.
    last = session.get("signed_out_language")
    if last in LANGUAGES:
        return str(last)
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def speak_as(language: str | None) -> None:
    """This request's page is for the person a link was sent to: speak their language unless the
    reader chose one with the switcher."""
    g.link_owner_language = language
    flask_babel.refresh()  # the locale may already have been looked up for this request


def select_timezone() -> str:
    if has_request_context() and current_user.is_authenticated and current_user.time_zone:
        return str(current_user.time_zone)
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class LocalizedText:
    text: str
    language: str
    is_fallback: bool


@dataclass(frozen=True)
class KeptName:
    """A group's or an organisation's name in its languages, as a plain copy the cache may keep (the
    templates read it as they read the record's own `name` and `original_language`)."""

    name: Translations
    original_language: str | None

    @classmethod
    def of(cls, record: Any) -> KeptName | None:
        return None if record is None else cls(dict(record.name or {}), record.original_language)


def localize(texts: Translations | None, original: str | None, language: str) -> LocalizedText:
    """The reader's language when present, else the original, else any language there is."""
    texts = texts or {}
    if texts.get(language):
        return LocalizedText(texts[language], language, False)
    for candidate in (original, *LANGUAGES):
        if candidate and texts.get(candidate):
            return LocalizedText(texts[candidate], candidate, True)
    return LocalizedText("", language, False)


def missing_languages(texts: Translations | None) -> list[str]:
    texts = texts or {}
    return [lang for lang in LANGUAGES if not texts.get(lang)]


def clean_translations(texts: Translations | None) -> Translations:
    """Drop empty values and surrounding space; keep only known languages."""
    return {lang: value.strip() for lang, value in (texts or {}).items()
            if lang in LANGUAGES and value and value.strip()}


def search_key(*values: Translations | str | None) -> str:
    """Case-folded text of every language, so one LIKE finds ә, қ, ş or ž whatever the case."""
    parts: list[str] = []
    for value in values:
        if isinstance(value, dict):
            parts.extend(value.values())
        elif value:
            parts.append(value)
    return " ".join(part.casefold() for part in parts if part)


def shortened(text: str, length: int | None) -> str:
    if length is None or len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def showing_original() -> bool:
    """The reader asked to see records in their original language (a detail page's notice links here)."""
    return has_request_context() and request.args.get("original") == "1"


def fallback_label(shown: str) -> str:
    """"Shown in Русский, the original. Not yet in Қазақша": the one sentence for a text shown in its
    original language because the reader's is missing (the record notice, a list marker's label)."""
    language = current_language()
    return str(_l("Shown in %(original)s, the original. Not yet in %(language)s",
                  original=LANGUAGE_NAMES.get(shown, shown), language=LANGUAGE_NAMES.get(language, language)))


def language_mark(shown: str) -> Markup:
    """A compact marker after a text in another language: its code to the eye, the sentence to a screen
    reader (and on hover)."""
    return _language_mark(shown, current_language())


@functools.lru_cache(maxsize=256)
def _language_mark(shown: str, reader: str) -> Markup:
    # Once per (language shown, reader's language) and process: a list marks dozens of texts per page.
    label = fallback_label(shown)
    return Markup('<small class="lang-mark" title="{label}"><span aria-hidden="true">{code}</span>'
                  '<span class="visually-hidden"> ({label})</span></small>').format(label=label,
                                                                                    code=shown.upper())


def render_localized(texts: Translations | None, original: str | None = None,
                     length: int | None = None, marked: bool = True) -> Markup:
    """Jinja filter: the text in the reader's language; a fallback carries a compact marker.

    `length` shortens the text (not the marker) for lists. `marked=False` on a record's own page, whose
    one notice (translating/_status.html) already says the record is shown in its original language.
    With ?original=1 a record's texts are shown in their original language, unmarked.
    """
    reader = current_language()
    language = original if original and showing_original() else reader
    shown = localize(texts, original, language)
    text = escape(shortened(shown.text, length))
    if not shown.is_fallback and language == reader:
        return text
    # Written with f-strings (every part escaped): Markup.format costs a page of fifty texts a millisecond.
    span = Markup(f'<span lang="{escape(shown.language)}">{text}</span>')  # noqa: S704
    if shown.is_fallback and marked:
        return span + Markup(" ") + _language_mark(shown.language, reader)
    return span


def short_fallback_label(shown: str) -> str:
    """"in Русский; not translated yet": the short form for lines that repeat it (notifications, exports,
    a select's options), naming the language shown, not one that is missing."""
    return str(_l("in %(language)s; not translated yet", language=LANGUAGE_NAMES.get(shown, shown)))


def fallback_note(language: str) -> str:
    """"(in Русский; not translated yet)": what notifications and e-mails write after such a text."""
    return f"({short_fallback_label(language)})"


def plain_localized(texts: Translations | None, original: str | None = None) -> str:
    """Jinja filter for plain-text places that carry no marker (a page's <title>, e-mail subjects)."""
    return localize(texts, original, current_language()).text


def marked_localized(texts: Translations | None, original: str | None = None,
                     language: str | None = None) -> str:
    """Plain text for exports (CSV, XLSX, ICS): a fallback ends with the sentence in brackets."""
    shown = localize(texts, original, language or current_language())
    if not shown.is_fallback:
        return shown.text
    return f"{shown.text} [{short_fallback_label(shown.language)}]"
