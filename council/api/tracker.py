"""API v1 tracker: recommendations, commitments, progress updates, initiatives and indicators.

Reads take the filters of the web lists; changes go through council.tracker.services, the very functions
the web pages call, so permissions, transitions (409 when not allowed) and events are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from council.api import writes
from council.api.blueprints import ID, resource_blueprint
from council.api.pagination import PageQuerySchema, page_of, page_schema
from council.api.schemas import (
    CommitmentQuerySchema,
    CommitmentSchema,
    CommitmentStatusSchema,
    IndicatorDetailSchema,
    IndicatorQuerySchema,
    IndicatorSchema,
    InitiativeDetailSchema,
    InitiativeQuerySchema,
    InitiativeSchema,
    ObservationInputSchema,
    ObservationQuerySchema,
    ObservationSchema,
    ProgressReportSchema,
    ProgressUpdateQuerySchema,
    ProgressUpdateSchema,
    RecommendationQuerySchema,
    RecommendationSchema,
    RecommendationStatusSchema,
)
from council.auth.permissions import require
from council.directory.models import User
from council.directory.services import get_in_council
from council.errors import NotFound
from council.extensions import db
from council.timeutil import council_today
from council.tracker import initiatives as tracker_initiatives
from council.tracker import queries, services
from council.tracker.models import (
    Commitment,
    Indicator,
    Initiative,
    Observation,
    ProgressUpdate,
    Recommendation,
)

recommendations = resource_blueprint("recommendations", __name__,
                                     "What the council and its working groups recommend.")
commitments = resource_blueprint("commitments", __name__,
                                 "What each organisation undertook to do about a recommendation.")
progress_updates = resource_blueprint("progress-updates", __name__,
                                      "Reports on commitments: percent done, status, note, evidence.")
initiatives = resource_blueprint("initiatives", __name__,
                                 "Long-running joint projects, with their milestones.")
indicators = resource_blueprint("indicators", __name__,
                                "Measured figures with a baseline, a target and observations.")

CONFLICT = {"description": "The record's status does not allow this change.",
            "content_type": "application/json"}


def _council_id() -> int:
    require(current_user, "tracker.view", current_user.council_id)
    return int(current_user.council_id)


def _actor() -> User:
    person: User = current_user._get_current_object()
    return person


def _matching(text: str | None, column: Any) -> Any:
    return column.contains(text.casefold(), autoescape=True) if text else None


def _filtered(query: Select[Any], *conditions: Any) -> Select[Any]:
    return query.where(*[condition for condition in conditions if condition is not None])


# Recommendations --------------------------------------------------------------------------------


def _list_filters(args: dict[str, Any]) -> queries.Filters:
    """The web lists' filters, from the API's query string."""
    return queries.Filters(
        group_id=args.get("group"), country=args.get("country"), organisation_id=args.get("organisation"),
        owner_id=args.get("owner"), status=args["status"].value if "status" in args else None,
        overdue=args.get("overdue", False), due_within=args.get("due_within"), text=args.get("q"),
        sort=args.get("sort", ""))


def _record_routes(blueprint: Blueprint, model: type[Any], schema: type[Schema],
                   status_schema: type[Schema], change: Callable[..., Any], change_doc: str) -> None:
    """Declare a tracker record's read (`GET /<records>/<id>`) and its status change
    (`POST /<records>/<id>/status`, through the same service as the pages, 409 when the status does not
    allow it). Endpoint names stay `get_<record>` and `change_<record>_status`."""
    name = model.__tablename__
    path = f"/{name}s/<{ID}:{name}_id>"

    def read(**ids: int) -> Any:
        return get_in_council(model, ids[f"{name}_id"], _council_id())

    def change_status(args: dict[str, Any], **ids: int) -> Any:
        record = get_in_council(model, ids[f"{name}_id"], _council_id())
        change(_actor(), record, args["status"], args.get("reason"))
        writes.saved()
        return record

    change_status.__doc__ = change_doc
    blueprint.get(path, endpoint=f"get_{name}")(blueprint.response(200, schema)(read))
    blueprint.post(f"{path}/status", endpoint=f"change_{name}_status")(
        writes.change(blueprint.arguments(status_schema)(blueprint.response(200, schema)(
            blueprint.alt_response(409, schema="Error", **CONFLICT)(change_status)))))


@recommendations.get("/recommendations")
@recommendations.arguments(RecommendationQuerySchema, location="query")
@recommendations.response(200, page_schema(RecommendationSchema))
def list_recommendations(args: dict[str, Any]) -> dict[str, Any]:
    """Recommendations with the filters and orders of the recommendations list."""
    query = _filtered(
        queries.recommendations_query(_council_id(), _list_filters(args), council_today()),
        Recommendation.priority == args["priority"] if "priority" in args else None,
        Recommendation.source == args["source"] if "source" in args else None,
        Recommendation.is_public.is_(args["public"]) if "public" in args else None)
    return page_of(query, args)


_record_routes(recommendations, Recommendation, RecommendationSchema, RecommendationStatusSchema,
               services.change_recommendation_status,
               "Adopt, reject, withdraw, or mark implemented or superseded (secretaries and co-chairs).")


# Commitments ------------------------------------------------------------------------------------


@commitments.get("/commitments")
@commitments.arguments(CommitmentQuerySchema, location="query")
@commitments.response(200, page_schema(CommitmentSchema))
def list_commitments(args: dict[str, Any]) -> dict[str, Any]:
    """Commitments with the filters and orders of the commitments list (by due date by default)."""
    query = _filtered(
        queries.commitments_query(_council_id(), _list_filters(args), council_today()),
        Commitment.recommendation_id == args["recommendation"] if "recommendation" in args else None,
        Commitment.initiative_id == args["initiative"] if "initiative" in args else None,
        Commitment.due_date >= args["due_after"] if "due_after" in args else None,
        Commitment.due_date <= args["due_before"] if "due_before" in args else None)
    return page_of(query, args)


_record_routes(commitments, Commitment, CommitmentSchema, CommitmentStatusSchema,
               services.change_commitment_status,
               "Move a commitment: start, report done, block, cancel; verify or send back (verifiers).")


@commitments.get(f"/commitments/<{ID}:commitment_id>/progress-updates")
@commitments.arguments(PageQuerySchema, location="query")
@commitments.response(200, page_schema(ProgressUpdateSchema))
def list_commitment_updates(args: dict[str, Any], commitment_id: int) -> dict[str, Any]:
    """A commitment's progress reports, newest first."""
    record: Commitment = get_in_council(Commitment, commitment_id, _council_id())
    return page_of(_updates().where(ProgressUpdate.commitment_id == record.id), args)


