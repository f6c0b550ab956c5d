"""API v1 tracker changes: create (POST) and edit (PATCH) recommendations, commitments (and their
counterparts on the other side), initiatives and their milestones, and indicators.

Each calls the very service the web form calls (council.tracker.services and .initiatives), so the
permissions, the parity rules (a counterpart on the other side of the border, never one's own) and
the events are the pages'. PATCH needs If-Match with the record's ETag (council.api.writes).
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from council.api.blueprints import ID
from council.api.schemas import (
    CommitmentSchema,
    IndicatorDetailSchema,
    InitiativeDetailSchema,
    MilestoneSchema,
    ObservationInputSchema,
    ObservationSchema,
    RecommendationSchema,
)
from council.api.tracker import (
    CONFLICT,
    _actor,
    _council_id,
    commitments,
    indicator_detail,
    indicators,
    initiatives,
    recommendations,
)
from council.api.write_schemas import (
    CommitmentEditSchema,
    CommitmentInputSchema,
    IndicatorInputSchema,
    InitiativeInputSchema,
    MilestoneInputSchema,
    RecommendationEditSchema,
    RecommendationInputSchema,
    patch_of,
)
from council.api.writes import change, merged, referenced, require_current, saved
from council.directory.models import Council, Organisation, User, WorkingGroup
from council.directory.services import get_in_council
from council.errors import NotFound
from council.extensions import db
from council.http_messages import missing_record
from council.tracker import initiatives as tracker_initiatives
from council.tracker import services
from council.tracker.models import (
    Commitment,
    Indicator,
    Initiative,
    Milestone,
    Observation,
    Recommendation,
)

LOCATION = {"Location": {"description": "The new record.", "schema": {"type": "string"}}}
PRECONDITIONS = (
    (412, "The record changed since the ETag sent in If-Match was read: read it again."),
    (428, "If-Match is missing: send the ETag of the record as read (GET)."),
)


def documented_patch(blueprint: Any) -> Any:
    """The answers every PATCH has besides its 200: 409 for a closed record, 412 and 428."""
    def decorate(view: Any) -> Any:
        view = blueprint.alt_response(409, schema="Error", **CONFLICT)(view)
        for status, description in PRECONDITIONS:
            view = blueprint.alt_response(status, schema="Error", description=description,
                                          content_type="application/json")(view)
        return view
    return decorate


def _group(group_id: int | None, council_id: int) -> WorkingGroup | None:
    found: WorkingGroup | None = referenced(WorkingGroup, group_id, council_id, "group_id",
                                            _("Choose a working group of this council."))
    return found


def _initiative(initiative_id: int | None, council_id: int) -> Initiative | None:
    found: Initiative | None = referenced(Initiative, initiative_id, council_id, "initiative_id",
                                          _("Choose an initiative of this council."))
    return found


def _council() -> Council:
    council = db.session.get(Council, _council_id())
    assert council is not None  # noqa: S101  the reader's own council; narrows the type
    return council


# Recommendations --------------------------------------------------------------------------------


@recommendations.post("/recommendations")
@change
@recommendations.arguments(RecommendationInputSchema)
@recommendations.response(201, RecommendationSchema, headers=LOCATION)
@recommendations.alt_response(409, schema="Error", description="The code is already used.",
                              content_type="application/json")
def create_recommendation(args: dict[str, Any]) -> tuple[Recommendation, int, dict[str, str]]:
    """Record a proposed recommendation (secretaries, and the co-chairs of its working group)."""
    council_id = _council_id()
    group = referenced(WorkingGroup, args.pop("group_id"), council_id, "group_id",
                       _("Choose the working group."))
    record = services.create_recommendation(_actor(), group, **{
        "source_reference": None, **args})
    saved()
    return record, 201, {"Location": url_for("recommendations.get_recommendation",
                                             recommendation_id=record.id)}


def _recommendation_values(record: Recommendation) -> dict[str, Any]:
    return {name: getattr(record, name) for name in RecommendationEditSchema().fields}


@recommendations.patch(f"/recommendations/<{ID}:recommendation_id>")
@change
@recommendations.arguments(patch_of(RecommendationEditSchema))
@recommendations.response(200, RecommendationSchema)
@documented_patch(recommendations)
def edit_recommendation(args: dict[str, Any], recommendation_id: int) -> Recommendation:
    """Change a recommendation's wording, source, priority or public flag (not its status or group)."""
    record: Recommendation = get_in_council(Recommendation, recommendation_id, _council_id())
    require_current(RecommendationSchema, record)
    services.update_recommendation(_actor(), record, **merged(_recommendation_values(record), args))
    saved()
    return record


# Commitments ------------------------------------------------------------------------------------


