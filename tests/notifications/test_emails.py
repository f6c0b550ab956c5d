"""Every e-mail in Russian, Kazakh, Turkmen and English: the reader's dates, the right plural forms,
a text and an HTML part, and an unsubscribe link that works."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from flask_babel import force_locale, gettext, ngettext

from council.extensions import db
from council.notifications import digests, services
from council.notifications.models import EmailMode, NotificationPreference
from council.notifications.reminders import send_reminders
from tests.conftest import page_text
from tests.notifications.conftest import mail_to, plain, subject
from tests.notifications.happenings import TITLE, assign, move_due_date
from tests.notifications.test_commitments import MORNING, TODAY, commitment

# What each language must show: the reminders' subjects (ru has three plural forms: 1, 2–4 and 5–20,
# then 21 is "one" again), the due date of 26 November 2026, and the digest's date and opening.
EXPECTED = {
    "ru": {"due": ["Срок через 1 день", "Срок через 2 дня", "Срок через 5 дней"],
           "overdue": "Просрочено на 21 день", "due_date": "Срок: 26 ноября 2026 г.",
           "digest": "Совет: ваша сводка за 25 ноября 2026 г.",
           "opening": "4 дела ждут ваших действий. Ниже — что изменилось с 24 ноября 2026 г.",
           "late": "срок 4 ноября 2026 г., просрочено на 21 день", "soon": "(через 2 дня)",
           "moved": "8 марта 2027 г.", "group": "Рабочая группа: Торговля"},
    "kk": {"due": ["Мерзіміне 1 күн қалды", "Мерзіміне 2 күн қалды", "Мерзіміне 5 күн қалды"],
           "overdue": "Мерзімі 21 күнге өткен", "due_date": "Мерзімі: 2026 ж. 26 қараша",
           "digest": "Кеңес: жиынтық шолуыңыз, 2026 ж. 25 қараша",
           "opening": "4 іс сізді күтіп тұр. Төменде: 2026 ж. 24 қараша бері не өзгерді",
           "late": "мерзімі 2026 ж. 4 қараша, 21 күн кешіккен", "soon": "(2 күннен кейін)",
           "moved": "2027 ж. 8 наурыз", "group": "Жұмыс тобы: Сауда"},
    "tk": {"due": ["Möhletine 1 gün galdy", "Möhletine 2 gün galdy", "Möhletine 5 gün galdy"],
           "overdue": "Möhleti 21 gün geçen", "due_date": "Möhleti: 26 noýabr 2026",
           "digest": "Geňeş: jemleýji synyňyz, 25 noýabr 2026",
           "opening": "4 iş size garaşýar. Aşakda: 24 noýabr 2026 bäri näme üýtgedi",
           "late": "möhleti 4 noýabr 2026, 21 gün gijä galan", "soon": "(2 günden soň)",
           "moved": "8 mart 2027", "group": "Iş topary: Торговля"},  # no Turkmen name: the original
    "en": {"due": ["Due in 1 day", "Due in 2 days", "Due in 5 days"],
           "overdue": "21 days overdue", "due_date": "Due date: November 26, 2026",
           "digest": "Council: your digest for November 25, 2026",
           "opening": "4 things need you. Below them: what changed since November 24, 2026",
           "late": "due November 4, 2026, 21 days overdue", "soon": "(in 2 days)",
           "moved": "March 8, 2027", "group": "Working group: Trade"},
}


@pytest.fixture(params=list(EXPECTED))
def language(request, world) -> str:
    world.member.language = request.param
    db.session.commit()
    return str(request.param)


def test_reminders_and_digests_speak_the_reader_s_language(language, world, mail_sink):
    expected = EXPECTED[language]
    title = TITLE[language]
    for number, days in enumerate((1, 2, 5), start=1):
        commitment(world, TODAY + timedelta(days=days), owner=world.member, code=f"TRD-2026-004-KZ{number}",
                   description=TITLE)
    commitment(world, TODAY - timedelta(days=21), owner=world.member, code="TRD-2026-004-KZ9",
               description=TITLE)
    send_reminders(MORNING)
    reminders = mail_to(mail_sink, "member@example.org")
    assert [subject(m) for m in reminders] == [
        # a commitment is named by what will be done, its code after
        *(f"{due}: {title} (TRD-2026-004-KZ{n})" for n, due in enumerate(expected["due"], start=1)),
        f"{expected['overdue']}: {title} (TRD-2026-004-KZ9)"]
    text, html = plain(mail_sink.text_of(reminders[0])), plain(mail_sink.html_of(reminders[0]))
    assert expected["due_date"] in text and expected["due_date"] in html
    assert expected["group"] in text
    assert f'<html lang="{language}">' in html

    mail_sink.messages.clear()
    db.session.merge(NotificationPreference(user_id=world.member.id, email_mode=EmailMode.DAILY))
    db.session.commit()
    with time_machine.travel(MORNING - timedelta(hours=10), tick=False):
        moved = assign(world, due_date=date(2027, 3, 1))
        move_due_date(moved, world.kz_chair, date(2027, 3, 8))
    digests.plan(MORNING)
    [digest] = mail_to(mail_sink, "member@example.org")
    assert plain(subject(digest)) == expected["digest"]
    text, html = plain(mail_sink.text_of(digest)), plain(mail_sink.html_of(digest))
    for key in ("opening", "late", "soon", "moved"):
        assert expected[key] in text, key
        assert expected[key] in html, key


def test_the_invitation_speaks_the_invited_person_s_language(language, client, auth, world, mail_sink):
    auth.login(world.secretary)
    response = client.post("/people/invite", data={
        "email": "gulnar@example.org", "name": "Gulnar Utegenova", "organisation_id": "",
        "role": "member", "language": language})
    assert response.status_code == 302
    [message] = mail_to(mail_sink, "gulnar@example.org")
    with force_locale(language):
        assert subject(message) == gettext("Invitation to the cross-border cooperation council platform")
        valid = ngettext("The link is valid for %(count)s day.", "The link is valid for %(count)s days.", 7,
                         count=7)
    text = mail_sink.text_of(message)
    assert valid in text and "7" in valid
    assert re.search(r"http://council\.test/invitation/\S+", text)
    assert "List-Unsubscribe" not in message  # an invitation is not a notification one could leave


def test_unsubscribe_works_in_every_language(language, client, world, mail_sink):
    commitment(world, TODAY + timedelta(days=3), owner=world.member)
    send_reminders(MORNING)
    [message] = mail_to(mail_sink, "member@example.org")
    link = message["List-Unsubscribe"].strip().strip("<>")
    assert link in mail_sink.text_of(message)
    path = link.removeprefix("http://council.test")
    with force_locale(language):
        question = gettext("Stop all notification e-mails and digests to %(email)s?",
                           email=world.member.email)
        done = gettext("Done: %(email)s will receive no more notification e-mails from Council.",
                       email=world.member.email)
    assert question in page_text(client.get(path))  # whatever the browser's language
    response = client.post(path)
    assert response.status_code == 200 and done in page_text(response)
    assert services.preference_of(world.member).email_mode == EmailMode.NONE
    commitment(world, TODAY + timedelta(days=1), owner=world.member, code="TRD-2026-004-KZ2")
    send_reminders(MORNING)
    assert len(mail_to(mail_sink, "member@example.org")) == 1  # nothing more by e-mail


def test_a_text_not_yet_in_the_reader_s_language_is_marked_as_on_pages(world, mail_sink):
    """The group has no Turkmen name: the e-mail shows the Russian one with the pages' marker."""
    world.member.language = "tk"
    db.session.commit()
    commitment(world, TODAY + timedelta(days=2), owner=world.member, code="TRD-2026-004-KZ1")
    send_reminders(MORNING)
    [reminder] = mail_to(mail_sink, "member@example.org")
    marked = "Iş topary: Торговля (dili: Русский; heniz terjime edilmedi)"
    assert marked in plain(mail_sink.text_of(reminder))
    assert marked in plain(mail_sink.html_of(reminder))
    world.member.language = "ru"
    db.session.commit()
    mail_sink.messages.clear()
    commitment(world, TODAY + timedelta(days=2), owner=world.member, code="TRD-2026-004-KZ2")
    send_reminders(MORNING)
    in_russian = mail_to(mail_sink, "member@example.org")
    assert in_russian and all("не переведено" not in plain(mail_sink.text_of(m)) for m in in_russian)