@commitments.post(f"/commitments/<{ID}:commitment_id>/progress-updates")
@writes.change
@commitments.arguments(ProgressReportSchema)
@commitments.response(201, ProgressUpdateSchema, headers={"Location": {
    "description": "The new progress update.", "schema": {"type": "string"}}})
@commitments.alt_response(409, schema="Error", **CONFLICT)
def report_progress(args: dict[str, Any], commitment_id: int) -> tuple[ProgressUpdate, int, dict[str, str]]:
    """Report progress (owners and members of the responsible organisation, co-chairs, secretaries)."""
    record: Commitment = get_in_council(Commitment, commitment_id, _council_id())
    update = services.report_progress(_actor(), record, progress=args["progress"],
                                      status=args.get("status"), note=args.get("note"),
                                      links=args.get("links", []))
    writes.saved()
    return update, 201, {"Location": url_for("progress-updates.get_progress_update",
                                             update_id=update.id)}


# Progress updates -------------------------------------------------------------------------------


def _updates() -> Select[Any]:
    return (select(ProgressUpdate).options(selectinload(ProgressUpdate.evidence))
            .order_by(ProgressUpdate.id.desc()))


@progress_updates.get("/progress-updates")
@progress_updates.arguments(ProgressUpdateQuerySchema, location="query")
@progress_updates.response(200, page_schema(ProgressUpdateSchema))
def list_progress_updates(args: dict[str, Any]) -> dict[str, Any]:
    """Progress reports of the council, newest first: what changed since a moment, per group or
    organisation."""
    scope = select(Commitment.id).where(Commitment.council_id == _council_id())
    scope = _filtered(scope,
                      Commitment.id == args["commitment"] if "commitment" in args else None,
                      Commitment.group_id == args["group"] if "group" in args else None,
                      Commitment.organisation_id == args["organisation"] if "organisation" in args
                      else None)
    query = _filtered(_updates().where(ProgressUpdate.commitment_id.in_(scope)),
                      ProgressUpdate.created_at >= args["since"] if "since" in args else None)
    return page_of(query, args)