def _commitment_records(args: dict[str, Any], council_id: int) -> dict[str, Any]:
    """The records a commitment's body names by id, each checked to be of the council."""
    values = dict(args)
    values["organisation"] = referenced(Organisation, values.pop("organisation_id", None), council_id,
                                        "organisation_id", _("Choose the responsible organisation."))
    values["owner"] = referenced(User, values.pop("owner_id", None), council_id, "owner_id",
                                 _("The owner must be an active member of the responsible organisation."))
    values["counterpart"] = referenced(Commitment, values.pop("counterpart_id", None), council_id,
                                       "counterpart_id", _("Choose a commitment of this council."))
    values["initiative"] = _initiative(values.pop("initiative_id", None), council_id)
    return values


@commitments.post("/commitments")
@change
@commitments.arguments(CommitmentInputSchema)
@commitments.response(201, CommitmentSchema, headers=LOCATION)
@commitments.alt_response(409, schema="Error", description="The recommendation is not adopted, or the "
                          "code is already used.", content_type="application/json")
def create_commitment(args: dict[str, Any]) -> tuple[Commitment, int, dict[str, str]]:
    """An organisation's commitment under an adopted recommendation, optionally paired with its
    counterpart on the other side of the border (secretaries, and the co-chairs of its group)."""
    council_id = _council_id()
    recommendation = referenced(Recommendation, args.pop("recommendation_id"), council_id,
                                "recommendation_id", missing_record("recommendation"))
    record = services.create_commitment(_actor(), recommendation,
                                        **_commitment_records(args, council_id))
    saved()
    return record, 201, {"Location": url_for("commitments.get_commitment", commitment_id=record.id)}


@commitments.patch(f"/commitments/<{ID}:commitment_id>")
@change
@commitments.arguments(patch_of(CommitmentEditSchema))
@commitments.response(200, CommitmentSchema)
@documented_patch(commitments)
def edit_commitment(args: dict[str, Any], commitment_id: int) -> Commitment:
    """Change who, what and when, or the counterpart (not the status: see /status)."""
    council_id = _council_id()
    record: Commitment = get_in_council(Commitment, commitment_id, council_id)
    require_current(CommitmentSchema, record)
    current = {name: getattr(record, name) for name in CommitmentEditSchema().fields}
    services.update_commitment(_actor(), record, **_commitment_records(merged(current, args), council_id))
    saved()
    return record


# Initiatives and milestones ---------------------------------------------------------------------


@initiatives.post("/initiatives")
@change
@initiatives.arguments(InitiativeInputSchema)
@initiatives.response(201, InitiativeDetailSchema, headers=LOCATION)
@initiatives.alt_response(409, schema="Error", description="The code is already used.",
                          content_type="application/json")
def create_initiative(args: dict[str, Any]) -> tuple[Initiative, int, dict[str, str]]:
    """A long-running joint project (secretaries)."""
    council = _council()
    group = _group(args.pop("group_id", None), council.id)
    record = tracker_initiatives.create_initiative(_actor(), council, group=group, **args)
    saved()
    return record, 201, {"Location": url_for("initiatives.get_initiative", initiative_id=record.id)}


def _initiative_detail(initiative_id: int) -> Initiative:
    record: Initiative = get_in_council(Initiative, initiative_id, _council_id(),
                                        selectinload(Initiative.milestones))
    return record


@initiatives.patch(f"/initiatives/<{ID}:initiative_id>")
@change
@initiatives.arguments(patch_of(InitiativeInputSchema))
@initiatives.response(200, InitiativeDetailSchema)
@documented_patch(initiatives)
def edit_initiative(args: dict[str, Any], initiative_id: int) -> Initiative:
    """Change an initiative's code, name, description or working group (secretaries)."""
    record = _initiative_detail(initiative_id)
    require_current(InitiativeDetailSchema, record)
    values = merged({name: getattr(record, name) for name in InitiativeInputSchema().fields}, args)
    values["group"] = _group(values.pop("group_id"), record.council_id)
    tracker_initiatives.update_initiative(_actor(), record, **values)
    saved()
    return _initiative_detail(initiative_id)


def _part_of(parent: Any, model: type[Any], record_id: int, kind: str) -> Any:
    """A milestone of this initiative, an observation of this indicator: 404 when it is another's."""
    record = db.session.get(model, record_id)
    if record is None or getattr(record, f"{type(parent).__name__.lower()}_id") != parent.id:
        raise NotFound(missing_record(kind))
    return record


def _milestone(initiative: Initiative, milestone_id: int) -> Milestone:
    milestone: Milestone = _part_of(initiative, Milestone, milestone_id, "milestone")
    return milestone


@initiatives.get(f"/initiatives/<{ID}:initiative_id>/milestones/<{ID}:milestone_id>")
@initiatives.response(200, MilestoneSchema)
def get_milestone(initiative_id: int, milestone_id: int) -> Milestone:
    initiative: Initiative = get_in_council(Initiative, initiative_id, _council_id())
    return _milestone(initiative, milestone_id)


