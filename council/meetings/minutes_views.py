"""Meeting pages: attendance, minutes and decisions (routes on the meetings blueprint)."""

from __future__ import annotations

from typing import Any

from flask import flash, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from council.auth.permissions import require
from council.directory.models import WorkingGroup
from council.errors import DomainError
from council.extensions import db
from council.forms import form_page, option, show_error
from council.i18n import LANGUAGE_NAMES, plain_localized
from council.meetings import agenda, decisions, services
from council.meetings import attendance as meeting_attendance
from council.meetings import minutes as meeting_minutes
from council.meetings.agenda_views import _recommendation_choices
from council.meetings.forms import (
    AttendanceForm,
    DecisionForm,
    RevisionForm,
    minutes_form,
)
from council.meetings.models import (
    GENERAL_NOTES,
    AttendanceMode,
    Decision,
    Meeting,
    MinutesRevision,
)
from council.meetings.views import (
    _agenda_context,
    _item_choices,
    _item_label,
    _meeting,
    _meeting_url,
    _organisation_choices,
    _people_choices,
    _submit,
    _to_meeting,
    bp,
)
from council.web import arg_int


@bp.route("/<int:meeting_id>/attendance", methods=["GET", "POST"])
def attendance(meeting_id: int) -> Response | str | tuple[str, int]:
    record = _meeting(meeting_id, page=True)
    require(current_user, "meeting.organise", record)
    meeting_attendance.require_attendance_open(record)
    form = AttendanceForm()
    candidates = meeting_attendance.attendance_candidates(record)
    form.present.choices = [option(p.id, p.name) for p in candidates]
    form.online.choices = form.present.choices
    form.add_user_id.choices = [option("", "—"), *_people_choices(record.council_id)]
    if not form.is_submitted():
        form.present.data = [a.user_id for a in record.attendances]
        form.online.data = [a.user_id for a in record.attendances if a.mode == AttendanceMode.ONLINE]

    def save() -> None:
        present = {user_id: AttendanceMode.IN_PERSON for user_id in form.present.data or []}
        if form.add_user_id.data:
            present[form.add_user_id.data] = AttendanceMode.IN_PERSON
        for user_id in form.online.data or []:
            if user_id in present:
                present[user_id] = AttendanceMode.ONLINE
        meeting_attendance.record_attendance(current_user, record, present)

    return _submit(form, "meetings/attendance.html", dict(meeting=record, candidates=candidates), save,
                   _("Attendance recorded."), lambda _saved: _meeting_url(record, "attendance"))


def _minutes_keys(meeting: Meeting) -> list[tuple[str, str]]:
    keys = [(GENERAL_NOTES, _("General notes"))]
    keys += [(str(slot.item.id), _item_label(slot)) for slot in agenda.agenda_timeline(meeting)]
    return keys


@bp.route("/<int:meeting_id>/minutes", methods=["GET", "POST"])
def edit_minutes(meeting_id: int) -> Response | str | tuple[str, int]:
    record = _meeting(meeting_id, page=True)
    require(current_user, "minutes.write", record)
    revision = meeting_minutes.draft_revision(record)
    keys = _minutes_keys(record)
    form = minutes_form(keys, revision.notes, revision.original_language)
    return _submit(form, "meetings/minutes_form.html", dict(meeting=record, revision=revision, keys=keys),
                   lambda: meeting_minutes.save_minutes(
                       current_user, record, original_language=form.original_language.data,
                       notes={key: getattr(form, f"notes_{key}").data for key, _label in keys}),
                   _("Minutes saved."), lambda _saved: _meeting_url(record, "minutes"))


@bp.post("/<int:meeting_id>/minutes/publish")
def publish_minutes(meeting_id: int) -> Response:
    record = _meeting(meeting_id)
    meeting_minutes.publish_minutes(current_user, record)
    db.session.commit()
    flash(_("Minutes sent for approval; both co-chairs are asked to approve them."), "success")
    return _to_meeting(record, "minutes")


@bp.post("/<int:meeting_id>/minutes/approve")
def approve_minutes(meeting_id: int) -> Response:
    record = _meeting(meeting_id)
    meeting_minutes.approve_minutes(current_user, record)
    db.session.commit()
    flash(meeting_minutes.approval_notice(record), "success")
    return _to_meeting(record, "minutes")


@bp.app_template_filter()
def approved_texts(texts: Any, revision: MinutesRevision) -> Any:
    """Of approved minutes, only the languages both co-chairs approved (a translation added since is
    shown apart, as not yet approved); other revisions as they are."""
    if revision.approved_at is None or not isinstance(texts, dict):
        return texts
    approved = set(revision.approved_languages)
    return {lang: text for lang, text in texts.items() if lang in approved}


@bp.post("/<int:meeting_id>/minutes/approve/<any(ru,kk,tk,en):lang>")
def approve_translation(meeting_id: int, lang: str) -> Response:
    """A co-chair approves a translation added to the minutes after their side approved them."""
    record = _meeting(meeting_id)
    meeting_minutes.approve_translation(current_user, record, lang)
    db.session.commit()
    flash(_("Your approval of the %(language)s text is recorded.", language=LANGUAGE_NAMES[lang]), "success")
    return _to_meeting(record, "minutes")


