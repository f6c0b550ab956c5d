"""An agenda item's conversation on its meeting page: the latest comments under each item, a link to the
whole thread where one writes, its meeting's rules, and the same number of queries for 2 items or 20."""

from __future__ import annotations

from council.conversations import services
from council.conversations.models import Comment
from council.conversations.records import ref_of
from council.extensions import db
from council.meetings.models import MeetingStatus
from tests.conftest import page_text
from tests.dashboard.test_query_counts import counted
from tests.factories import AgendaItemFactory, MeetingFactory


def _meeting(world, items: int):
    meeting = MeetingFactory(group=world.group, status=MeetingStatus.AGENDA_PUBLISHED)
    agenda = [AgendaItemFactory(meeting=meeting) for _n in range(items)]
    db.session.commit()
    return meeting, agenda


def _comments(world, items, each: int) -> None:
    for item in items:
        for n in range(each):
            db.session.add(Comment(council_id=world.council.id, record_type="agenda_item", record_id=item.id,
                                   group_id=world.group.id, author_id=world.tm_member.id,
                                   original_language="tk", body={"tk": f"Bellik {item.id}-{n}"}))
    db.session.commit()


def test_comments_show_under_their_agenda_item(client, auth, world):
    meeting, (first, second) = _meeting(world, 2)
    services.add_comment(world.member, ref_of(first), text="Нужен отчёт таможни", language="ru")
    for n in range(4):
        services.add_comment(world.tm_member, ref_of(second), text=f"Bellik {n}", language="tk")
    db.session.commit()
    auth.login(world.member)
    page = page_text(client.get(f"/meetings/{meeting.id}"))
    block = page[page.index(f'id="thread-agenda_item-{first.id}"'):]
    assert "Нужен отчёт таможни" in block[:block.index('class="item-thread-links"')]
    second_block = page[page.index(f'id="thread-agenda_item-{second.id}"'):]
    second_block = second_block[:second_block.index('class="item-thread-links"') + 600]
    # The latest three of four, and the count that links to the whole thread.
    assert "Bellik 0" not in second_block and all(f"Bellik {n}" in second_block for n in (1, 2, 3))
    assert "4 comments on this item" in second_block
    assert f"/threads/agenda_item/{second.id}" in second_block and "Comment on this item" in second_block
    # The whole thread writes with the same rules, and comes back to the item on the meeting page.
    response = client.post(f"/threads/agenda_item/{first.id}/comments",
                           data={f"thread-agenda_item-{first.id}-text": "И график",
                                 f"thread-agenda_item-{first.id}-language": "ru"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}#comment-"
                                                  f"{db.session.scalar(db.select(db.func.max(Comment.id)))}")


def test_observers_read_agenda_item_threads_without_writing(client, auth, world):
    meeting, (item,) = _meeting(world, 1)
    services.add_comment(world.member, ref_of(item), text="Видно всем участникам", language="ru")
    db.session.commit()
    auth.login(world.observer)
    page = page_text(client.get(f"/meetings/{meeting.id}"))
    assert "Видно всем участникам" in page and "Comment on this item" not in page
    assert "1 comment on this item" in page


def test_agenda_item_threads_cost_the_same_queries_for_2_items_as_for_20(client, auth, world):
    auth.login(world.member)
    meeting, items = _meeting(world, 2)
    _comments(world, items, 2)
    with counted() as few:
        assert client.get(f"/meetings/{meeting.id}").status_code == 200
    more = [AgendaItemFactory(meeting=meeting) for _n in range(18)]
    db.session.commit()
    _comments(world, items + more, 6)
    with counted() as many:
        page = client.get(f"/meetings/{meeting.id}")
    assert page.status_code == 200
    assert page_text(page).count('class="item-thread"') == 20
    assert len(many) == len(few), (len(few), len(many))
