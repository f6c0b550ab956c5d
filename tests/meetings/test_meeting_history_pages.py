"""A meeting page's history shows its latest 20 entries, newest first, with a link to the earlier ones
(it used to stop at the latest 50); a later page opens the history where the link points."""

from __future__ import annotations

import re

from council.events import Event
from council.extensions import db
from tests.conftest import page_text
from tests.meetings.conftest import Meetings


def changes_shown(page: str) -> list[int]:
    start = page.index('id="history-heading"')
    return [int(number) for number in re.findall(r"Change (\d+)\.", page[start:])]


def test_a_meeting_s_history_is_in_pages_and_reaches_its_first_entry(client, auth, world):
    meeting = Meetings(world).published()
    for number in range(1, 61):  # more than the 50 the page used to stop at
        db.session.add(Event(kind="meeting.updated", subject_type="meeting", subject_id=meeting.id,
                             council_id=meeting.council_id, actor_id=world.secretary.id,
                             payload={"reason": f"Change {number}."}))
    db.session.commit()
    auth.login(world.member)
    address = f"/meetings/{meeting.id}"
    first = page_text(client.get(address))
    assert changes_shown(first) == list(range(60, 40, -1))
    assert f'href="{address}?history=2#history-heading" rel="next">Earlier entries</a>' in first
    assert '<details open>\n    <summary id="history-heading">' not in first  # folded, as before
    last = page_text(client.get(f"{address}?history=4"))
    assert changes_shown(last) == []  # the fourth page holds the meeting's own first events
    assert "Page 4 of 4" in last
    assert '<details open>\n    <summary id="history-heading">' in last
    third = page_text(client.get(f"{address}?history=3"))
    assert changes_shown(third) == list(range(20, 0, -1))
