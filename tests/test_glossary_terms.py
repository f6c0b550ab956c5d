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
    r"\btracker\b": {"ru": ("мониторинг",), "kk": ("мониторинг",), "tk": ("monitoring",)},
    r"\breported done\b": {"ru": ("заявлен", "о выполнении"), "kk": ("орындалды деп хабарла",),
                            "tk": ("ýerine ýetirildi diýlip habar ber",)},
    r"\brevoked?\b": {"ru": ("отозва|отзов",), "kk": ("кері қайтарып ал",), "tk": ("ýatyr",)},
    r"\bbaseline\b": {"ru": ("базов",), "kk": ("базалық",), "tk": ("başlangyç baha",)},
    # Publishing makes a text public; printing puts it on paper; minutes sent for approval go to the
    # co-chairs and are not made public (the English said "published for approval" once: not again).
    r"\bpublish(es|ed|ing)?\b": {"ru": ("опубликова|публику|публикац",), "kk": ("жариял",), "tk": ("yglan",)},
    r"\bfor approval\b": {"ru": ("на утверждение",), "kk": ("бекітуге",), "tk": ("tassyklamaga",)},
    r"\bprint\b(?! them)": {"ru": ("печат",), "kk": ("басып шығар",), "tk": ("çap et",)},
    r"\bunsubscribe\b": {"ru": ("отписа",), "kk": ("бас тарт",), "tk": ("ýazylmany ýatyr",)},
    r"\bprograms?\b": {"ru": ("программ",), "kk": ("бағдарлама",), "tk": ("programma",)},
    r"\bexport(s|ed)?\b": {"ru": ("выгру",), "kk": ("экспортта",), "tk": ("eksport",)},
    r"\bsides?\b": {"ru": ("сторон",), "kk": ("тарап",), "tk": ("tarap",)},
    # The council's session, not the browser's ("The CSRF session token") nor a sign-in's ("Sessions",
    # "every session ... ends", "your sessions have ended" on the security pages).
    r"(?<!CSRF )(?<!your )(?<!every )\b(?<!^)sessions?\b(?! have ended)":
        {"ru": ("заседани",), "kk": ("отырыс",), "tk": ("mejlis",)},
}
# A meeting's word follows its kind: a message with a kind's context, or about a working group's
# meeting, uses that kind's word; a message about meetings in general names both or neither.
MEETING_WORDS = {"ru": ("заседани", "совещани"), "kk": ("отырыс", "жиналыс"), "tk": ("mejlis", "ýygna")}
GROUP_MEETING = re.compile(r"working[- ]group meeting|meeting of 9|of this group .* meeting", re.IGNORECASE)
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
                missing = [s for s in stems[language] if not _has(translation, s)]
                if missing:
                    found.append(f"{english!r} → {translation!r}: needs {missing}")
        found.extend(_meeting_word(language, message.context, english, _texts(message.string)))
    return found


def _has(translation: str, stem: str) -> bool:
    """The stem, or one of its alternatives ("отозва|отзов"), is in the translation."""
    return any(option.casefold() in translation.casefold() for option in stem.split("|"))


def _meeting_word(language: str, context: str | None, english: str, translations: list[str]) -> list[str]:
    session_word, group_word = MEETING_WORDS[language]
    if context == "council session":
        wanted, unwanted = session_word, group_word
    elif context == "working group meeting" or GROUP_MEETING.search(english):
        wanted, unwanted = group_word, session_word
    elif re.search(r"\bmeetings?\b", english, re.IGNORECASE):
        return [f"{english!r} → {t!r}: a meeting in general is «{session_word}…» and «{group_word}…» alike"
                for t in translations if (session_word in t.casefold()) != (group_word in t.casefold())]
    else:
        return []
    return [f"{english!r} ({context}) → {t!r}: needs «{wanted}…», not «{unwanted}…»"
            for t in translations if wanted not in t.casefold() or unwanted in t.casefold()]


@pytest.mark.parametrize("language", LANGUAGES)
def test_glossary_terms_are_translated_one_way(language):
    problems = violations(language)
    assert not problems, f"{language}: {len(problems)} translations leave the glossary:\n" + "\n".join(
        problems)


def test_the_glossary_lists_these_words():
    """The stems come from GLOSSARY.md: each one is in the glossary's row of its language."""
    glossary = (TRANSLATIONS / "GLOSSARY.md").read_text(encoding="utf-8").casefold()
    for stems in [*TERMS.values(), {language: words for language, words in MEETING_WORDS.items()}]:
        for language_stems in stems.values():
            for stem in language_stems:
                for option in stem.split("|"):
                    assert option.casefold() in glossary, option
