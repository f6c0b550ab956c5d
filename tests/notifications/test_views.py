"""The pages: the in-app list and its unread count, settings, unsubscribing, the admins' outbox."""

from __future__ import annotations

import re

from sqlalchemy import select

from council.extensions import db
from council.notifications import services, tokens
from council.notifications.models import (
    Channel,
    DeliveryState,
    EmailMode,
    GroupLevel,
    GroupNotificationSetting,
    Notification,
)
from tests.conftest import page_text, sign_in
from tests.notifications.conftest import mail_to
from tests.notifications.happenings import assign, meeting_event, send_back, verify


def unread_in_nav(html: str) -> int:
    match = re.search(r'<span class="badge unread" aria-hidden="true">(\d+)</span>', html)
    return int(match.group(1)) if match else 0


def test_the_nav_counts_unread_notifications_and_opening_one_reads_it(client, auth, world):
    commitment = assign(world)
    send_back(commitment, world.kz_chair, "Add the order")
    meeting_event("meeting.agenda_published", world, world.secretary, title={"en": "Trade group, Q4"})
    auth.login(world.member)
    page = page_text(client.get("/groups"))
    # The commitment was assigned and sent back the same day: one item, saying what happened last.
    assert unread_in_nav(page) == 2
    assert 'aria-label="Notifications: 2 unread"' in page

    listing = page_text(client.get("/notifications"))
    assert "Progress report sent back: Launch the electronic queue (TRD-2026-004-KZ1)" in listing
    assert "Comment: Add the order" in listing and "By Yerlan Chair" in listing
    assert "New commitment" not in listing
    row = db.session.scalars(select(Notification).where(
        Notification.recipient_id == world.member.id, Notification.channel == Channel.IN_APP,
        Notification.kind == "commitment.sent_back")).one()
    response = client.get(f"/notifications/{row.id}/open")  # to the commitment's page
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tracker/commitments/{row.event.subject_id}"
    assert unread_in_nav(page_text(client.get("/groups"))) == 1
    assert "Nothing unread." not in page_text(client.get("/notifications?unread=1"))

    client.post("/notifications/read")
    assert unread_in_nav(page_text(client.get("/groups"))) == 0
    assert "Nothing unread." in page_text(client.get("/notifications?unread=1"))


def test_the_e_mail_link_reads_the_app_entry_too(client, auth, world, mail_sink):
    verify(assign(world), world.kz_chair)
    message = mail_to(mail_sink, "member@example.org")[-1]
    link = re.search(r"http://council\.test(/notifications/\d+/open)", mail_sink.text_of(message))
    assert link
    assert client.get(link.group(1)).status_code == 302  # signed out: to the sign-in page first
    auth.login(world.member)
    assert services.unread_count(world.member) == 1  # assigned, then verified: one item, the latest
    client.get(link.group(1))
    assert services.unread_count(world.member) == 0


def test_nobody_opens_someone_else_s_notification(client, auth, world):
    assign(world)
    theirs = db.session.scalar(select(Notification.id).where(Notification.recipient_id == world.member.id))
    auth.login(world.tm_member)
    assert client.get(f"/notifications/{theirs}/open").status_code == 404


def test_the_list_reads_the_same_number_of_queries_for_many_notifications(client, auth, world, app):
    from sqlalchemy import event

    def count_queries(url: str) -> int:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    auth.login(world.member)
    assign(world)
    meeting_event("meeting.invited", world, world.secretary, meeting_id=1, user_ids=[world.member.id])
    few = count_queries("/notifications")
    for number in range(2, 12):
        assign(world, actor=world.secretary)
        meeting_event("meeting.invited", world, world.secretary, meeting_id=number,
                      user_ids=[world.member.id])
    assert count_queries("/notifications") == few


def test_settings_choose_digests_and_group_levels(client, auth, world):
    auth.login(world.member)
    page = page_text(client.get("/notifications/preferences"))
    assert "A weekly digest" in page and "Trade" in page and "Monday" in page
    response = client.post("/notifications/preferences", data={
        "email_mode": "weekly", "digest_weekday": "4", f"group_{world.group.id}": "muted"})
    assert response.status_code == 302
    preference = services.preference_of(world.member)
    assert (preference.email_mode, preference.digest_weekday) == (EmailMode.WEEKLY, 4)
    setting = db.session.get(GroupNotificationSetting, (world.member.id, world.group.id))
    assert setting is not None and setting.level == GroupLevel.MUTED
    assert '<input checked id="email_mode-2" name="email_mode" type="radio" value="weekly">' in \
        page_text(client.get("/notifications/preferences"))


