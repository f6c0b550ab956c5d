"""Every route × every role × read and write, against a table written down here.

The table says, per endpoint, which roles may read it (GET answers 200) and which may write to it
(POST is not refused). Everything else must be refused: 403, 404, 405, 409, 410, or a redirect to the
sign-in page for anonymous visitors, and a refused write must leave every table exactly as it was.
A 500 anywhere fails. A route without an entry fails too, so that a new route is reviewed here.

Roles: anon, observer, outsider (member of another organisation, in no group), member (of the group),
other_chair (co-chair of another group), co_chair (of the group), secretary, admin.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from council.directory.models import GroupRole, Membership
from council.extensions import db

ROLES = ("anon", "observer", "outsider", "member", "other_chair", "co_chair", "secretary", "admin")
SIGNED_IN = frozenset(ROLES) - {"anon"}
EVERYONE = frozenset(ROLES)
NOBODY: frozenset[str] = frozenset()
LEADS = frozenset({"co_chair", "secretary", "admin"})
STAFF = frozenset({"secretary", "admin"})
REPORTERS = frozenset({"member", "other_chair", "co_chair", "secretary", "admin"})  # people of kz_org
CHAIRS = frozenset({"co_chair", "other_chair", "secretary", "admin"})


def roles_of_parity(*names: str) -> frozenset[str]:
    unknown = set(names) - set(PARITY_PEOPLE)
    assert not unknown, unknown
    return frozenset(names)


def roles(*names: str) -> frozenset[str]:
    unknown = set(names) - set(ROLES)
    assert not unknown, unknown
    return frozenset(names)


# endpoint: (who may read (GET 200), who may write (POST not refused)).
# GET-only routes list NOBODY as writers (POST is 405); POST-only routes NOBODY as readers (GET 405).
# The API's resources answer bearer tokens only: a signed-in browser session gets 401 there, whatever
# the role (tests/api covers the token permissions).
API_RESOURCES = (
    "commitments.change_commitment_status", "commitments.get_commitment",
    "comments.list_comments", "comments.add_comment", "comments.ask_question", "comments.mark_answered",
    "commitments.list_commitment_updates", "commitments.list_commitments", "commitments.report_progress",
    "council-meetings.get_meeting", "council-meetings.get_minutes", "council-meetings.get_minutes_revision",
    "council-meetings.list_meetings", "indicators.get_indicator", "indicators.list_indicators",
    "indicators.list_observations", "indicators.record_observation", "initiatives.get_initiative",
    "initiatives.list_initiatives", "me.whoami", "organisations.get_organisation",
    "organisations.list_organisations", "places.list_countries", "places.list_regions",
    "progress-updates.get_progress_update", "progress-updates.list_progress_updates",
    "recommendations.change_recommendation_status", "recommendations.get_recommendation",
    "recommendations.list_recommendations", "translations.add_translation", "translations.get_translations",
    "working-groups.get_group", "working-groups.list_groups",
    # Writes (issue 20): what the pages let the token's owner do (tests/api/test_writes.py)
    "recommendations.create_recommendation", "recommendations.edit_recommendation",
    "commitments.create_commitment", "commitments.edit_commitment", "initiatives.create_initiative",
    "initiatives.edit_initiative", "initiatives.get_milestone", "initiatives.add_milestone",
    "initiatives.edit_milestone", "indicators.create_indicator", "indicators.edit_indicator",
    "council-meetings.schedule_meeting", "council-meetings.edit_meeting", "council-meetings.get_agenda_item",
    "council-meetings.add_agenda_item", "council-meetings.edit_agenda_item",
    "indicators.get_observation", "indicators.edit_observation",
)

MATRIX: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # Public and sign-in pages
    "health.healthz": (EVERYONE, NOBODY),
    "auth.login": (EVERYONE, EVERYONE),  # signed-in people are sent home (302); nothing changes
    "auth.logout": (NOBODY, SIGNED_IN),
    "auth.accept_invitation": (NOBODY, NOBODY),  # a bad token answers 410
    "auth.reset_password": (NOBODY, NOBODY),
    "auth.forgot_password": (EVERYONE, EVERYONE),
    "auth.choose_language": (NOBODY, EVERYONE),
    # Two-factor sign-in: the code step belongs to a sign-in in progress (anonymous visitors without one
    # are sent to the sign-in page, signed-in people home); set-up and the rest are one's own.
    "auth.login_code": (NOBODY, SIGNED_IN),
    "auth.two_factor_setup": (SIGNED_IN, SIGNED_IN),  # staff have it on already: sent to the profile
    "auth.renew_recovery_codes": (NOBODY, SIGNED_IN),
    "auth.two_factor_off": (NOBODY, SIGNED_IN),
    "auth.sign_out_everywhere": (NOBODY, SIGNED_IN),
    "auth.change_password": (NOBODY, SIGNED_IN),  # one's own, with the current password
    "auth.reset_second_factor": (NOBODY, roles("admin")),  # the member has none to reset: 409
    # Directory
    "directory.home": (SIGNED_IN, NOBODY),
    "directory.groups": (SIGNED_IN, NOBODY),
    "directory.group": (SIGNED_IN, NOBODY),
    "directory.new_group": (STAFF, STAFF),
    "directory.edit_group": (STAFF, STAFF),
    "directory.add_member": (NOBODY, LEADS),
    "directory.change_member_role": (NOBODY, STAFF),  # making a member co-chair: secretaries (parity)
    "directory.remove_member": (NOBODY, LEADS),  # the co-chair's own side (the member is Kazakh)
    "directory.organisations": (SIGNED_IN, NOBODY),
    "directory.organisation": (SIGNED_IN, NOBODY),
    "directory.new_organisation": (STAFF, STAFF),
    "directory.edit_organisation": (STAFF, STAFF),
    "directory.people": (SIGNED_IN, NOBODY),
    "directory.person": (SIGNED_IN, NOBODY),
    "directory.change_person": (NOBODY, STAFF),
    "directory.invite": (STAFF, STAFF),
    "directory.profile": (SIGNED_IN, SIGNED_IN),
    # Tracker
    "tracker.home": (SIGNED_IN, NOBODY),
    "tracker.recommendations": (SIGNED_IN, NOBODY),
    "tracker.export_recommendations": (SIGNED_IN, NOBODY),
    "tracker.new_recommendation": (CHAIRS, CHAIRS),  # co-chairs of any group, for their own group
    "tracker.recommendation": (SIGNED_IN, NOBODY),
    "tracker.edit_recommendation": (LEADS, LEADS),
    "tracker.change_recommendation_status": (NOBODY, LEADS),
    "tracker.commitments": (SIGNED_IN, NOBODY),
    "tracker.export_commitments": (SIGNED_IN, NOBODY),
    "tracker.new_commitment": (LEADS, LEADS),
    "tracker.edit_commitment": (LEADS, LEADS),
    "tracker.commitment": (SIGNED_IN, NOBODY),
    "tracker.report_progress": (NOBODY, REPORTERS),
    "tracker.verify": (NOBODY, LEADS),
    "tracker.send_back": (NOBODY, LEADS),
    "tracker.change_commitment_status": (NOBODY, LEADS),
    "tracker.evidence": (SIGNED_IN, NOBODY),
    "tracker.initiatives": (SIGNED_IN, NOBODY),
    "tracker.new_initiative": (STAFF, STAFF),
    "tracker.edit_initiative": (STAFF, STAFF),
    "tracker.initiative": (SIGNED_IN, NOBODY),
    "tracker.add_milestone": (NOBODY, STAFF),
    "tracker.milestone_done": (NOBODY, STAFF),
    "tracker.edit_milestone": (STAFF, STAFF),  # its title and due date (issue 20)
    "tracker.indicators": (SIGNED_IN, NOBODY),
    "tracker.new_indicator": (STAFF, STAFF),
    "tracker.edit_indicator": (STAFF, STAFF),
    "tracker.indicator": (SIGNED_IN, NOBODY),
    "tracker.record_observation": (NOBODY, STAFF),  # the indicator belongs to no group
    "tracker.edit_observation": (STAFF, STAFF),  # whoever records values corrects them
    "tracker.import_file": (STAFF, STAFF),
    "tracker.confirm_import": (NOBODY, STAFF),
    # Meetings (the world's meeting is a held group meeting with draft minutes)
    "meetings.meetings": (SIGNED_IN, NOBODY),
    "meetings.meeting": (SIGNED_IN, NOBODY),
    "meetings.new_meeting": (CHAIRS, CHAIRS),  # co-chairs of any group may propose a council session
    # The meeting has been held: its plan answers 409 to organisers, 403 to others.
    "meetings.edit_meeting": (NOBODY, LEADS),
    "meetings.publish": (NOBODY, LEADS),
    "meetings.mark_held": (NOBODY, LEADS),
    "meetings.cancel": (NOBODY, LEADS),
    "meetings.respond": (NOBODY, roles("member", "admin")),  # the member's own invitation
    "meetings.new_agenda_item": (NOBODY, LEADS),
    "meetings.edit_agenda_item": (NOBODY, LEADS),
    "meetings.delete_agenda_item": (NOBODY, LEADS),
    "meetings.move_agenda_item": (NOBODY, LEADS),
    "meetings.add_progress_review": (NOBODY, LEADS),
    "meetings.reorder_agenda": (NOBODY, LEADS),
    "meetings.upload_document": (NOBODY, LEADS),
    "meetings.document": (SIGNED_IN, NOBODY),
    "meetings.delete_document": (NOBODY, LEADS),
    "meetings.attendance": (LEADS, LEADS),
    "meetings.edit_minutes": (LEADS, LEADS),
    "meetings.publish_minutes": (NOBODY, LEADS),
    "meetings.approve_minutes": (NOBODY, roles("co_chair")),  # only the chairs, not even an admin
    "meetings.approve_translation": (NOBODY, roles("co_chair")),  # a late translation: the chairs (409 here)
    "meetings.revise_minutes": (NOBODY, LEADS),  # 409 until the minutes are published
    "meetings.minutes_revision": (SIGNED_IN, NOBODY),  # the live draft shows on the meeting page too
    "meetings.new_decision": (LEADS, LEADS),
    "meetings.edit_decision": (LEADS, LEADS),
    "meetings.delete_decision": (NOBODY, LEADS),
    "meetings.print_agenda": (SIGNED_IN, NOBODY),
    "meetings.print_minutes": (SIGNED_IN, NOBODY),
    "meetings.meeting_ics": (SIGNED_IN, NOBODY),
    "meetings.calendars": (SIGNED_IN, NOBODY),
    "meetings.create_feed": (NOBODY, SIGNED_IN),
    "meetings.revoke_feed": (NOBODY, roles("member", "admin")),  # the member's own feed
    "meetings.calendar_feed": (EVERYONE, NOBODY),  # the secret address is the credential
    # Home: everyone's own "what needs me now"; its one-action items follow the rules of the pages
    # they stand for (the world's meeting is held with draft minutes: 409 to those who may act).
    "home.home": (SIGNED_IN, NOBODY),
    "home.report_progress": (NOBODY, REPORTERS),
    "home.verify": (NOBODY, LEADS),
    "home.approve_minutes": (NOBODY, roles("co_chair")),
    "home.respond": (NOBODY, roles("member", "admin")),  # the member's own invitation
    "home.read_notifications": (NOBODY, SIGNED_IN),
    # Dashboards and the public portal
    "dashboard.council": (SIGNED_IN, NOBODY),
    "dashboard.council_csv": (SIGNED_IN, NOBODY),
    "dashboard.group": (SIGNED_IN, NOBODY),
    "dashboard.group_csv": (SIGNED_IN, NOBODY),
    "dashboard.organisations": (SIGNED_IN, NOBODY),
    "dashboard.organisation": (SIGNED_IN, NOBODY),
    "dashboard.organisation_csv": (SIGNED_IN, NOBODY),
    "dashboard.my_work": (SIGNED_IN, NOBODY),
    "dashboard.publish_indicator": (NOBODY, STAFF),
    "dashboard.publish_minutes": (NOBODY, LEADS),  # the meeting's organisers; 409 until approved
    "portal.index": (EVERYONE, NOBODY),  # one council: sent on to its page
    "portal.council_page": (EVERYONE, NOBODY),
    "portal.group": (EVERYONE, NOBODY),
    "portal.recommendations": (EVERYONE, NOBODY),
    "portal.recommendation": (NOBODY, NOBODY),  # the world's recommendation is not public: 404 for all
    "portal.indicators": (EVERYONE, NOBODY),
    "portal.minutes_list": (EVERYONE, NOBODY),
    "portal.minutes": (NOBODY, NOBODY),  # its minutes are neither approved nor public: 404 for all
    # REST API: its own document and docs page are public; personal tokens are managed on the profile.
    "api-docs.openapi_json": (EVERYONE, NOBODY),
    "api.documentation": (EVERYONE, NOBODY),
    "api.create_token": (NOBODY, SIGNED_IN),
    "api.revoke_token": (NOBODY, roles("member", "admin")),  # the member's own token
    **{endpoint: (NOBODY, NOBODY) for endpoint in API_RESOURCES},
    # Notifications: one's own list and preferences; the outbox is for administrators. The matrix opens
    # and retries an id that belongs to nobody (their own rows: tests/notifications).
    "notifications.index": (SIGNED_IN, NOBODY),
    "notifications.open_notification": (NOBODY, NOBODY),
    "notifications.preferences": (SIGNED_IN, SIGNED_IN),
    "notifications.read_all": (NOBODY, SIGNED_IN),
    "notifications.outbox_page": (roles("admin"), NOBODY),
    "notifications.retry": (NOBODY, roles("admin")),
    "notifications.retry_failed": (NOBODY, roles("admin")),
    "notifications.unsubscribe": (NOBODY, NOBODY),  # a forged token is refused
    # Operations: the status page is the administrators'; /metrics answers a token or an allowed address
    # whoever is signed in (the test client comes from loopback, allowed by default: tests/operations).
    "operations.status_page": (roles("admin"), NOBODY),
    "operations.components": (roles("admin"), NOBODY),  # and to anyone signed in, in debug
    "operations.metrics_page": (EVERYONE, NOBODY),
    # Personal data: one's own download; anonymising is the administrators' (the member still owns an
    # open commitment: 409 for them, tests/operations/test_personal_data.py anonymises).
    "operations.my_data": (SIGNED_IN, NOBODY),
    "operations.anonymise_person": (NOBODY, roles("admin")),
    # Translations: whoever may edit the record (here the group's recommendation, into Kazakh); the list
    # of what is left to translate is everyone's own (empty for those who edit nothing).
    "translating.translate": (LEADS, LEADS),
    "translating.translations": (SIGNED_IN, NOBODY),
    # Progress reports: secretaries for the council, co-chairs for their group (the version is the
    # group's, generated by the secretary); the list and the form are open to the co-chairs of any group.
    "reports.reports": (CHAIRS, NOBODY),
    "reports.new_report": (CHAIRS, CHAIRS),  # an empty form answers 422
    "reports.report": (LEADS, NOBODY),
    "reports.download": (LEADS, NOBODY),
    "reports.publish": (NOBODY, STAFF),  # publishing it (the version is not public-only: 409) is theirs
    "public_reports.reports": (EVERYONE, NOBODY),
    "public_reports.download": (NOBODY, NOBODY),  # the version is not published: 404 for all
    # Webhooks: secretaries for the council; an organisation's token holder (the member, who has a
    # token here) for their organisation, and the endpoint they registered. An empty form answers 422.
    "webhooks.endpoints": (roles("member", "secretary", "admin"), NOBODY),
    "webhooks.new_endpoint": (roles("member", "secretary", "admin"), roles("member", "secretary", "admin")),
    "webhooks.endpoint": (roles("member", "secretary", "admin"), NOBODY),
    "webhooks.rotate_secret": (NOBODY, roles("member", "secretary", "admin")),
    "webhooks.deactivate": (NOBODY, roles("member", "secretary", "admin")),
    "webhooks.redeliver": (NOBODY, roles("member", "secretary", "admin")),
    # Conversations: whoever reads the record reads its thread (the group's recommendation: everyone of
    # the council); all but observers write (an empty form answers 422). The world's comment is the
    # member's: only they edit or withdraw it (not even an admin); secretaries hide it; it is no
    # question, so marking it answered is a 409 for all.
    "conversations.thread": (SIGNED_IN, NOBODY),
    "conversations.add_comment": (NOBODY, SIGNED_IN - {"observer"}),
    "conversations.ask": (SIGNED_IN - {"observer"}, SIGNED_IN - {"observer"}),
    "conversations.people": (SIGNED_IN - {"observer"}, NOBODY),  # the @ picker's search (QUERIES)
    "conversations.comment": (NOBODY, NOBODY),  # sends readers to its place in the thread (302)
    "conversations.edit_comment": (roles("member"), roles("member")),
    "conversations.withdraw_comment": (NOBODY, roles("member")),
    "conversations.hide_comment": (STAFF, STAFF),
    "conversations.mark_answered": (NOBODY, NOBODY),
    # A comment's file: whoever reads the record's thread, signed in (never the public).
    "conversations.attachment": (SIGNED_IN, NOBODY),
}

REFUSED = {403, 404, 405, 409, 410}
SIGNING_OUT = {"auth.logout", "auth.sign_out_everywhere"}
# Readers who are sent elsewhere rather than shown a page.
REDIRECTS = {("auth.login", role) for role in SIGNED_IN} | {("tracker.home", role) for role in SIGNED_IN} \
    | {("auth.login_code", role) for role in SIGNED_IN} \
    | {("auth.two_factor_setup", role) for role in STAFF} \
    | {("directory.home", role) for role in ROLES} | {("portal.index", role) for role in ROLES} \
    | {("conversations.comment", role) for role in SIGNED_IN}
# (directory.home sends signed-in people home and anonymous visitors to the public portal.)

# Valid answers for the forms whose checks come before the permission's, so that a refusal is
# a refusal and not a complaint about the form.
WRITE_DATA: dict[str, dict[str, str]] = {
    "tracker.change_recommendation_status": {"status": "withdrawn", "reason": "Matrix"},
    "tracker.change_commitment_status": {"status": "cancelled", "reason": "Matrix"},
    "meetings.respond": {"response": "attending"},
    "home.respond": {"response": "attending"},
    "meetings.move_agenda_item": {"direction": "down"},
    "directory.change_member_role": {"role": "co_chair"},
}


@dataclass
class Records:
    users: dict[str, Any]
    params: dict[str, Any]


def build_world(world: Any, uploads: Any) -> Records:
    """Real records through factories and services, as users would have made them."""
    from council.api import services as api_services
    from council.meetings import calendar, decisions, documents, minutes
    from council.meetings import services as meeting_services
    from council.reports.models import ReportStatus, ReportVersion
    from council.tracker import initiatives
    from council.tracker import services as tracker_services
    from council.tracker.evidence import EvidenceUpload
    from council.tracker.models import CommitmentStatus
    from council.webhooks import services as webhook_services
    from council.webhooks.models import DeliveryState as WebhookState
    from council.webhooks.models import WebhookDelivery, WebhookEndpoint
    from tests.factories import (
        CommitmentFactory,
        IndicatorFactory,
        InitiativeFactory,
        MembershipFactory,
        RecommendationFactory,
        UserFactory,
        WorkingGroupFactory,
    )
    from tests.meetings.conftest import Meetings

    ecology = WorkingGroupFactory(council=world.council, slug="ecology", code="ECO")
    other_chair = UserFactory(organisation=world.kz_org, email="eco.chair@example.org", name="Eco Chair")
    MembershipFactory(group=ecology, user=other_chair, role=GroupRole.CO_CHAIR)
    recommendation = RecommendationFactory(group=world.group, code="TRD-2026-001")
    commitment = CommitmentFactory(recommendation=recommendation, organisation=world.kz_org,
                                   owner=world.member, code="TRD-2026-001-KZ1",
                                   status=CommitmentStatus.IN_PROGRESS, progress=20)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    update = tracker_services.report_progress(world.member, commitment, progress=30, note="Kiosks ordered",
                                              files=[EvidenceUpload("order.pdf", io.BytesIO(pdf))])
    db.session.commit()
    evidence = update.evidence[0]
    initiative = InitiativeFactory(council=world.council)
    milestone = initiatives.add_milestone(world.secretary, initiative, title={"ru": "Этап"},
                                               original_language="ru", due_date=None)
    indicator = IndicatorFactory(council=world.council)
    db.session.commit()
    observation = initiatives.record_observation(world.secretary, indicator, observed_on=date(2026, 1, 31),
                                                 value="438.2", source="Statistics bureau")
    db.session.commit()

    meeting = Meetings(world).held()
    agenda_item = meeting.agenda_items[0]
    minutes.save_minutes(world.secretary, meeting, original_language="ru",
                                  notes={"general": {"ru": "Заседание открыто."}})
    decision = decisions.add_decision(world.secretary, meeting, decisions.DecisionDetails(
        text={"ru": "Принять к сведению."}, original_language="ru"))
    document = documents.add_document(world.secretary, meeting, title="Agenda", filename="agenda.pdf",
                                      stream=io.BytesIO(pdf))
    db.session.commit()
    invitation = meeting_services.invitation_for(world.member, meeting)
    assert invitation is not None
    feed, token = calendar.create_feed(world.member)
    api_token, _secret = api_services.create_token(world.member, name="Matrix", scope="read-write")
    # A second token: the member holds one still after the matrix revokes the first (webhook pages).
    api_services.create_token(world.member, name="Matrix webhooks", scope="read")
    # The member's organisation's endpoint (written as registered: its address is not resolved here),
    # with one delivery in its log.
    endpoint = WebhookEndpoint(council_id=world.council.id, owner_id=world.member.id,
                               organisation_id=world.kz_org.id, name="Akimat system",
                               url="https://127.0.0.1:9/hooks", kinds=["commitment.status_changed"],
                               secret=webhook_services.new_secret())
    db.session.add(endpoint)
    db.session.flush()
    delivered = WebhookDelivery(endpoint_id=endpoint.id, webhook_id="msg_matrix", kind="commitment.created",
                                payload={}, state=WebhookState.DELIVERED, attempts=1, response_code=204)
    db.session.add(delivered)
    report = ReportVersion(council_id=world.council.id, number=1, group_id=world.group.id,
                           requested_by_id=world.secretary.id, status=ReportStatus.DONE, progress=100,
                           title="Trade", parameters={"period": "year", "start": "2026-01-01",
                                                      "end": "2026-12-31", "languages": ["ru"]},
                           docx=b"PK", pdf=pdf)
    db.session.add(report)
    db.session.commit()
    from council.conversations import services as conversations
    from council.conversations.records import ref_of

    comment = conversations.add_comment(world.member, ref_of(recommendation), text="Matrix", language="ru",
                                        files=[EvidenceUpload("matrix.pdf", io.BytesIO(pdf))])
    db.session.commit()
    membership = db.session.scalar(select(Membership).where(Membership.user_id == world.member.id))
    users = {"anon": None, "observer": world.observer, "outsider": world.outsider, "member": world.member,
             "other_chair": other_chair, "co_chair": world.kz_chair, "secretary": world.secretary,
             "admin": world.admin}
    params = {"group_id": world.group.id, "membership_id": membership.id,
              "organisation_id": world.kz_org.id, "person_id": world.member.id,
              "recommendation_id": recommendation.id, "commitment_id": commitment.id, "fmt": "csv",
              "evidence_id": evidence.id, "initiative_id": initiative.id, "milestone_id": milestone.id,
              "indicator_id": indicator.id, "meeting_id": meeting.id, "invitation_id": invitation.id,
              "item_id": agenda_item.id, "document_id": document.id, "number": 1,
              "decision_id": decision.id, "feed_id": feed.id, "feed_token": token,
              "token_id": api_token.id, "update_id": update.id, "notification_id": 2_000_000_000,
              "slug": world.council.slug, "kind": "recommendation", "record_id": recommendation.id,
              "lang": "kk", "language": "kk", "report_id": report.id, "file_format": "pdf",
              "endpoint_id": endpoint.id, "delivery_id": delivered.id, "observation_id": observation.id,
              "record_type": "recommendation", "comment_id": comment.id,
              "attachment_id": comment.attachments[0].id}
    return Records(users, params)


def routes(app: Flask) -> list[tuple[str, str, set[str]]]:
    return sorted((rule.endpoint, rule.rule, set(rule.methods or ()))
                  for rule in app.url_map.iter_rules() if rule.endpoint != "static")


# Query arguments a route needs to answer a reader at all (a search without words is refused as too
# short); tests/test_no_500_from_input.py sends its own.
QUERIES = {"conversations.people": "?q=matrix"}


def url_for_rule(app: Flask, endpoint: str, params: dict[str, Any]) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {}
    for argument in rule.arguments:
        if argument == "token":
            # The calendar feed's secret address; the auth links get a token that is not valid.
            values["token"] = params["feed_token"] if endpoint == "meetings.calendar_feed" else "not-a-token"
        else:
            values[argument] = params[argument]
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def snapshot(*, leaving_out: frozenset[str] = frozenset()) -> str:
    """A digest of every row of every table (but those named)."""
    digest = hashlib.sha256()
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name in leaving_out:
                continue
            rows = connection.execute(table.select()).all()
            for row in sorted(repr(tuple(row)) for row in rows):
                digest.update(row.encode())
            digest.update(b"|")
    return digest.hexdigest()


# Statements that cannot change a row; anything else sent to the database might.
READING = ("SELECT", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SHOW", "SET ")


@contextmanager
def statements_that_may_write() -> Iterator[list[str]]:
    """Collects every statement the app sends that is not a plain read: a refused write that sent
    none cannot have changed a table, so the whole-database snapshot is taken only after one that did."""
    sent: list[str] = []

    def note(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(READING):
            sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def test_every_route_has_an_entry(app: Flask) -> None:
    endpoints = {endpoint for endpoint, _, _ in routes(app)}
    missing = sorted(endpoints - set(MATRIX))
    assert not missing, f"routes without an entry in MATRIX (review their permissions): {missing}"
    stale = sorted(set(MATRIX) - endpoints)
    assert not stale, f"MATRIX names routes that no longer exist: {stale}"


def _refused(response: Any, role: str) -> bool:
    if response.status_code in REFUSED:
        return True
    if response.status_code == 401 and response.request.path.startswith("/api/"):
        return True
    return role == "anon" and response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.fixture
def uploads(app: Flask, tmp_path: Any) -> Any:
    previous = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = previous


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(app: Flask, client: Any, auth: Any, world: Any, uploads: Any, role: str) -> None:
    """Reads first, then refused writes (the database must not change), then allowed writes (no 500)."""
    records = build_world(world, uploads)
    user = records.users[role]
    if user is not None:
        auth.login(user)
    problems: list[str] = []
    table = [(endpoint, rule, methods,
              url_for_rule(app, endpoint, records.params) + QUERIES.get(endpoint, ""))
             for endpoint, rule, methods in routes(app) if endpoint in MATRIX]

    def call(method: str, url: str, endpoint: str) -> Any:
        try:
            response = client.open(url, method=method, data=dict(WRITE_DATA.get(endpoint, {})))
            response.close()
            return response
        except Exception as error:  # an exception escaping a view would be a 500 in production
            problems.append(f"{method} {url}: {type(error).__name__}: {error}")
            return None

    for endpoint, rule, _methods, url in table:
        if endpoint in SIGNING_OUT:
            continue
        readers, _ = MATRIX[endpoint]
        response = call("GET", url, endpoint)
        if response is None:
            continue
        if response.status_code >= 500:
            problems.append(f"GET {rule} as {role}: {response.status_code}")
        elif (endpoint, role) in REDIRECTS:
            if response.status_code != 302:
                problems.append(f"GET {rule} as {role}: {response.status_code}, expected 302")
        elif role in readers and response.status_code != 200:
            problems.append(f"GET {rule} as {role}: {response.status_code}, expected 200")
        elif role not in readers and not _refused(response, role):
            problems.append(f"GET {rule} as {role}: {response.status_code}, expected a refusal")

    before = snapshot()
    allowed = []
    with statements_that_may_write() as sent:
        for endpoint, rule, _methods, url in table:
            _, writers = MATRIX[endpoint]
            if role in writers:
                allowed.append((endpoint, rule, url))
                continue
            sent.clear()
            response = call("POST", url, endpoint)
            if response is not None and not _refused(response, role):
                problems.append(f"POST {rule} as {role}: {response.status_code}, expected a refusal")
            after = snapshot() if sent else before
            if after != before:
                problems.append(f"POST {rule} as {role} changed the database")
                before = after
    # A change made around the engine (none is expected) would still show here.
    if snapshot() != before:
        problems.append(f"a refused POST as {role} changed the database outside SQLAlchemy")

    for endpoint, rule, url in allowed:
        if endpoint in SIGNING_OUT:
            continue  # signing out would turn every later answer into a sign-in redirect
        response = call("POST", url, endpoint)
        if response is not None and response.status_code >= 500:
            problems.append(f"POST {rule} as {role}: {response.status_code}")
        if response is not None and _refused(response, role) and response.status_code not in (404, 409):
            problems.append(f"POST {rule} as {role}: {response.status_code}, expected to be let in")

    assert not problems, "\n".join(problems)


def test_cells_checked(app: Flask) -> None:
    """The matrix covers every route: (routes × roles × {GET, POST}) cells."""
    cells = len(MATRIX) * len(ROLES) * 2
    assert cells == len(routes(app)) * len(ROLES) * 2


# The held meeting above answers 409 to its planning pages; a meeting still being planned shows
# who may open them.
PLANNING_PAGES = ("meetings.edit_meeting", "meetings.cancel", "meetings.new_agenda_item",
                  "meetings.edit_agenda_item")


@pytest.mark.parametrize("role", ROLES)
def test_planning_pages_of_a_published_meeting(app: Flask, client: Any, auth: Any, world: Any,
                                               uploads: Any, role: str) -> None:
    from tests.meetings.conftest import Meetings

    records = build_world(world, uploads)
    meeting = Meetings(world).published()
    params = dict(records.params, meeting_id=meeting.id, item_id=meeting.agenda_items[0].id)
    if records.users[role] is not None:
        auth.login(records.users[role])
    before = snapshot()
    for endpoint in PLANNING_PAGES:
        url = url_for_rule(app, endpoint, params)
        response = client.get(url)
        if role in LEADS:
            assert response.status_code == 200, (endpoint, role)
        else:
            assert _refused(response, role), (endpoint, role, response.status_code)
            assert _refused(client.post(url, data={}), role), (endpoint, role)
            assert snapshot() == before, (endpoint, role)


# Parity rules (issue 13): who may act for which side. Each case names a rule, the record it is asked
# about, and the people who may; everyone else of PARITY_PEOPLE may not. The pages and the API ask the
# same rules (tests/directory/test_parity.py, tests/tracker/test_four_eyes.py).
PARITY_PEOPLE = ("member", "kz_chair", "tm_chair", "secretary", "tm_secretary", "admin")
PARITY_CASES: dict[str, tuple[str, str, frozenset[str]]] = {
    # name: (action, target, who may)
    "a Turkmen member's role": ("membership.change", "tm_member_role",
                                roles_of_parity("tm_chair", "secretary", "tm_secretary", "admin")),
    "a Kazakh member's role": ("membership.change", "kz_member_role",
                               roles_of_parity("kz_chair", "secretary", "tm_secretary", "admin")),
    "demoting the Turkmen co-chair": ("membership.change", "tm_chair_seat",
                                      roles_of_parity("secretary", "tm_secretary", "admin")),
    "naming a Turkmen co-chair": ("membership.change", "tm_member_to_chair",
                                  roles_of_parity("secretary", "tm_secretary", "admin")),
    "the Turkmen secretary's account": ("person.manage", "tm_secretary",
                                        roles_of_parity("admin")),
    "the administrator's account": ("person.manage", "admin", roles_of_parity("admin")),
    "a member's account": ("person.manage", "member", roles_of_parity("secretary", "tm_secretary", "admin")),
    "granting administrator rights": ("admin.grant", "council", roles_of_parity("admin")),
    "verifying a member's Kazakh report": ("commitment.verify", "kz_reported_by_member",
                                           roles_of_parity("kz_chair", "secretary", "tm_secretary", "admin")),
    "verifying the Kazakh co-chair's own report": ("commitment.verify", "kz_reported_by_kz_chair",
                                                   roles_of_parity("secretary", "tm_secretary", "admin")),
    "verifying the administrator's own report": ("commitment.verify", "kz_reported_by_admin",
                                                 roles_of_parity("kz_chair", "secretary", "tm_secretary")),
    "verifying a Turkmen report": ("commitment.verify", "tm_reported_by_tm_member",
                                   roles_of_parity("tm_chair", "secretary", "tm_secretary", "admin")),
    # Commitments are taken on by the organisation's side (issue 20): its co-chair or the secretariat,
    # which acts for the council as a whole; an international organisation's by the secretariat alone.
    "a commitment for a Kazakh akimat": ("commitment.create", "new_kz_commitment",
                                         roles_of_parity("kz_chair", "secretary", "tm_secretary", "admin")),
    "a commitment for a Turkmen hyakimlik": (
        "commitment.create", "new_tm_commitment",
        roles_of_parity("tm_chair", "secretary", "tm_secretary", "admin")),
    "a commitment for an international organisation": ("commitment.create", "new_international_commitment",
                                                       roles_of_parity("secretary", "tm_secretary", "admin")),
    # A lost phone: only an administrator resets a second factor, whatever the side (a secretary who
    # could would take over a colleague's account with the password alone).
    "resetting the Turkmen secretary's second factor": ("person.reset_second_factor", "tm_secretary",
                                                        roles_of_parity("admin")),
    "resetting the Kazakh secretary's second factor": ("person.reset_second_factor", "kz_secretary",
                                                       roles_of_parity("admin")),
    "resetting a member's second factor": ("person.reset_second_factor", "member",
                                           roles_of_parity("admin")),
}


@pytest.mark.parametrize("case", list(PARITY_CASES))
def test_parity_rules(world: Any, case: str) -> None:
    from council.auth.permissions import MemberChange, can
    from council.directory.models import PlatformRole
    from council.tracker import services as tracker_services
    from council.tracker.models import CommitmentStatus
    from council.tracker.permissions import NewCommitment
    from tests.factories import CommitmentFactory, OrganisationFactory, RecommendationFactory, UserFactory

    people = {"member": world.member, "kz_chair": world.kz_chair, "tm_chair": world.tm_chair,
              "secretary": world.secretary, "admin": world.admin,
              "tm_secretary": UserFactory(organisation=world.tm_org, role=PlatformRole.SECRETARY)}
    action, target_name, allowed = PARITY_CASES[case]
    group = world.group

    def reported(organisation: Any, reporter: Any) -> Any:
        recommendation = RecommendationFactory(group=group)
        commitment = CommitmentFactory(recommendation=recommendation, organisation=organisation,
                                       status=CommitmentStatus.IN_PROGRESS)
        tracker_services.change_commitment_status(reporter, commitment, CommitmentStatus.REPORTED_DONE)
        db.session.commit()
        return commitment

    targets: dict[str, Any] = {
        "tm_member_role": lambda: MemberChange(group, world.tm_member, GroupRole.MEMBER, GroupRole.OBSERVER),
        "kz_member_role": lambda: MemberChange(group, world.member, GroupRole.MEMBER, GroupRole.OBSERVER),
        "tm_chair_seat": lambda: MemberChange(group, world.tm_chair, GroupRole.CO_CHAIR, GroupRole.MEMBER),
        "tm_member_to_chair": lambda: MemberChange(group, world.tm_member, GroupRole.MEMBER,
                                                   GroupRole.CO_CHAIR),
        "tm_secretary": lambda: people["tm_secretary"],
        "kz_secretary": lambda: world.secretary,
        "admin": lambda: world.admin,
        "member": lambda: world.member,
        "council": lambda: world.council.id,
        "kz_reported_by_member": lambda: reported(world.kz_org, world.member),
        "kz_reported_by_kz_chair": lambda: reported(world.kz_org, world.kz_chair),
        "kz_reported_by_admin": lambda: reported(world.kz_org, world.admin),
        "tm_reported_by_tm_member": lambda: reported(world.tm_org, world.tm_member),
        "new_kz_commitment": lambda: NewCommitment(RecommendationFactory(group=group), world.kz_org),
        "new_tm_commitment": lambda: NewCommitment(RecommendationFactory(group=group), world.tm_org),
        "new_international_commitment": lambda: NewCommitment(RecommendationFactory(group=group),
                                                              OrganisationFactory(council=world.council,
                                                                                  kind="international")),
    }
    target = targets[target_name]()
    may = {name for name in PARITY_PEOPLE if can(people[name], action, target)}
    assert may == allowed, case


# Rules about what a page shows rather than who may open it: the roles that read it about someone else
# (everyone reads it about themselves), and the page where it shows.
SHOWN: dict[str, tuple[frozenset[str], str]] = {
    "person.see_email": (STAFF, "directory.person"),
}


@pytest.mark.parametrize("action", sorted(SHOWN))
@pytest.mark.parametrize("role", sorted(SIGNED_IN))
def test_what_pages_show(app: Flask, client: Any, auth: Any, world: Any, uploads: Any, role: str,
                         action: str) -> None:
    from council.auth.permissions import can

    records = build_world(world, uploads)
    readers, endpoint = SHOWN[action]
    user = records.users[role]
    other = world.tm_member
    assert can(user, action, other) == (role in readers), (action, role)
    assert can(user, action, user), (action, role)
    auth.login(user)
    page = client.get(url_for_rule(app, endpoint, dict(records.params, person_id=other.id)))
    assert (other.email in page.get_data(as_text=True)) == (role in readers), (action, role)


# Approving a translation added to minutes after a side approved them (issue 13, finding 8): each
# co-chair approves for their own side only. The scene: Russian minutes of the group's meeting, approved
# by the Kazakh co-chair; English added since; the Turkmen side has not approved the minutes yet.
# role: (answer, the approvals of the English text afterwards as (country, who)).
LATE_TRANSLATION_PEOPLE = ("observer", "member", "other_chair", "kz_chair", "tm_chair", "secretary",
                           "tm_secretary", "admin")
LATE_TRANSLATION_CELLS: dict[str, tuple[int, set[tuple[str, str]]]] = {
    "kz_chair": (302, {("KZ", "kz_chair")}),  # own side: allowed
    # The other side's co-chair cannot give the Kazakh side's approval, nor their own before their
    # side approved the minutes themselves.
    "tm_chair": (409, set()),
    "observer": (403, set()),
    "member": (403, set()),
    "other_chair": (403, set()),  # co-chair of another group
    "secretary": (403, set()),
    "tm_secretary": (403, set()),
    "admin": (403, set()),  # approving is the co-chairs' alone
}


def _late_translation_scene(world: Any) -> tuple[Any, dict[str, Any]]:
    from council.directory.models import PlatformRole
    from council.meetings import minutes as meeting_minutes
    from council.translating import services as translating
    from tests.factories import MembershipFactory, UserFactory, WorkingGroupFactory
    from tests.meetings.conftest import Meetings

    ecology = WorkingGroupFactory(council=world.council, slug="ecology", code="ECO")
    other_chair = UserFactory(organisation=world.kz_org, email="eco.chair@example.org")
    MembershipFactory(group=ecology, user=other_chair, role=GroupRole.CO_CHAIR)
    people = {"observer": world.observer, "member": world.member, "other_chair": other_chair,
              "kz_chair": world.kz_chair, "tm_chair": world.tm_chair, "secretary": world.secretary,
              "tm_secretary": UserFactory(organisation=world.tm_org, role=PlatformRole.SECRETARY,
                                          email="tm.secretary@example.org"),
              "admin": world.admin}
    meeting = Meetings(world).published_minutes()
    meeting_minutes.approve_minutes(world.kz_chair, meeting)
    translating.add_translation(world.kz_chair, meeting.minutes, "en",
                                {"general": "The co-chair opened the meeting."})
    db.session.commit()
    return meeting, people


def _english_approvals(meeting: Any, people: dict[str, Any]) -> set[tuple[str, str]]:
    db.session.expire_all()
    names = {person.id: name for name, person in people.items()}
    return {(row.country_code, names[row.user_id]) for row in meeting.minutes.current.language_approvals
            if row.language == "en"}


@pytest.mark.parametrize("role", LATE_TRANSLATION_PEOPLE)
def test_approving_a_late_minutes_translation(client: Any, auth: Any, world: Any, role: str) -> None:
    meeting, people = _late_translation_scene(world)
    answer, approvals = LATE_TRANSLATION_CELLS[role]
    auth.login(people[role])
    before = snapshot()
    response = client.post(f"/meetings/{meeting.id}/minutes/approve/en")
    assert response.status_code == answer, (role, response.status_code)
    assert _english_approvals(meeting, people) == approvals, role
    if answer != 302:
        assert snapshot() == before, role
    assert "en" not in meeting.minutes.current.approved_languages  # one side is never enough


def test_the_other_side_approving_the_minutes_later_approves_the_translation_for_its_side_only(
        client: Any, auth: Any, world: Any) -> None:
    from council.meetings import minutes as meeting_minutes

    meeting, people = _late_translation_scene(world)
    meeting_minutes.approve_minutes(world.tm_chair, meeting)  # the English is there: it approves it too
    db.session.commit()
    assert _english_approvals(meeting, people) == {("TM", "tm_chair")}  # the Turkmen side's, not both
    assert meeting.minutes.current.approved_languages == ["ru"]
    url = f"/meetings/{meeting.id}/minutes/approve/en"
    auth.login(world.tm_chair)
    assert client.post(url).status_code == 409  # the Turkmen side has approved it already
    auth.logout()
    auth.login(world.kz_chair)
    assert client.post(url).status_code == 302
    assert _english_approvals(meeting, people) == {("TM", "tm_chair"), ("KZ", "kz_chair")}
    assert meeting.minutes.current.approved_languages == ["ru", "en"]
