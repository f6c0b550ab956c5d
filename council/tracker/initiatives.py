"""Rules for initiatives and their milestones, and for indicators and their observations.

Every change checks permission, validates and records a domain event in the caller's transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from council import conflicts, events
from council.auth.permissions import require
from council.directory.models import Council, User, WorkingGroup
from council.errors import Conflict, Problems, ValidationFailed
from council.extensions import db
from council.i18n import Translations, clean_translations
from council.records import apply_changes, require_original_text
from council.timeutil import council_today
from council.tracker.models import (
    Indicator,
    Initiative,
    Milestone,
    Observation,
    TrackerEvent,
)
from council.tracker.services import MAX_NOTE, _code, _in_council, _optional_text, _unique_code


def _initiative_values(council: Council, record: Initiative | None, *, code: str, name: Translations,
                       description: Translations, original_language: str,
                       group: WorkingGroup | None) -> dict[str, Any]:
    code = _code(code)
    name = require_original_text(name, original_language, "name")
    _unique_code(Initiative, council.id, code, record)
    if group is not None:
        _in_council(group, council.id, "group_id", _("Choose a working group of this council."))
    return dict(code=code, name=name, description=clean_translations(description),
                original_language=original_language, group_id=group.id if group else None)


def create_initiative(actor: User, council: Council, *, code: str, name: Translations,
                      description: Translations, original_language: str,
                      group: WorkingGroup | None = None) -> Initiative:
    require(actor, "initiative.manage", council.id)
    initiative = Initiative(council_id=council.id, **_initiative_values(
        council, None, code=code, name=name, description=description,
        original_language=original_language, group=group))
    db.session.add(initiative)
    conflicts.flush()
    events.record(TrackerEvent.INITIATIVE_CREATED, initiative, actor, code=initiative.code,
                  name=initiative.name)
    return initiative


def update_initiative(actor: User, initiative: Initiative, *, code: str, name: Translations,
                      description: Translations, original_language: str,
                      group: WorkingGroup | None = None) -> Initiative:
    require(actor, "initiative.manage", initiative.council_id)
    council = db.session.get(Council, initiative.council_id)
    assert council is not None  # noqa: S101  a foreign key: cannot be None; narrows the type
    changed = apply_changes(initiative, _initiative_values(
        council, initiative, code=code, name=name, description=description,
        original_language=original_language, group=group))
    conflicts.flush()
    if changed:
        events.record(TrackerEvent.INITIATIVE_UPDATED, initiative, actor, code=initiative.code,
                      changes=changed)
    return initiative


def add_milestone(actor: User, initiative: Initiative, *, title: Translations, original_language: str,
                  due_date: date | None, completed_on: date | None = None) -> Milestone:
    require(actor, "initiative.manage", initiative.council_id)
    title = require_original_text(title, original_language, "title")
    _check_reached(completed_on)
    milestone = Milestone(title=title, original_language=original_language, due_date=due_date,
                          completed_on=completed_on)
    initiative.milestones.append(milestone)
    conflicts.flush()
    events.record(TrackerEvent.INITIATIVE_MILESTONE_ADDED, initiative, actor, milestone_id=milestone.id,
                  title=title, due_date=due_date.isoformat() if due_date else None)
    return milestone


def update_milestone(actor: User, milestone: Milestone, *, title: Translations, original_language: str,
                     due_date: date | None) -> Milestone:
    """Change a milestone's wording or due date (reaching or reopening it: complete_milestone)."""
    initiative = milestone.initiative
    require(actor, "initiative.manage", initiative.council_id)
    title = require_original_text(title, original_language, "title")
    changed = apply_changes(milestone, dict(title=title, original_language=original_language,
                                            due_date=due_date))
    if changed:
        events.record(TrackerEvent.INITIATIVE_MILESTONE_UPDATED, initiative, actor, milestone_id=milestone.id,
                      title=milestone.title, due_date=due_date.isoformat() if due_date else None,
                      changes=changed)
    return milestone


def _check_reached(completed_on: date | None) -> None:
    """A milestone is reached on a past day or today, whether when it is added or later."""
    if completed_on is not None and completed_on > council_today():
        raise ValidationFailed(_("A milestone cannot be reached in the future."), field="completed_on")


def complete_milestone(actor: User, milestone: Milestone, completed_on: date | None) -> Milestone:
    """Mark a milestone reached on a date (or reopen it with None)."""
    initiative = milestone.initiative
    require(actor, "initiative.manage", initiative.council_id)
    _check_reached(completed_on)
    previous = milestone.completed_on
    milestone.completed_on = completed_on
    if previous != completed_on:
        kind = (TrackerEvent.INITIATIVE_MILESTONE_COMPLETED if completed_on
                else TrackerEvent.INITIATIVE_MILESTONE_REOPENED)
        events.record(kind, initiative, actor, milestone_id=milestone.id, title=milestone.title,
                      completed_on=completed_on.isoformat() if completed_on else None)
    return milestone