@bp.route("/<int:meeting_id>/minutes/revise", methods=["GET", "POST"])
def revise_minutes(meeting_id: int) -> Response | str | tuple[str, int]:
    record = _meeting(meeting_id)
    require(current_user, "minutes.write", record)
    meeting_minutes.require_revisable(record)
    form = RevisionForm()
    return _submit(form, "meetings/revise.html", dict(meeting=record),
                   lambda: meeting_minutes.start_revision(current_user, record, form.reason.data or ""),
                   _("A new revision of the minutes is open for changes."),
                   lambda _saved: url_for(".edit_minutes", meeting_id=record.id))


@bp.get("/<int:meeting_id>/minutes/<int:number>")
def minutes_revision(meeting_id: int, number: int) -> str:
    record = _meeting(meeting_id, page=True)
    revision = meeting_minutes.revision_of(record, number)
    return render_template("meetings/revision.html", meeting=record, revision=revision,
                           agenda=_agenda_context(record))


def _decision_form(meeting: Meeting, decision: Decision | None = None) -> DecisionForm:
    form = DecisionForm(obj=decision)
    form.agenda_item_id.choices = _item_choices(meeting)
    if decision is None:
        groups = db.session.scalars(select(WorkingGroup).where(
            WorkingGroup.council_id == meeting.council_id).order_by(WorkingGroup.code))
        form.recommendation_group_id.choices = [option("", "—")] + [
            option(g.id, plain_localized(g.name, g.original_language)) for g in groups]
        form.commitment_recommendation_id.choices = [option("", "—"), *_recommendation_choices(
            meeting, adopted_only=True)]
        organisations = [option("", "—"), *_organisation_choices(meeting.council_id)]
        people = [option("", "—"), *_people_choices(meeting.council_id)]
        for row in form.commitments:
            row.form.organisation_id.choices = organisations
            row.form.owner_id.choices = people
    if decision is None and not form.is_submitted():
        form.agenda_item_id.data = arg_int("item")
        form.original_language.data = meeting.minutes.current.original_language if meeting.minutes \
            else meeting.original_language
    return form


def _decision_details(form: DecisionForm, *, with_tracker: bool) -> decisions.DecisionDetails:
    details = decisions.DecisionDetails(text=form.text.data,
                                       original_language=form.original_language.data or "",
                                       agenda_item_id=form.agenda_item_id.data)
    if with_tracker:
        language = details.original_language
        details.create_recommendation = form.create_recommendation.data
        details.recommendation_group_id = form.recommendation_group_id.data
        details.recommendation_title = form.recommendation_title.data
        details.recommendation_priority = form.recommendation_priority.data or "medium"
        details.adopt_recommendation = form.adopt_recommendation.data
        details.commitment_recommendation_id = form.commitment_recommendation_id.data
        rows = [row.form for row in form.commitments]
        details.commitments = tuple(decisions.CommitmentDraft(
            organisation_id=row.organisation_id.data, owner_id=row.owner_id.data, due_date=row.due_date.data,
            description={language: row.wording.data} if row.wording.data else None) for row in rows)
    return details


def _show_decision_error(form: DecisionForm, error: DomainError) -> None:
    """Errors about a commitment row (commitments-1-due_date) go under that row's field."""
    if error.field is None and error.status_code != 422:
        raise error
    if error.field and error.field.startswith("commitments-"):
        _prefix, index, name = error.field.split("-", 2)
        row = form.commitments[int(index)].form if int(index) < len(form.commitments) else None
        field = getattr(row, name, None) if row is not None else None
        if field is not None:
            field.errors = [*field.errors, error.message]
            return
        error = DomainError(error.message)
    show_error(form, error)


@bp.route("/<int:meeting_id>/decisions/new", methods=["GET", "POST"])
def new_decision(meeting_id: int) -> Response | str | tuple[str, int]:
    record = _meeting(meeting_id, page=True)
    require(current_user, "minutes.write", record)
    meeting_minutes.draft_revision(record)
    form = _decision_form(record)
    context = dict(meeting=record, decision=None)
    if not form.validate_on_submit():
        return form_page("meetings/decision_form.html", form, **context)
    try:
        decisions.add_decision(current_user, record, _decision_details(form, with_tracker=True))
    except DomainError as error:
        db.session.rollback()
        _show_decision_error(form, error)
        return form_page("meetings/decision_form.html", form, **context)
    db.session.commit()
    flash(_("Decision recorded."), "success")
    return _to_meeting(record, "decisions")


@bp.route("/<int:meeting_id>/decisions/<int:decision_id>/edit", methods=["GET", "POST"])
def edit_decision(meeting_id: int, decision_id: int) -> Response | str | tuple[str, int]:
    record = _meeting(meeting_id, page=True)
    decision = services.child_of(record, Decision, decision_id)
    require(current_user, "minutes.write", record)
    meeting_minutes.draft_revision(record)
    form = _decision_form(record, decision)
    return _submit(form, "meetings/decision_form.html", dict(meeting=record, decision=decision),
                   lambda: decisions.update_decision(current_user, decision,
                                                     _decision_details(form, with_tracker=False)),
                   _("Decision saved."), lambda _saved: _meeting_url(record, "decisions"))


@bp.post("/<int:meeting_id>/decisions/<int:decision_id>/delete")
def delete_decision(meeting_id: int, decision_id: int) -> Response:
    record = _meeting(meeting_id)
    decision = services.child_of(record, Decision, decision_id)
    decisions.remove_decision(current_user, decision)
    db.session.commit()
    flash(_("Decision removed."), "success")
    return _to_meeting(record, "decisions")
