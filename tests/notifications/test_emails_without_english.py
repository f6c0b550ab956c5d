"""E-mails in Russian, Kazakh and Turkmen hold no English word of ours: reminders, the digest, the
invitation, the password reset and the second factor's reset, subject, text part and HTML part alike
(the same detector as the pages' test: names, codes, addresses and content aside)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from council.extensions import db
from council.notifications import digests
from council.notifications.models import EmailMode, NotificationPreference
from council.notifications.reminders import send_reminders
from council.timeutil import utcnow
from tests.factories import TOTP_SECRET
from tests.notifications.conftest import mail_to, subject
from tests.notifications.happenings import assign, move_due_date
from tests.notifications.test_commitments import MORNING, TODAY, commitment
from tests.test_pages_in_every_language import EnglishDetector, _demo_content, interface_of


@pytest.mark.parametrize("language", ["ru", "kk", "tk"])
def test_e_mails_have_no_english_left(language, client, auth, world, mail_sink):
    world.member.language = language
    db.session.commit()
    commitment(world, TODAY + timedelta(days=2), owner=world.member, code="TRD-2026-004-KZ1")
    commitment(world, TODAY - timedelta(days=21), owner=world.member, code="TRD-2026-004-KZ9")
    send_reminders(MORNING)
    db.session.merge(NotificationPreference(user_id=world.member.id, email_mode=EmailMode.DAILY))
    db.session.commit()
    with time_machine.travel(MORNING - timedelta(hours=10), tick=False):
        moved = assign(world, due_date=date(2027, 3, 1))
        move_due_date(moved, world.kz_chair, date(2027, 3, 8))
    digests.plan(MORNING)
    client.post("/password/forgot", data={"email": world.member.email}).close()  # sent after the answer
    auth.login(world.secretary)
    client.post("/people/invite", data={"email": "gulnar@example.org", "name": "Gulnar Utegenova",
                                        "organisation_id": "", "role": "member", "language": language})
    auth.logout()
    world.member.totp_secret, world.member.totp_enabled_at = TOTP_SECRET, utcnow()
    db.session.commit()
    auth.login(world.admin)
    client.post(f"/people/{world.member.id}/two-factor/reset")
    messages = [*mail_to(mail_sink, world.member.email), *mail_to(mail_sink, "gulnar@example.org")]
    # two reminders, the digest, the reset, the invitation, the second factor's reset
    assert len(messages) >= 6

    detector = EnglishDetector(language, _demo_content())
    problems = []
    for message in messages:
        html = interface_of(mail_sink.html_of(message))
        assert html.lang == language, subject(message)
        for text in [subject(message), mail_sink.text_of(message), *html.texts]:
            words = detector.leftovers(text)
            if words:
                problems.append(f"{subject(message)}: {words} in {' '.join(text.split())[:200]!r}")
    assert not problems, "\n".join(problems)