@initiatives.post(f"/initiatives/<{ID}:initiative_id>/milestones")
@change
@initiatives.arguments(MilestoneInputSchema)
@initiatives.response(201, MilestoneSchema, headers=LOCATION)
@initiatives.alt_response(409, schema="Error", description="The initiative changed meanwhile: send it again.",
                          content_type="application/json")
def add_milestone(args: dict[str, Any], initiative_id: int) -> tuple[Milestone, int, dict[str, str]]:
    """Add a milestone to an initiative (secretaries)."""
    initiative: Initiative = get_in_council(Initiative, initiative_id, _council_id())
    milestone = tracker_initiatives.add_milestone(_actor(), initiative, **{"due_date": None, **args})
    saved()
    return milestone, 201, {"Location": url_for("initiatives.get_milestone", initiative_id=initiative.id,
                                                milestone_id=milestone.id)}


@initiatives.patch(f"/initiatives/<{ID}:initiative_id>/milestones/<{ID}:milestone_id>")
@change
@initiatives.arguments(patch_of(MilestoneInputSchema))
@initiatives.response(200, MilestoneSchema)
@documented_patch(initiatives)
def edit_milestone(args: dict[str, Any], initiative_id: int, milestone_id: int) -> Milestone:
    """Change a milestone's title or due date, mark it reached on a day, or reopen it with
    `completed_on: null` (secretaries)."""
    initiative: Initiative = get_in_council(Initiative, initiative_id, _council_id())
    milestone = _milestone(initiative, milestone_id)
    require_current(MilestoneSchema, milestone)
    current = {name: getattr(milestone, name) for name in ("title", "original_language", "due_date")}
    tracker_initiatives.update_milestone(_actor(), milestone, **merged(current, args))
    if "completed_on" in args:
        tracker_initiatives.complete_milestone(_actor(), milestone, args["completed_on"])
    saved()
    return milestone


# Indicators -------------------------------------------------------------------------------------


def _indicator_records(values: dict[str, Any], council_id: int) -> dict[str, Any]:
    values["group"] = _group(values.pop("group_id", None), council_id)
    values["initiative"] = _initiative(values.pop("initiative_id", None), council_id)
    return values


@indicators.post("/indicators")
@change
@indicators.arguments(IndicatorInputSchema)
@indicators.response(201, IndicatorDetailSchema, headers=LOCATION)
@indicators.alt_response(409, schema="Error", description="The code is already used.",
                         content_type="application/json")
def create_indicator(args: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """A measured figure with its unit, baseline and target (secretaries)."""
    council = _council()
    record = tracker_initiatives.create_indicator(_actor(), council, **_indicator_records(args, council.id))
    saved()
    return indicator_detail(record), 201, {"Location": url_for("indicators.get_indicator",
                                                               indicator_id=record.id)}


@indicators.patch(f"/indicators/<{ID}:indicator_id>")
@change
@indicators.arguments(patch_of(IndicatorInputSchema))
@indicators.response(200, IndicatorDetailSchema)
@documented_patch(indicators)
def edit_indicator(args: dict[str, Any], indicator_id: int) -> dict[str, Any]:
    """Change an indicator's wording, unit, baseline, target, group or initiative (secretaries)."""
    record: Indicator = get_in_council(Indicator, indicator_id, _council_id())
    require_current(IndicatorDetailSchema, indicator_detail(record))
    current = {name: getattr(record, name) for name in IndicatorInputSchema().fields}
    tracker_initiatives.update_indicator(_actor(), record,
                                         **_indicator_records(merged(current, args), record.council_id))
    saved()
    return indicator_detail(record)


def _observation(indicator: Indicator, observation_id: int) -> Observation:
    observation: Observation = _part_of(indicator, Observation, observation_id, "observation")
    return observation


@indicators.get(f"/indicators/<{ID}:indicator_id>/observations/<{ID}:observation_id>")
@indicators.response(200, ObservationSchema)
def get_observation(indicator_id: int, observation_id: int) -> Observation:
    indicator: Indicator = get_in_council(Indicator, indicator_id, _council_id())
    return _observation(indicator, observation_id)


@indicators.patch(f"/indicators/<{ID}:indicator_id>/observations/<{ID}:observation_id>")
@change
@indicators.arguments(patch_of(ObservationInputSchema))
@indicators.response(200, ObservationSchema)
@documented_patch(indicators)
def edit_observation(args: dict[str, Any], indicator_id: int, observation_id: int) -> Observation:
    """Correct a recorded value, its date, source or note (secretaries and the co-chairs of the
    indicator's group); another value on the new date answers 409."""
    indicator: Indicator = get_in_council(Indicator, indicator_id, _council_id())
    observation = _observation(indicator, observation_id)
    require_current(ObservationSchema, observation)
    current = {name: getattr(observation, name) for name in ObservationInputSchema().fields}
    tracker_initiatives.update_observation(_actor(), observation, **merged(current, args))
    saved()
    return observation
