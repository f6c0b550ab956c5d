"""Meetings saved twice at the same moment: the second request is a 4xx with a message, not a 500."""

from __future__ import annotations

import html

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from council.extensions import db
from council.meetings.models import Invitation, Meeting, MeetingStatus, MinutesApproval
from tests.meetings.test_views import meeting_form
from tests.test_duplicates import saved_meanwhile


def test_an_approval_saved_meanwhile_is_a_409_in_the_readers_language(client, auth, world, meetings):
    meeting = meetings.published_minutes()
    world.kz_chair.language = "ru"
    db.session.commit()
    auth.login(world.kz_chair)
    with saved_meanwhile("minutes_approval"):
        response = client.post(f"/meetings/{meeting.id}/minutes/approve")
    assert response.status_code == 409
    with force_locale("ru"):
        expected = {_("You have already approved this revision."),
                    _("This revision already has an approval from this country.")}
    page = html.unescape(response.get_data(as_text=True))
    assert any(message in page for message in expected), page
    assert db.session.scalar(select(func.count()).select_from(MinutesApproval)) == 1
    db.session.expire_all()
    assert meeting.status != MeetingStatus.MINUTES_APPROVED


def test_a_meeting_reference_taken_meanwhile_asks_to_reload(client, auth, world):
    """The reference (TRD-2026-01) is counted from the last one; two meetings scheduled at once
    would share it: the second form comes back with a message, and nothing of it is kept."""
    world.secretary.language = "ru"
    db.session.commit()
    auth.login(world.secretary)
    with saved_meanwhile("meeting"):
        response = client.post("/meetings/new", data=meeting_form(world))
    assert response.status_code == 409
    with force_locale("ru"):
        expected = _("Someone has just saved the same record. Reload the page and check what is "
                     "there now.")
    assert expected in html.unescape(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