def test_settings_refuse_bad_input_with_the_field_s_message(client, auth, world):
    auth.login(world.member)
    response = client.post("/notifications/preferences", data={"email_mode": "hourly",
                                                               "digest_weekday": "9"})
    assert response.status_code == 422
    assert "Not a valid choice" in page_text(response)
    assert db.session.get(GroupNotificationSetting, (world.member.id, world.group.id)) is None


def test_only_one_s_own_settings_can_be_saved(world):
    import pytest

    from council.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.save_preferences(world.tm_member, world.member, email_mode=EmailMode.NONE,
                                  digest_weekday=0, levels={})


def test_unsubscribe_link_asks_then_stops_e_mails(client, world):
    token = tokens.unsubscribe_token(world.member)
    page = page_text(client.get(f"/unsubscribe/{token}"))
    assert "Stop all notification e-mails and digests to member@example.org?" in page
    assert services.preference_of(world.member).email_mode == EmailMode.IMMEDIATE  # a GET changes nothing
    response = client.post(f"/unsubscribe/{token}")
    assert response.status_code == 200
    assert "will receive no more notification e-mails" in page_text(response)
    assert services.preference_of(world.member).email_mode == EmailMode.NONE
    assert client.get(f"/unsubscribe/{token[:-2]}xx").status_code == 404
    assert client.post("/unsubscribe/not-a-token").status_code == 404


def test_only_admins_see_the_outbox(client, auth, world):
    auth.login(world.secretary)
    assert client.get("/admin/outbox").status_code == 403
    assert client.post("/admin/outbox/retry-failed").status_code == 403


def test_the_outbox_lists_by_state_and_retries_all_failed(client, auth, world, mail_sink):
    verify(assign(world), world.kz_chair)
    rows = db.session.scalars(select(Notification).where(Notification.channel == Channel.EMAIL)).all()
    for row in rows:
        row.state = DeliveryState.FAILED
        row.last_error = "SMTPServerDisconnected: Connection unexpectedly closed"
    db.session.commit()
    mail_sink.messages.clear()
    auth.login(world.admin)
    page = page_text(client.get("/admin/outbox"))
    assert f"Failed ({len(rows)})" in page and "Sent (0)" in page and "Connection unexpectedly closed" in page
    assert "No Redis is configured" in page  # the embedded default has no beat to watch
    response = client.post("/admin/outbox/retry-failed")
    assert response.status_code == 302
    assert len(mail_sink.messages) == len(rows)
    assert f"Sent ({len(rows)})" in page_text(client.get("/admin/outbox?state=sent"))


def test_the_outbox_warns_when_beat_has_not_ticked(other_app, world, redis_url):
    import redis as redis_client

    from council.notifications.outbox import BEAT_HEARTBEAT_KEY, record_beat
    from tests.conftest import IsolatedClient
    from tests.factories import PASSWORD

    scheduled = other_app(REDIS_URL=redis_url)
    scheduled.test_client_class = IsolatedClient
    browser = scheduled.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(browser, world.admin.email, PASSWORD)
    store = redis_client.Redis.from_url(redis_url)
    store.delete(BEAT_HEARTBEAT_KEY)
    try:
        assert "The scheduler (Celery beat) has not ticked." in page_text(browser.get("/admin/outbox"))
        record_beat(store)
        page = page_text(browser.get("/admin/outbox"))
        assert "has not ticked" not in page and "The scheduler (Celery beat) last ticked" in page
        assert 'role="alert"' not in page
    finally:
        store.delete(BEAT_HEARTBEAT_KEY)


def test_notification_pages_have_no_inline_script_or_style(client, auth, world):
    assign(world)
    auth.login(world.admin)
    token = tokens.unsubscribe_token(world.admin)
    for url in ["/notifications", "/notifications/preferences", "/admin/outbox", f"/unsubscribe/{token}"]:
        text = page_text(client.get(url))
        assert "<script>" not in text and "style=" not in text, url
