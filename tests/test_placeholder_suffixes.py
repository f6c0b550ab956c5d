"""No Kazakh or Turkmen case ending is written onto a placeholder.

A suffix follows the sound of the value it is glued to: «%(count)s-тан» reads «5000-нан» wrong, and
«%(row)s-nji» gives «10-njy» wrong, «15:15-de» wrong. A translation says the same thing without a suffix
on the value («№ %(row)s setirde», «ең көбі %(count)s»).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "council" / "translations"
# A placeholder (%(name)s, %(name)d, %s, {name}), an optional hyphen, then a letter.
GLUED = re.compile(r"(%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\})-?[^\W\d_]")


def glued_suffixes(language: str) -> list[str]:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    found = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for text in strings:
            if text and GLUED.search(text):
                found.append(f"{message.id!r} → {text!r}")
    return found


@pytest.mark.parametrize("language", ["kk", "tk"])
def test_no_suffix_is_glued_to_a_placeholder(language):
    found = glued_suffixes(language)
    assert not found, f"{language}: rephrase so that no ending depends on the value:\n" + "\n".join(found)


def test_the_check_sees_a_glued_suffix():
    assert GLUED.search("%(row)s-nji setirde")
    assert GLUED.search("%(count)s-тан көп")
    assert GLUED.search("{count}-тан")
    assert GLUED.search("%(end)sda")
    assert not GLUED.search("№ %(row)s setirde")
    assert not GLUED.search("%(size)s МБ-тан үлкен")
    assert not GLUED.search("%(progress)s%%")
