"""The meeting's kind decides its word: «заседание» for a council session, «совещание» for a working
group's meeting (and «отырыс»/«жиналыс», «mejlis»/«ýygnak»), on pages, in errors and in e-mails."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from council.errors import Conflict
from council.extensions import db
from council.meetings import services
from council.meetings.models import MeetingKind
from council.meetings.wording import GROUP_MEETING, MESSAGES, SESSION
from council.notifications.messages import Reader, describe
from tests.conftest import page_text

ROOT = Path(__file__).resolve().parent.parent.parent
WORDS = {"ru": ("заседани", "совещани"), "kk": ("отырыс", "жиналыс"), "tk": ("mejlis", "ýygna")}
CALLED = ("about", "meeting_gettext")


def _used_messages() -> set[str]:
    """The English of every about()/meeting_gettext() call in the code and the templates."""
    used: set[str] = set()
    for path in (ROOT / "council").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALLED
                    and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)):
                used.add(node.args[1].value)
    call = re.compile(r"\babout\(\s*\w+,\s*(['\"])(.+?)\1")
    for path in (ROOT / "templates").rglob("*.*"):
        used.update(match.group(2) for match in call.finditer(path.read_text(encoding="utf-8")))
    return used


def test_every_sentence_about_a_meeting_is_in_the_catalogs_for_both_kinds():
    registered = {message._args[1] for message in MESSAGES}
    used = _used_messages()
    assert len(used) > 30
    assert used <= registered, f"add to council/meetings/wording.py: {sorted(used - registered)}"
    for language, (session_word, group_word) in WORDS.items():
        with (ROOT / "council" / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
            catalog = read_po(f, locale=language)
        for english in registered:
            session = catalog.get(english, context=SESSION)
            group = catalog.get(english, context=GROUP_MEETING)
            assert session is not None and group is not None, (language, english)
            of_session, of_group = session.string.casefold(), group.string.casefold()
            assert session_word in of_session and group_word not in of_session, (language, of_session)
            assert group_word in of_group and session_word not in of_group, (language, of_group)


@pytest.mark.parametrize(("kind", "expected"), [
    (MeetingKind.GROUP_MEETING, "Это совещание отменено: Перенос"),
    (MeetingKind.COUNCIL_SESSION, "Это заседание отменено: Перенос"),
])
def test_a_cancelled_meeting_page_names_its_kind(client, auth, world, meetings, kind, expected):
    meeting = meetings.schedule(kind=kind, group=world.group if kind == MeetingKind.GROUP_MEETING else None)
    services.cancel_meeting(world.secretary, meeting, "Перенос")
    world.secretary.language = "ru"
    db.session.commit()
    auth.login(world.secretary)
    text = page_text(client.get(f"/meetings/{meeting.id}"))
    assert expected in text


def test_an_error_about_a_meeting_names_its_kind(app, world, meetings):
    meeting = meetings.schedule()
    services.cancel_meeting(world.secretary, meeting, "Перенос")
    db.session.commit()
    with app.test_request_context(), force_locale("kk"), pytest.raises(Conflict) as refused:
        services.require_planning(meeting)
    assert refused.value.message == "Бұл жиналыс болдырылмады."


@pytest.mark.parametrize(("language", "group_id", "expected"), [
    ("ru", 7, "Совещание отменено: "), ("ru", None, "Заседание отменено: "),
    ("kk", 7, "Жиналыс болдырылмады: "), ("kk", None, "Отырыс болдырылмады: "),
    ("tk", 7, "Ýygnak ýatyryldy: "), ("tk", None, "Mejlis ýatyryldy: "),
])
def test_an_e_mail_subject_names_the_meetings_kind(app, language, group_id, expected):
    payload = {"title": {"ru": "Водные ресурсы"}, "group_id": group_id}
    with app.test_request_context(), force_locale(language):
        message = describe("meeting.cancelled", payload, Reader(language, "Asia/Aqtau"),
                           group={"ru": "Экология"} if group_id else None)
    assert message.headline.startswith(expected)
