"""API v1: the token's owner, working groups, organisations, countries and regions (read only)."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from council.api.access import current_token
from council.api.blueprints import ID, resource_blueprint
from council.api.pagination import PageQuerySchema, page_of, page_schema
from council.api.schemas import (
    CountrySchema,
    MeSchema,
    OrganisationQuerySchema,
    OrganisationSchema,
    RegionQuerySchema,
    RegionSchema,
    WorkingGroupDetailSchema,
    WorkingGroupQuerySchema,
    WorkingGroupSchema,
)
from council.auth.permissions import require
from council.directory import services
from council.directory.models import Country, Membership, Organisation, Region, User, WorkingGroup
from council.extensions import db

me = resource_blueprint("me", __name__, "The person a token belongs to.")
groups = resource_blueprint("working-groups", __name__, "The council's thematic working groups.")
organisations = resource_blueprint("organisations", __name__,
                                   "Akimats, hyakimliks, ministries and the other organisations.")
places = resource_blueprint("places", __name__, "Countries and their regions.")


def _council_id() -> int:
    require(current_user, "directory.view", current_user.council_id)
    return int(current_user.council_id)


@me.get("/me")
@me.response(200, MeSchema)
def whoami() -> dict[str, Any]:
    """The token's owner, their working groups and what the token may do."""
    person: User = current_user._get_current_object()
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == person.id)
                                     .order_by(Membership.group_id))
    token = current_token()
    return {"id": person.id, "name": person.name, "email": person.email, "position": person.position,
            "role": person.role, "council_id": person.council_id,
            "organisation_id": person.organisation_id, "language": person.language,
            "time_zone": person.time_zone, "memberships": list(memberships), "token": token}


@groups.get("/groups")
@groups.arguments(WorkingGroupQuerySchema, location="query")
@groups.response(200, page_schema(WorkingGroupSchema))
def list_groups(args: dict[str, Any]) -> dict[str, Any]:
    """Working groups, by code."""
    return page_of(services.groups_query(_council_id(), active=args.get("active")), args)


@groups.get(f"/groups/<{ID}:group_id>")
@groups.response(200, WorkingGroupDetailSchema)
def get_group(group_id: int) -> WorkingGroup:
    """A working group with its co-chairs, members and observers."""
    group: WorkingGroup = services.get_in_council(
        WorkingGroup, group_id, _council_id(),
        selectinload(WorkingGroup.memberships).selectinload(Membership.user))
    return group


@organisations.get("/organisations")
@organisations.arguments(OrganisationQuerySchema, location="query")
@organisations.response(200, page_schema(OrganisationSchema))
def list_organisations(args: dict[str, Any]) -> dict[str, Any]:
    """Organisations, by country and code; the same filters as the organisations page."""
    query = services.organisations_query(
        _council_id(), country=args.get("country"), region_id=args.get("region"),
        kind=args.get("kind"), text=args.get("q"))
    return page_of(query.order_by(Organisation.id), args)


@organisations.get(f"/organisations/<{ID}:organisation_id>")
@organisations.response(200, OrganisationSchema)
def get_organisation(organisation_id: int) -> Organisation:
    record: Organisation = services.get_in_council(Organisation, organisation_id, _council_id())
    return record


@places.get("/countries")
@places.arguments(PageQuerySchema, location="query")
@places.response(200, page_schema(CountrySchema))
def list_countries(args: dict[str, Any]) -> dict[str, Any]:
    _council_id()
    return page_of(select(Country).order_by(Country.code), args)


@places.get("/regions")
@places.arguments(RegionQuerySchema, location="query")
@places.response(200, page_schema(RegionSchema))
def list_regions(args: dict[str, Any]) -> dict[str, Any]:
    """Oblasts, velayats, districts, etraps and cities."""
    _council_id()
    query = select(Region).order_by(Region.country_code, Region.code, Region.id)
    if args.get("country"):
        query = query.where(Region.country_code == args["country"])
    return page_of(query, args)


BLUEPRINTS = (me, groups, organisations, places)
