"""Every interface string is translated into ru, kk and tk, and no catalog keeps strings the code dropped.

The template is extracted afresh with the very command of the Makefile's `translations` target, so a
string added to the code without `make translations` and its three translations fails here.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext

from tests.conftest import page_text

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "council" / "translations"
TRANSLATED_LANGUAGES = ("ru", "kk", "tk")


def _makefile_extract_command(output: Path) -> list[str]:
    """`pybabel extract …` as the Makefile's `translations` target runs it, writing to `output`."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if "pybabel extract" in line)
    command = ""
    for line in lines[start:]:
        command += line.strip().removesuffix("\\") + " "
        if not line.rstrip().endswith("\\"):
            break
    args = shlex.split(command)
    args[0] = str(Path(sys.executable).parent / "pybabel")
    out = args.index("-o")
    args[out + 1] = str(output)
    return [args[0], "-q", *args[1:]]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(_makefile_extract_command(pot), cwd=ROOT, check=True, capture_output=True)  # noqa: S603  the Makefile's own command, no shell
    with pot.open("rb") as f:
        return read_po(f)


def _catalog(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def _key(message: Message) -> tuple[str | tuple[str, ...], str | None]:
    """A message is its id and its context (pgettext): "Open" a meeting is not "Open" a status."""
    return (message.id if isinstance(message.id, str) else tuple(message.id)), message.context


def _translated(message: Message, num_plurals: int) -> bool:
    forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
    expected = num_plurals if message.pluralizable else 1
    return len(forms) == expected and all(form and form.strip() for form in forms)


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_string_of_the_code_is_translated(template, language):
    catalog = _catalog(language)
    problems = []
    for expected in template:
        if not expected.id:
            continue
        message = catalog.get(expected.id, context=expected.context)
        if message is None:
            problems.append(f"missing: {expected.id!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {expected.id!r}")
        elif not _translated(message, catalog.num_plurals):
            problems.append(f"untranslated (or a plural form empty): {expected.id!r}")
    assert not problems, f"{language}: run `make translations` and translate:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_no_stale_strings_in_the_catalog(template, language):
    expected = {_key(m) for m in template if m.id}
    stale = [m.id for m in _catalog(language) if m.id and _key(m) not in expected]
    assert not stale, f"{language}: not in the code any more (run `make translations`): {stale}"


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_translations_keep_the_placeholders(language):
    catalog = _catalog(language)
    errors = [f"{m.id!r}: {'; '.join(map(str, errs))}" for m, errs in catalog.check() if errs]
    assert not errors, f"{language}:\n" + "\n".join(errors)


def test_russian_plural_has_three_forms(app):
    with app.test_request_context(), force_locale("ru"):
        counts = [ngettext("%(count)s member", "%(count)s members", n, count=n) for n in (1, 3, 5, 21)]
    assert counts == ["1 член", "3 члена", "5 членов", "21 член"]


def test_validation_messages_come_in_turkmen(client):
    client.post("/language", data={"language": "tk", "next": "/login"})
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "Bu meýdany doldurmak hökmany." in page_text(response)
