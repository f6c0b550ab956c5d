"""Webhooks delivered to a real HTTP receiver, in-process (no broker): signed, retried, redelivered,
stopped. tests/webhooks/test_worker.py runs the same through Redis and a real Celery worker."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from council.errors import ValidationFailed
from council.extensions import db
from council.timeutil import utcnow
from council.tracker import services as tracker
from council.tracker.models import CommitmentStatus
from council.webhooks import delivery, services
from council.webhooks.models import DeliveryState, DisabledReason, WebhookDelivery
from tests.factories import CommitmentFactory, RecommendationFactory
from tests.webhooks.conftest import endpoint_for

BLOCKED = "commitment.status_changed"


def commitment_of(world, organisation=None):
    recommendation = RecommendationFactory(group=world.group, code="TRD-2026-001")
    commitment = CommitmentFactory(recommendation=recommendation, organisation=organisation or world.kz_org,
                                   owner=world.member, code="TRD-2026-001-KZ1",
                                   status=CommitmentStatus.IN_PROGRESS, progress=20)
    db.session.commit()
    return commitment


def block(world, commitment, reason="Waiting for customs"):
    tracker.change_commitment_status(world.member, commitment, CommitmentStatus.BLOCKED, reason)
    db.session.commit()


def rows():
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_change_is_delivered_signed_with_the_records_api_representation(world, receiver):
    commitment = commitment_of(world)
    endpoint = endpoint_for(world, receiver.url, [BLOCKED])
    block(world, commitment)

    [received] = receiver.received
    assert received.path == "/hooks/council"
    body = Webhook(endpoint.secret).verify(received.body, received.headers)
    assert body["type"] == BLOCKED
    assert body["data"]["object"] == "commitment"
    assert body["data"]["id"] == commitment.id and body["data"]["code"] == "TRD-2026-001-KZ1"
    assert body["data"]["status"] == "blocked" and body["data"]["status_reason"] == "Waiting for customs"
    [row] = rows()
    assert row.state == DeliveryState.DELIVERED and row.attempts == 1 and row.response_code == 204
    assert received.headers["webhook-id"] == row.webhook_id
    # Another secret does not verify it.
    with pytest.raises(WebhookVerificationError):
        Webhook(services.new_secret()).verify(received.body, received.headers)


def test_after_a_rotation_both_secrets_verify_for_a_day(world, receiver):
    commitment = commitment_of(world)
    endpoint = endpoint_for(world, receiver.url, [BLOCKED])
    old = endpoint.secret
    services.rotate_secret(world.secretary, endpoint)
    db.session.commit()
    block(world, commitment)
    [received] = receiver.received
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, endpoint.secret):
        Webhook(secret).verify(received.body, received.headers)
    with time_machine.travel(utcnow() + timedelta(days=1, minutes=1), tick=False):
        headers = delivery.signed_headers(endpoint, "msg_x", b"{}", utcnow())
        assert len(headers["webhook-signature"].split(" ")) == 1


def test_a_receiver_down_for_a_while_gets_the_delivery_once_it_is_back(world, receiver):
    commitment = commitment_of(world)
    endpoint_for(world, receiver.url, [BLOCKED])
    receiver.stop()
    block(world, commitment)
    [row] = rows()
    assert row.state == DeliveryState.PENDING and row.attempts == 1
    assert "Connection" in (row.last_error or "") or "refused" in (row.last_error or "")
    delivery.sweep()  # what beat does every minute; the receiver is still down
    assert rows()[0].attempts == 2 and rows()[0].state == DeliveryState.PENDING

    receiver.start()
    assert delivery.sweep() == 1
    [row] = rows()
    assert row.state == DeliveryState.DELIVERED and row.attempts == 3
    # Later sweeps and a repeated task send nothing more.
    delivery.sweep()
    assert delivery.deliver(row.id).skipped
    assert receiver.ids() == [row.webhook_id]


def test_a_receiver_answering_500_is_retried_then_the_delivery_is_marked_failed(world, receiver):
    receiver.status = 500
    commitment = commitment_of(world)
    endpoint_for(world, receiver.url, [BLOCKED])
    block(world, commitment)
    delivery.sweep()
    delivery.sweep()
    delivery.sweep()  # the budget (3 attempts) is spent: nothing more is tried
    [row] = rows()
    assert row.state == DeliveryState.FAILED and row.attempts == 3
    assert row.response_code == 500 and row.last_error.startswith("HTTP 500")
    assert receiver.ids() == [row.webhook_id] * 3


def test_redelivery_by_hand_sends_it_again_with_the_same_webhook_id(world, receiver, auth, client):
    receiver.status = 500
    commitment = commitment_of(world)
    endpoint = endpoint_for(world, receiver.url, [BLOCKED])
    block(world, commitment)
    delivery.sweep()
    delivery.sweep()
    [row] = rows()
    assert row.state == DeliveryState.FAILED

    receiver.status = 200
    auth.login(world.secretary)
    page = client.get(f"/webhooks/{endpoint.id}").get_data(as_text=True)
    assert row.webhook_id in page and "500" in page
    answer = client.post(f"/webhooks/{endpoint.id}/deliveries/{row.id}/redeliver")
    assert answer.status_code == 302
    [row] = rows()
    assert row.state == DeliveryState.DELIVERED and row.response_code == 200
    assert receiver.ids() == [row.webhook_id] * 4
    Webhook(endpoint.secret).verify(receiver.received[-1].body, receiver.received[-1].headers)


def test_a_deactivated_owners_endpoints_stop(world, receiver):
    commitment = commitment_of(world)
    receiver.stop()
    endpoint_for(world, receiver.url, [BLOCKED], owner=world.secretary)
    block(world, commitment)
    [pending] = rows()
    assert pending.state == DeliveryState.PENDING

    world.secretary.active = False
    db.session.commit()
    receiver.start()
    delivery.sweep()
    tracker.change_commitment_status(world.member, commitment, CommitmentStatus.IN_PROGRESS)
    db.session.commit()
    assert receiver.received == []
    [stopped] = rows()  # the second change wrote no delivery
    assert stopped.state == DeliveryState.FAILED


def test_an_endpoint_failing_for_three_days_is_turned_off_and_its_owner_told(world, receiver, mail_sink,
                                                                              webhook_settings):
    webhook_settings["WEBHOOK_MAX_ATTEMPTS"] = 50
    receiver.status = 503
    commitment = commitment_of(world)
    endpoint = endpoint_for(world, receiver.url, [BLOCKED])
    block(world, commitment)
    start = utcnow()
    for hours in (1, 30, 60):
        with time_machine.travel(start + timedelta(hours=hours), tick=False):
            delivery.sweep()
    db.session.refresh(endpoint)
    assert endpoint.active and endpoint.failing_since is not None
    with time_machine.travel(start + timedelta(days=3, minutes=1), tick=False):
        delivery.sweep()
    db.session.refresh(endpoint)
    assert not endpoint.active and endpoint.disabled_reason == DisabledReason.FAILING
    assert rows()[0].state == DeliveryState.FAILED
    told = [mail_sink.text_of(message) for message in mail_sink.to("secretary@example.org")]
    assert [text for text in told if "Akimat system" in text], told
    count = len(receiver.received)
    tracker.change_commitment_status(world.member, commitment, CommitmentStatus.IN_PROGRESS)
    db.session.commit()
    assert len(receiver.received) == count and len(rows()) == 1


def test_a_success_ends_the_failing_spell(world, receiver):
    receiver.status = 500
    commitment = commitment_of(world)
    endpoint = endpoint_for(world, receiver.url, [BLOCKED])
    block(world, commitment)
    db.session.refresh(endpoint)
    assert endpoint.failing_since is not None
    receiver.status = 200
    delivery.sweep()
    db.session.refresh(endpoint)
    assert endpoint.failing_since is None and endpoint.active


def test_private_loopback_and_link_local_addresses_are_refused_in_production(world, receiver,
                                                                             webhook_settings):
    commitment = commitment_of(world)
    endpoint = endpoint_for(world, receiver.url, [BLOCKED])
    webhook_settings["WEBHOOKS_ALLOW_PRIVATE"] = False
    for url in ("https://127.0.0.1/hooks", "https://10.1.2.3/hooks", "https://169.254.169.254/latest",
                "https://[::1]/hooks", "https://[::ffff:192.168.0.1]/hooks", "https://localhost/hooks",
                "http://93.184.216.34/hooks"):
        with pytest.raises(ValidationFailed) as refused:
            services.register(world.secretary, world.council, name="Inside", url=url, kinds=[BLOCKED],
                              organisation_id=None)
        assert refused.value.field == "url", url
        db.session.rollback()
    # Checked again at delivery time: the endpoint registered while it was allowed gets nothing.
    block(world, commitment)
    [row] = rows()
    assert receiver.received == [] and row.state == DeliveryState.PENDING
    assert "https://" in row.last_error  # the receiver's plain http is refused first
    assert endpoint.active


def test_the_payload_is_the_one_written_with_the_change(world, receiver):
    """A retry sends the record as the change left it, byte for byte the same body."""
    receiver.status = 500
    commitment = commitment_of(world)
    endpoint_for(world, receiver.url, [BLOCKED])
    block(world, commitment, reason="First reason")
    tracker.change_commitment_status(world.member, commitment, CommitmentStatus.IN_PROGRESS)
    db.session.commit()
    delivery.sweep()
    bodies = [json.loads(item.body) for item in receiver.received]
    first = [body for body in bodies if body["data"]["status"] == "blocked"]
    assert len(first) == 2 and all(body["data"]["status_reason"] == "First reason" for body in first)
    assert len({item.body for item in receiver.received
                if json.loads(item.body)["data"]["status"] == "blocked"}) == 1


def test_the_owner_is_told_in_words(world, receiver, mail_sink, webhook_settings):
    webhook_settings["WEBHOOK_MAX_ATTEMPTS"] = 50
    receiver.status = 503
    commitment = commitment_of(world)
    endpoint_for(world, receiver.url, [BLOCKED])
    block(world, commitment)
    with time_machine.travel(utcnow() + timedelta(days=3, minutes=1), tick=False):
        delivery.sweep()
    told = [mail_sink.text_of(message) for message in mail_sink.to("secretary@example.org")]
    assert any("Your webhook endpoint Akimat system is turned off" in text and "3 days" in text
               for text in told)


def test_a_name_that_resolves_to_loopback_is_refused_at_delivery_time(world, receiver, webhook_settings):
    commitment = commitment_of(world)
    endpoint_for(world, f"https://localhost:{receiver.port}/hooks", [BLOCKED])
    webhook_settings["WEBHOOKS_ALLOW_PRIVATE"] = False
    block(world, commitment)
    [row] = rows()
    assert receiver.received == [] and row.state == DeliveryState.PENDING
    assert "private, loopback or link-local" in row.last_error and "localhost" in row.last_error


class ChangingName:
    """A host name whose answers change from one lookup to the next, as a rebinding attacker's DNS
    does (loopback addresses only: nothing leaves this machine). Other names resolve as usual."""

    NAME = "hooks.akimat.test"

    def __init__(self, monkeypatch, *answers):
        self.answer(*answers)
        real = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            if host != self.NAME:
                return real(host, port, *args, **kwargs)
            address = self.answers[min(self.lookups, len(self.answers) - 1)]
            self.lookups += 1
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def answer(self, *answers):
        """From now on: these answers in turn, the last one for ever after."""
        self.answers, self.lookups = list(answers), 0


def test_the_address_checked_is_the_address_connected_to(world, receiver, monkeypatch):
    """Resolved once per delivery: a name that answers the receiver's address to the check and another
    one a moment later still reaches the address that was checked, named by its host."""
    commitment = commitment_of(world)
    name = ChangingName(monkeypatch, "127.0.0.1")
    endpoint_for(world, f"http://{ChangingName.NAME}:{receiver.port}/hooks/council", [BLOCKED])
    name.answer("127.0.0.1", "127.0.0.2")  # nothing listens on the second
    block(world, commitment)
    [row] = rows()
    assert row.state == DeliveryState.DELIVERED, row.last_error
    assert name.lookups == 1
    [received] = receiver.received
    assert received.headers["Host"] == f"{ChangingName.NAME}:{receiver.port}"


def test_a_name_that_turns_to_loopback_after_registration_is_refused_at_delivery(world, receiver,
                                                                                monkeypatch,
                                                                                webhook_settings):
    """Registered while its loopback address was allowed (as a public one would be); at delivery the
    configuration does not allow it: refused before any connection, and logged saying why."""
    commitment = commitment_of(world)
    ChangingName(monkeypatch, "127.0.0.1")
    endpoint = endpoint_for(world, f"https://{ChangingName.NAME}:{receiver.port}/hooks", [BLOCKED])
    webhook_settings["WEBHOOKS_ALLOW_PRIVATE"] = False
    block(world, commitment)
    [row] = rows()
    assert receiver.received == [] and row.state == DeliveryState.PENDING
    assert "private, loopback or link-local" in row.last_error and ChangingName.NAME in row.last_error
    assert endpoint.active  # refused deliveries are retried; three days of them turn it off


def test_an_edited_milestone_and_a_corrected_value_are_delivered(world, receiver):
    from datetime import date

    from council.tracker import initiatives
    from tests.factories import IndicatorFactory, InitiativeFactory

    initiative = InitiativeFactory(council=world.council)
    milestone = initiatives.add_milestone(world.secretary, initiative, title={"ru": "Этап"},
                                          original_language="ru", due_date=None)
    indicator = IndicatorFactory(council=world.council)
    observation = initiatives.record_observation(world.secretary, indicator, observed_on=date(2026, 1, 31),
                                                 value="5", source="Border service")
    db.session.commit()
    endpoint = endpoint_for(world, receiver.url, ["initiative.milestone_updated",
                                                  "indicator.observation_updated"])
    initiatives.update_milestone(world.secretary, milestone, title={"ru": "Паромный терминал"},
                                 original_language="ru", due_date=date(2026, 12, 1))
    initiatives.update_observation(world.secretary, observation, observed_on=date(2026, 1, 31),
                                   value="4.75", source="Border service")
    db.session.commit()
    bodies = [Webhook(endpoint.secret).verify(item.body, item.headers) for item in receiver.received]
    assert [body["type"] for body in bodies] == ["initiative.milestone_updated",
                                                 "indicator.observation_updated"]
    assert bodies[0]["data"]["milestones"][0]["due_date"] == "2026-12-01"
    assert bodies[1]["data"]["latest_observation"]["value"] == 4.75
