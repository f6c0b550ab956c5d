"""An organisation's endpoint lives as long as its owner may register it: when they revoke their last
personal access token, or leave the organisation, their endpoints stop and they are told."""

from __future__ import annotations

from sqlalchemy import select

from council.api import services as api_services
from council.api.models import ApiToken, TokenScope
from council.directory import services as directory
from council.extensions import db
from council.tracker import services as tracker
from council.tracker.models import CommitmentStatus
from council.webhooks.models import DeliveryState, DisabledReason, WebhookDelivery, WebhookEndpoint
from tests.factories import OrganisationFactory
from tests.webhooks.conftest import endpoint_for
from tests.webhooks.test_delivery import BLOCKED, block, commitment_of, rows


def token_of(person, name):
    token, _secret = api_services.create_token(person, name=name, scope=TokenScope.READ_WRITE)
    db.session.commit()
    return token


def organisation_endpoint(world, receiver):
    return endpoint_for(world, receiver.url, [BLOCKED], owner=world.member, organisation_id=world.kz_org.id)


def endpoint_now(endpoint):
    db.session.expire_all()
    return db.session.get(WebhookEndpoint, endpoint.id)


def told(mail_sink, address="member@example.org"):
    return [mail_sink.text_of(message) for message in mail_sink.to(address)]


def test_revoking_the_last_token_stops_the_endpoint_and_tells_its_owner(world, receiver, mail_sink):
    commitment = commitment_of(world)
    first, second = token_of(world.member, "Akimat ERP"), token_of(world.member, "Akimat reports")
    endpoint = organisation_endpoint(world, receiver)

    api_services.revoke_token(world.member, first)
    db.session.commit()
    assert endpoint_now(endpoint).active  # one token left: still theirs to keep

    receiver.stop()  # a delivery waiting when the last token goes is not sent later
    block(world, commitment)
    [waiting] = rows()
    api_services.revoke_token(world.member, db.session.get(ApiToken, second.id))
    db.session.commit()
    stopped = endpoint_now(endpoint)
    assert not stopped.active and stopped.disabled_reason == DisabledReason.NO_ACCESS
    assert db.session.get(WebhookDelivery, waiting.id).state == DeliveryState.FAILED
    assert any("Your webhook endpoint Akimat system is turned off" in text
               and "no longer hold an active personal access token" in text for text in told(mail_sink))

    receiver.start()
    tracker.change_commitment_status(world.member, commitment, CommitmentStatus.IN_PROGRESS)
    db.session.commit()
    assert receiver.received == [] and len(rows()) == 1  # nothing more written, nothing sent


def test_leaving_the_organisation_stops_its_endpoints(world, receiver, mail_sink):
    commitment = commitment_of(world)
    token_of(world.member, "Akimat ERP")
    endpoint = organisation_endpoint(world, receiver)
    council_wide = endpoint_for(world, receiver.url, [BLOCKED])  # the secretary's: not touched
    elsewhere = OrganisationFactory(council=world.council, code="aktau-port")
    directory.update_person_role(world.secretary, world.member, role=world.member.role,
                                 organisation_id=elsewhere.id, active=True)
    db.session.commit()
    assert not endpoint_now(endpoint).active
    assert endpoint_now(endpoint).disabled_reason == DisabledReason.NO_ACCESS
    assert endpoint_now(council_wide).active
    assert any("is turned off" in text for text in told(mail_sink))

    block(world, commitment)
    assert [row.endpoint_id for row in rows()] == [council_wide.id]
    assert len(receiver.received) == 1


def test_an_unrelated_change_of_the_person_keeps_the_endpoint(world, receiver):
    token_of(world.member, "Akimat ERP")
    endpoint = organisation_endpoint(world, receiver)
    directory.update_profile(world.member, world.member, name="Nurlan Member-Akimat", position="Analyst",
                             language="kk", time_zone="Asia/Aqtau")
    db.session.commit()
    assert endpoint_now(endpoint).active
    assert db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(False))).all() == []