def _number(value: Any, field: str, required: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ValidationFailed(_("Enter a number."), field=field)
        return None
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        raise ValidationFailed(_("Enter a number."), field=field) from None
    if not number.is_finite() or abs(number) >= Decimal("1e14"):
        raise ValidationFailed(_("Enter a number."), field=field)
    return number


def _indicator_values(council: Council, record: Indicator | None, *, code: str, name: Translations,
                      description: Translations, original_language: str, unit: str,
                      baseline_value: Any, baseline_date: date | None, target_value: Any,
                      target_date: date | None, group: WorkingGroup | None,
                      initiative: Initiative | None) -> dict[str, Any]:
    code = _code(code)
    name = require_original_text(name, original_language, "name")
    _unique_code(Indicator, council.id, code, record)
    unit = (unit or "").strip()
    if not unit or len(unit) > 40:
        raise ValidationFailed(_("Enter the unit, e.g. USD million or hours."), field="unit")
    if baseline_date and target_date and target_date < baseline_date:
        raise ValidationFailed(_("The target date cannot be before the baseline date."),
                               field="target_date")
    if group is not None:
        _in_council(group, council.id, "group_id", _("Choose a working group of this council."))
    if initiative is not None:
        _in_council(initiative, council.id, "initiative_id", _("Choose an initiative of this council."))
    return dict(code=code, name=name, description=clean_translations(description),
                original_language=original_language, unit=unit,
                baseline_value=_number(baseline_value, "baseline_value"), baseline_date=baseline_date,
                target_value=_number(target_value, "target_value"), target_date=target_date,
                group_id=group.id if group else None,
                initiative_id=initiative.id if initiative else None)


def create_indicator(actor: User, council: Council, *, code: str, name: Translations,
                     description: Translations, original_language: str, unit: str,
                     baseline_value: Any = None, baseline_date: date | None = None,
                     target_value: Any = None, target_date: date | None = None,
                     group: WorkingGroup | None = None,
                     initiative: Initiative | None = None) -> Indicator:
    require(actor, "indicator.manage", council.id)
    indicator = Indicator(council_id=council.id, **_indicator_values(
        council, None, code=code, name=name, description=description,
        original_language=original_language, unit=unit, baseline_value=baseline_value,
        baseline_date=baseline_date, target_value=target_value, target_date=target_date,
        group=group, initiative=initiative))
    db.session.add(indicator)
    conflicts.flush()
    events.record(TrackerEvent.INDICATOR_CREATED, indicator, actor, code=indicator.code, name=indicator.name,
                  group_id=indicator.group_id)
    return indicator


def update_indicator(actor: User, indicator: Indicator, *, code: str, name: Translations,
                     description: Translations, original_language: str, unit: str,
                     baseline_value: Any = None, baseline_date: date | None = None,
                     target_value: Any = None, target_date: date | None = None,
                     group: WorkingGroup | None = None,
                     initiative: Initiative | None = None) -> Indicator:
    require(actor, "indicator.manage", indicator.council_id)
    council = db.session.get(Council, indicator.council_id)
    assert council is not None  # noqa: S101  a foreign key: cannot be None; narrows the type
    changed = apply_changes(indicator, _indicator_values(
        council, indicator, code=code, name=name, description=description,
        original_language=original_language, unit=unit, baseline_value=baseline_value,
        baseline_date=baseline_date, target_value=target_value, target_date=target_date,
        group=group, initiative=initiative))
    conflicts.flush()
    if changed:
        events.record(TrackerEvent.INDICATOR_UPDATED, indicator, actor, code=indicator.code,
                      group_id=indicator.group_id, changes=changed)
    return indicator


def _observation_values(indicator: Indicator, record: Observation | None, *, observed_on: date | None,
                        value: Any, source: str, note: str | None) -> dict[str, Any]:
    """An observation's values once every field is right; every wrong one is reported at once."""
    problems = Problems()
    if observed_on is None:
        problems.add(_("Enter the date of the value."), "observed_on")
    elif observed_on > council_today():
        problems.add(_("An observation cannot be dated in the future."), "observed_on")
    number = problems.check(_number, value, "value", required=True)
    source = (source or "").strip()
    if not source:
        problems.add(_("Name the source of the value."), "source")
    elif len(source) > 300:
        problems.add(_("Use at most %(count)s characters.", count=300), "source")
    note = problems.check(_optional_text, note, MAX_NOTE, "note")
    problems.raise_any()
    clash = db.session.scalar(select(Observation.id).where(
        Observation.indicator_id == indicator.id, Observation.observed_on == observed_on))
    if clash is not None and (record is None or clash != record.id):
        raise Conflict(_("There is already a value for this date."), field="observed_on")
    return dict(observed_on=observed_on, value=number, source=source, note=note)


def record_observation(actor: User, indicator: Indicator, *, observed_on: date | None, value: Any,
                       source: str, note: str | None = None) -> Observation:
    """A dated value with its source; one value per indicator and date."""
    require(actor, "indicator.observe", indicator)
    observation = Observation(**_observation_values(
        indicator, None, observed_on=observed_on, value=value, source=source, note=note),
        recorded_by_id=actor.id)
    indicator.observations.append(observation)
    conflicts.flush()
    events.record(TrackerEvent.INDICATOR_OBSERVED, indicator, actor, code=indicator.code,
                  group_id=indicator.group_id, observation_id=observation.id,
                  observed_on=observation.observed_on.isoformat(), value=str(observation.value),
                  source=observation.source)
    return observation


def update_observation(actor: User, observation: Observation, *, observed_on: date | None, value: Any,
                       source: str, note: str | None = None) -> Observation:
    """Correct a recorded value, its date, source or note (whoever may record values: the secretaries
    and the co-chairs of the indicator's group); still one value per indicator and date."""
    indicator = observation.indicator
    require(actor, "indicator.observe", indicator)
    changed = apply_changes(observation, _observation_values(
        indicator, observation, observed_on=observed_on, value=value, source=source, note=note))
    conflicts.flush()
    if changed:
        events.record(TrackerEvent.INDICATOR_OBSERVATION_UPDATED, indicator, actor, code=indicator.code,
                      group_id=indicator.group_id, observation_id=observation.id,
                      observed_on=observation.observed_on.isoformat(), value=str(observation.value),
                      source=observation.source, changes=changed)
    return observation