@progress_updates.get(f"/progress-updates/<{ID}:update_id>")
@progress_updates.response(200, ProgressUpdateSchema)
def get_progress_update(update_id: int) -> ProgressUpdate:
    update = db.session.get(ProgressUpdate, update_id)
    if update is None or update.commitment.council_id != _council_id():
        raise NotFound(_("There is nothing at this address."))
    return update


# Initiatives ------------------------------------------------------------------------------------


@initiatives.get("/initiatives")
@initiatives.arguments(InitiativeQuerySchema, location="query")
@initiatives.response(200, page_schema(InitiativeSchema))
def list_initiatives(args: dict[str, Any]) -> dict[str, Any]:
    query = _filtered(select(Initiative).where(Initiative.council_id == _council_id()),
                      Initiative.group_id == args["group"] if "group" in args else None,
                      _matching(args.get("q"), Initiative.search_text))
    return page_of(query.order_by(Initiative.code, Initiative.id), args)


@initiatives.get(f"/initiatives/<{ID}:initiative_id>")
@initiatives.response(200, InitiativeDetailSchema)
def get_initiative(initiative_id: int) -> Initiative:
    """An initiative with its milestones, by due date."""
    record: Initiative = get_in_council(Initiative, initiative_id, _council_id(),
                                        selectinload(Initiative.milestones))
    return record


# Indicators and observations --------------------------------------------------------------------


@indicators.get("/indicators")
@indicators.arguments(IndicatorQuerySchema, location="query")
@indicators.response(200, page_schema(IndicatorSchema))
def list_indicators(args: dict[str, Any]) -> dict[str, Any]:
    query = _filtered(select(Indicator).where(Indicator.council_id == _council_id()),
                      Indicator.group_id == args["group"] if "group" in args else None,
                      Indicator.initiative_id == args["initiative"] if "initiative" in args else None,
                      _matching(args.get("q"), Indicator.search_text))
    return page_of(query.order_by(Indicator.code, Indicator.id), args)


def _observations(indicator: Indicator) -> Select[Any]:
    return (select(Observation).where(Observation.indicator_id == indicator.id)
            .order_by(Observation.observed_on.desc(), Observation.id.desc()))


@indicators.get(f"/indicators/<{ID}:indicator_id>")
@indicators.response(200, IndicatorDetailSchema)
def get_indicator(indicator_id: int) -> dict[str, Any]:
    """An indicator with its latest observation."""
    return indicator_detail(get_in_council(Indicator, indicator_id, _council_id()))


def indicator_detail(record: Indicator) -> dict[str, Any]:
    """An indicator as GET shows it (and PATCH answers): with its latest observation."""
    latest = db.session.scalar(_observations(record).limit(1))
    return {**{name: getattr(record, name) for name in IndicatorSchema().fields},
            "latest_observation": latest}


@indicators.get(f"/indicators/<{ID}:indicator_id>/observations")
@indicators.arguments(ObservationQuerySchema, location="query")
@indicators.response(200, page_schema(ObservationSchema))
def list_observations(args: dict[str, Any], indicator_id: int) -> dict[str, Any]:
    """An indicator's values, newest first."""
    record: Indicator = get_in_council(Indicator, indicator_id, _council_id())
    query = _filtered(_observations(record),
                      Observation.observed_on >= args["since"] if "since" in args else None,
                      Observation.observed_on <= args["until"] if "until" in args else None)
    return page_of(query, args)


@indicators.post(f"/indicators/<{ID}:indicator_id>/observations")
@writes.change
@indicators.arguments(ObservationInputSchema)
@indicators.response(201, ObservationSchema)
@indicators.alt_response(409, schema="Error", description="There is already a value for this date.",
                         content_type="application/json")
def record_observation(args: dict[str, Any], indicator_id: int) -> tuple[Observation, int]:
    """Record a dated value with its source (secretaries and the co-chairs of the indicator's group)."""
    record: Indicator = get_in_council(Indicator, indicator_id, _council_id())
    observation = tracker_initiatives.record_observation(_actor(), record, observed_on=args["observed_on"],
                                              value=args["value"], source=args["source"],
                                              note=args.get("note"))
    writes.saved()
    return observation, 201


BLUEPRINTS = (recommendations, commitments, progress_updates, initiatives, indicators)
