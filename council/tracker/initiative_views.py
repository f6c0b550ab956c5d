"""Tracker pages: initiatives, their milestones, indicators and observations (routes on the tracker
blueprint)."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from council.auth.permissions import require
from council.directory.models import WorkingGroup
from council.directory.services import get_in_council
from council.extensions import db
from council.forms import submit_form
from council.timeutil import council_today
from council.tracker import initiatives as tracker_initiatives
from council.tracker import queries
from council.tracker.forms import (
    IndicatorForm,
    InitiativeForm,
    MilestoneDoneForm,
    MilestoneForm,
    ObservationForm,
)
from council.tracker.models import (
    Commitment,
    Indicator,
    Initiative,
    Milestone,
    Observation,
)
from council.tracker.views import _group_choices, _initiative_choices, bp
from council.web import arg_int, current_council, paginate


@bp.get("/initiatives")
def initiatives() -> str:
    council = current_council()
    text = (request.args.get("q") or "").strip()
    query = select(Initiative).where(Initiative.council_id == council.id)
    if text:
        query = query.where(Initiative.search_text.contains(text.casefold(), autoescape=True))
    page = paginate(query.options(selectinload(Initiative.milestones), selectinload(Initiative.group))
                    .order_by(Initiative.code))
    return render_template("tracker/initiatives.html", page=page, text=text,
                           today=council_today())


def _initiative_form(obj: Initiative | None = None) -> InitiativeForm:
    form = InitiativeForm(obj=obj)
    form.group_id.choices = _group_choices(current_user.council_id, empty=True)
    return form


def _initiative_values(form: InitiativeForm) -> dict[str, Any]:
    group = get_in_council(WorkingGroup, form.group_id.data, current_user.council_id) \
        if form.group_id.data else None
    return dict(code=form.code.data or "", name=form.name.data, description=form.description.data,
                original_language=form.original_language.data, group=group)


@bp.route("/initiatives/new", methods=["GET", "POST"])
def new_initiative() -> Any:
    council = current_council()
    require(current_user, "initiative.manage", council.id)
    form = _initiative_form()

    def page() -> str:
        return render_template("tracker/initiative_form.html", form=form, initiative=None)

    return submit_form(form, page, lambda: tracker_initiatives.create_initiative(
        current_user, council, **_initiative_values(form)),
        _("Initiative created."), lambda created: url_for(".initiative", initiative_id=created.id))


@bp.route("/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
def edit_initiative(initiative_id: int) -> Any:
    record = get_in_council(Initiative, initiative_id, current_user.council_id)
    require(current_user, "initiative.manage", record.council_id)
    form = _initiative_form(record)

    def page() -> str:
        return render_template("tracker/initiative_form.html", form=form, initiative=record)

    return submit_form(form, page, lambda: tracker_initiatives.update_initiative(
        current_user, record, **_initiative_values(form)),
        _("Initiative saved."), lambda saved: url_for(".initiative", initiative_id=record.id))


def _initiative_page(record: Initiative, **forms: Any) -> str:
    today = council_today()
    page = paginate(select(Commitment).where(Commitment.initiative_id == record.id)
                    .options(selectinload(Commitment.organisation), selectinload(Commitment.owner),
                             selectinload(Commitment.recommendation))
                    .order_by(Commitment.due_date, Commitment.id))
    forms.setdefault("milestone_form", MilestoneForm(formdata=None))
    forms.setdefault("done_form", MilestoneDoneForm(formdata=None, completed_on=today))
    return render_template("tracker/initiative.html", initiative=record, page=page, today=today,
                           history=queries.history_of("initiative", record.id, arg_int("history")), **forms)


@bp.get("/initiatives/<int:initiative_id>")
def initiative(initiative_id: int) -> str:
    return _initiative_page(get_in_council(Initiative, initiative_id, current_user.council_id))


@bp.post("/initiatives/<int:initiative_id>/milestones")
def add_milestone(initiative_id: int) -> Any:
    record = get_in_council(Initiative, initiative_id, current_user.council_id)
    require(current_user, "initiative.manage", record.council_id)
    form = MilestoneForm()
    return submit_form(form, lambda: _initiative_page(record, milestone_form=form),
                   lambda: tracker_initiatives.add_milestone(
                       current_user, record, title=form.title.data,
                       original_language=form.original_language.data, due_date=form.due_date.data,
                       completed_on=form.completed_on.data),
                   _("Milestone added."), lambda saved: url_for(".initiative", initiative_id=record.id))


@bp.post("/initiatives/<int:initiative_id>/milestones/<int:milestone_id>/done")
def milestone_done(initiative_id: int, milestone_id: int) -> Any:
    record = get_in_council(Initiative, initiative_id, current_user.council_id)
    milestone = _milestone_of(record, milestone_id)
    form = MilestoneDoneForm()
    return submit_form(form, lambda: _initiative_page(record, done_form=form),
                   lambda: tracker_initiatives.complete_milestone(current_user, milestone,
                                                                  form.completed_on.data),
                   _("Milestone saved."), lambda saved: url_for(".initiative", initiative_id=record.id))


def _milestone_of(initiative: Initiative, milestone_id: int) -> Milestone:
    milestone = db.get_or_404(Milestone, milestone_id)
    if milestone.initiative_id != initiative.id:
        abort(404)
    return milestone


@bp.route("/initiatives/<int:initiative_id>/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
def edit_milestone(initiative_id: int, milestone_id: int) -> Any:
    record = get_in_council(Initiative, initiative_id, current_user.council_id)
    milestone = _milestone_of(record, milestone_id)
    require(current_user, "initiative.manage", record.council_id)
    form = MilestoneForm(obj=milestone)
    del form.completed_on  # reached or reopened with the buttons of the initiative's page

    def page() -> str:
        return render_template("tracker/milestone_form.html", form=form, initiative=record,
                               milestone=milestone)

    return submit_form(form, page, lambda: tracker_initiatives.update_milestone(
        current_user, milestone, title=form.title.data, original_language=form.original_language.data,
        due_date=form.due_date.data),
        _("Milestone saved."), lambda saved: url_for(".initiative", initiative_id=record.id))


@bp.get("/indicators")
def indicators() -> str:
    council = current_council()
    page = paginate(select(Indicator).where(Indicator.council_id == council.id)
                    .options(selectinload(Indicator.group)).order_by(Indicator.code))
    latest = queries.latest_observations([i.id for i in page.items])
    return render_template("tracker/indicators.html", page=page, latest=latest)


def _indicator_form(obj: Indicator | None = None) -> IndicatorForm:
    form = IndicatorForm(obj=obj)
    form.group_id.choices = _group_choices(current_user.council_id, empty=True)
    form.initiative_id.choices = _initiative_choices(current_user.council_id)
    return form


def _indicator_values(form: IndicatorForm) -> dict[str, Any]:
    council_id = current_user.council_id
    return dict(
        code=form.code.data or "", name=form.name.data, description=form.description.data,
        original_language=form.original_language.data, unit=form.unit.data or "",
        baseline_value=form.baseline_value.data, baseline_date=form.baseline_date.data,
        target_value=form.target_value.data, target_date=form.target_date.data,
        group=get_in_council(WorkingGroup, form.group_id.data, council_id) if form.group_id.data else None,
        initiative=get_in_council(Initiative, form.initiative_id.data, council_id)
        if form.initiative_id.data else None)


@bp.route("/indicators/new", methods=["GET", "POST"])
def new_indicator() -> Any:
    council = current_council()
    require(current_user, "indicator.manage", council.id)
    form = _indicator_form()

    def page() -> str:
        return render_template("tracker/indicator_form.html", form=form, indicator=None)

    return submit_form(form, page, lambda: tracker_initiatives.create_indicator(
        current_user, council, **_indicator_values(form)),
        _("Indicator created."), lambda created: url_for(".indicator", indicator_id=created.id))


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
def edit_indicator(indicator_id: int) -> Any:
    record = get_in_council(Indicator, indicator_id, current_user.council_id)
    require(current_user, "indicator.manage", record.council_id)
    form = _indicator_form(record)

    def page() -> str:
        return render_template("tracker/indicator_form.html", form=form, indicator=record)

    return submit_form(form, page, lambda: tracker_initiatives.update_indicator(
        current_user, record, **_indicator_values(form)),
        _("Indicator saved."), lambda saved: url_for(".indicator", indicator_id=record.id))


def _indicator_page(record: Indicator, **forms: Any) -> str:
    forms.setdefault("observation_form", ObservationForm(formdata=None))
    observations = queries.observations_of(record.id, arg_int("observations"))
    latest = observations.items[0] if observations.page == 1 and observations.items else \
        queries.latest_observations([record.id]).get(record.id)
    return render_template("tracker/indicator.html", indicator=record, observations=observations,
                           latest=latest,
                           history=queries.history_of("indicator", record.id, arg_int("history")), **forms)


@bp.get("/indicators/<int:indicator_id>")
def indicator(indicator_id: int) -> str:
    return _indicator_page(get_in_council(Indicator, indicator_id, current_user.council_id))


@bp.post("/indicators/<int:indicator_id>/observations")
def record_observation(indicator_id: int) -> Any:
    record = get_in_council(Indicator, indicator_id, current_user.council_id)
    require(current_user, "indicator.observe", record)
    form = ObservationForm()
    return submit_form(form, lambda: _indicator_page(record, observation_form=form),
                   lambda: tracker_initiatives.record_observation(
                       current_user, record, observed_on=form.observed_on.data, value=form.value.data,
                       source=form.source.data or "", note=form.note.data),
                   _("Value recorded."), lambda saved: url_for(".indicator", indicator_id=record.id))


@bp.route("/indicators/<int:indicator_id>/observations/<int:observation_id>/edit", methods=["GET", "POST"])
def edit_observation(indicator_id: int, observation_id: int) -> Any:
    record = get_in_council(Indicator, indicator_id, current_user.council_id)
    observation = db.get_or_404(Observation, observation_id)
    if observation.indicator_id != record.id:
        abort(404)
    require(current_user, "indicator.observe", record)
    # The value as text (12.5, not the stored Decimal 12.5000), for the form and its checks alike.
    form = ObservationForm(data=dict(observed_on=observation.observed_on, source=observation.source,
                                     note=observation.note,
                                     value=format(observation.value.normalize(), "f")))

    def page() -> str:
        return render_template("tracker/observation_form.html", form=form, indicator=record,
                               observation=observation)

    return submit_form(form, page, lambda: tracker_initiatives.update_observation(
        current_user, observation, observed_on=form.observed_on.data, value=form.value.data,
        source=form.source.data or "", note=form.note.data),
        _("Value saved."), lambda saved: url_for(".indicator", indicator_id=record.id))
