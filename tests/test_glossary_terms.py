"""One word per idea: each glossary term is translated with the glossary's word in every catalog.

For every message whose English names a term of council/translations/GLOSSARY.md, the Russian,
Kazakh and Turkmen translations must contain the glossary word's stem (so inflection is allowed:
«рабочей группы», «жұмыс тобының», «iş toparynyň»). A message about something else that happens to
use the English word (the minutes of an hour) is excluded by the term's pattern.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "council" / "translations"

# English pattern: stems per language (every one must occur; case does not matter).
TERMS: dict[str, dict[str, tuple[str, ...]]] = {
    r"\brecommendations?\b": {"ru": ("рекомендац",), "kk": ("ұсыным",), "tk": ("maslahat",)},
    r"\bcommitments?\b": {"ru": ("обязательств",), "kk": ("міндеттеме",), "tk": ("borçnama",)},
    r"\bco-chairs?\b": {"ru": ("сопредседател",), "kk": ("тең төраға",), "tk": ("egindeş başly",)},
    r"\bworking groups?\b": {"ru": ("групп",), "kk": ("жұмыс то",), "tk": ("iş topar",)},
    r"(?<!-)\bakimats?\b": {"ru": ("акимат",), "kk": ("әкімді",), "tk": ("akimat",)},
    r"\bhyakimliks?\b": {"ru": ("хякимлик",), "kk": ("хәкімді",), "tk": ("häkimli",)},
    r"\bevidence\b": {"ru": ("подтверждающ",), "kk": ("растайтын",), "tk": ("tassyklaýjy",)},
    # The minutes of a meeting, not a duration ("%(num)d minutes", "in minutes").
    r"(?<!\d )(?<!in )\bminutes\b": {"ru": ("протокол",), "kk": ("хаттама",), "tk": ("teswirnama",)},
    r"\binitiatives?\b": {"ru": ("инициатив",), "kk": ("бастама",), "tk": ("başlangy",)},
    r"\bindicators?\b": {"ru": ("показател",), "kk": ("көрсеткіш",), "tk": ("görkeziji",)},
    r"\bagenda\b": {"ru": ("повестк",), "kk": ("күн тәртіб",), "tk": ("gün tertib",)},
    r"\binvitations?\b": {"ru": ("приглашени",), "kk": ("шақыру",), "tk": ("çakyly",)},
    r"\bsecretariat\b": {"ru": ("секретариат",), "kk": ("хатшылы",), "tk": ("sekretariat",)},
    r"\bsecretar(y|ies)\b": {"ru": ("секретар",), "kk": ("хатшы",), "tk": ("sekretar",)},
    r"\bobservers?\b": {"ru": ("наблюдател",), "kk": ("бақылаушы",), "tk": ("synçy",)},
    r"\borganisations?\b": {"ru": ("организац",), "kk": ("ұйым",), "tk": ("gurama",)},
    r"\bpasswords?\b": {"ru": ("парол",), "kk": ("құпиясөз",), "tk": ("açar söz",)},
    r"\bdigests?\b": {"ru": ("сводк",), "kk": ("жиынтық шолу",), "tk": ("jemleýji syn",)},
}
LANGUAGES = ("ru", "kk", "tk")


def _catalog(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def _texts(value: object) -> list[str]:
    if isinstance(value, tuple | list):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


def violations(language: str) -> list[str]:
    found = []
    for message in _catalog(language):
        if not message.id or message.context == "unit":
            continue
        # A placeholder is not a word of the text; a number stands in its place.
        english = re.sub(r"%\(\w+\)\w", "9", " ".join(_texts(message.id)))
        for pattern, stems in TERMS.items():
            if not re.search(pattern, english, re.IGNORECASE):
                continue
            for translation in _texts(message.string):
                missing = [s for s in stems[language] if s.casefold() not in translation.casefold()]
                if missing:
                    found.append(f"{english!r} → {translation!r}: needs {missing}")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_glossary_terms_are_translated_one_way(language):
    problems = violations(language)
    assert not problems, f"{language}: {len(problems)} translations leave the glossary:\n" + "\n".join(
        problems)


def test_the_glossary_lists_these_words():
    """The stems come from GLOSSARY.md: each one is in the glossary's row of its language."""
    glossary = (TRANSLATIONS / "GLOSSARY.md").read_text(encoding="utf-8").casefold()
    for stems in TERMS.values():
        for language_stems in stems.values():
            for stem in language_stems:
                assert stem.casefold() in glossary, stem
