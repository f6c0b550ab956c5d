"""Meeting pages: the agenda builder and the meeting's documents (routes on the meetings blueprint)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from council.auth.permissions import require
from council.errors import DomainError
from council.extensions import db
from council.forms import option, show_error
from council.i18n import marked_localized, plain_localized
from council.meetings import agenda, documents, services
from council.meetings.forms import (
    AgendaItemForm,
    DocumentForm,
)
from council.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingDocument,
)
from council.meetings.views import (
    _agenda_context,
    _meeting,
    _meeting_page,
    _meeting_url,
    _people_choices,
    _submit,
    _to_meeting,
    bp,
)
from council.tracker.models import (
    COMMITMENT_OPEN,
    RECOMMENDATION_CLOSED,
    Commitment,
    Recommendation,
    RecommendationStatus,
)
from council.web import arg_int, is_htmx

TRACKER_CHOICES_LIMIT = 300


def _tracker_scope(model: Any, meeting: Meeting) -> Any:
    query = select(model).where(model.council_id == meeting.council_id)
    if meeting.group_id is not None:
        query = query.where(model.group_id == meeting.group_id)
    return query.order_by(model.code.desc()).limit(TRACKER_CHOICES_LIMIT)


def _recommendation_choices(meeting: Meeting, *, adopted_only: bool = False) -> list[Any]:
    query = _tracker_scope(Recommendation, meeting).where(Recommendation.status.not_in(RECOMMENDATION_CLOSED))
    if adopted_only:
        query = query.where(Recommendation.status == RecommendationStatus.ADOPTED)
    return [option(r.id, f"{r.code} · {marked_localized(r.title, r.original_language)}")
            for r in db.session.scalars(query)]


def _agenda_form(meeting: Meeting, item: AgendaItem | None = None) -> AgendaItemForm:
    form = AgendaItemForm(obj=item)
    form.presenter_id.choices = [option("", "—"), *_people_choices(meeting.council_id)]
    form.parent_id.choices = [option("", _("— (a main item)"))] + [
        option(i.id, marked_localized(i.title, i.original_language)) for i in meeting.top_items
        if i is not item]
    form.recommendation_ids.choices = _recommendation_choices(meeting)
    commitments = db.session.scalars(_tracker_scope(Commitment, meeting).where(
        Commitment.status.in_(COMMITMENT_OPEN)).options(selectinload(Commitment.organisation)))
    form.commitment_ids.choices = [
        option(c.id, f"{c.code} · {plain_localized(c.organisation.name, c.organisation.original_language)}")
        for c in commitments]
    if not form.is_submitted():
        if item is None:
            form.parent_id.data = arg_int("parent")
            form.original_language.data = meeting.original_language
        else:
            form.recommendation_ids.data = [r.id for r in item.recommendations]
            form.commitment_ids.data = [c.id for c in item.commitments]
    return form


def _item_details(form: AgendaItemForm) -> agenda.AgendaItemDetails:
    return agenda.AgendaItemDetails(
        title=form.title.data, original_language=form.original_language.data or "",
        duration_minutes=form.duration_minutes.data or 0, notes=form.notes.data,
        presenter_id=form.presenter_id.data, parent_id=form.parent_id.data,
        recommendation_ids=tuple(form.recommendation_ids.data or ()),
        commitment_ids=tuple(form.commitment_ids.data or ()))


@bp.route("/<int:meeting_id>/agenda/new", methods=["GET", "POST"])
def new_agenda_item(meeting_id: int) -> Response | str | tuple[str, int]:
    record = _meeting(meeting_id)
    require(current_user, "meeting.edit", record)
    services.require_planning(record)
    form = _agenda_form(record)
    return _submit(form, "meetings/agenda_item_form.html", dict(meeting=record, item=None),
                   lambda: agenda.add_agenda_item(current_user, record, _item_details(form)),
                   _("Agenda item added."), lambda _saved: _meeting_url(record, "agenda"))


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
def edit_agenda_item(meeting_id: int, item_id: int) -> Response | str | tuple[str, int]:
    record = _meeting(meeting_id)
    item = services.child_of(record, AgendaItem, item_id)
    require(current_user, "meeting.edit", record)
    services.require_planning(record)
    form = _agenda_form(record, item)
    return _submit(form, "meetings/agenda_item_form.html", dict(meeting=record, item=item),
                   lambda: agenda.update_agenda_item(current_user, item, _item_details(form)),
                   _("Agenda item saved."), lambda _saved: _meeting_url(record, "agenda"))


@bp.post("/<int:meeting_id>/agenda/<int:item_id>/delete")
def delete_agenda_item(meeting_id: int, item_id: int) -> Response:
    record = _meeting(meeting_id)
    item = services.child_of(record, AgendaItem, item_id)
    agenda.remove_agenda_item(current_user, item)
    db.session.commit()
    flash(_("Agenda item removed."), "success")
    return _to_meeting(record, "agenda")


def _agenda_answer(meeting_id: int) -> Response | str:
    """The agenda partial for htmx, or back to the page without JavaScript."""
    if is_htmx():
        db.session.expire_all()
        record = _meeting(meeting_id, page=True)
        return render_template("meetings/_agenda.html", meeting=record, agenda=_agenda_context(record))
    return redirect(url_for(".meeting", meeting_id=meeting_id, _anchor="agenda"))


@bp.post("/<int:meeting_id>/agenda/<int:item_id>/move")
def move_agenda_item(meeting_id: int, item_id: int) -> Response | str:
    record = _meeting(meeting_id)
    item = services.child_of(record, AgendaItem, item_id)
    agenda.move_agenda_item(current_user, item, request.form.get("direction", ""))
    db.session.commit()
    return _agenda_answer(meeting_id)


@bp.post("/<int:meeting_id>/agenda/review")
def add_progress_review(meeting_id: int) -> Response | str:
    """One click: an agenda item reviewing the group's overdue and soon-due commitments."""
    record = _meeting(meeting_id)
    agenda.add_progress_review(current_user, record)
    db.session.commit()
    if not is_htmx():
        flash(_("Progress review added to the agenda."), "success")
    return _agenda_answer(meeting_id)


@bp.post("/<int:meeting_id>/agenda/reorder")
def reorder_agenda(meeting_id: int) -> Response | str:
    record = _meeting(meeting_id)
    try:
        order = [int(value) for value in request.form.get("order", "").split(",") if value.strip()]
        parent = request.form.get("parent") or None
        parent_id = int(parent) if parent else None
    except ValueError:
        abort(400)
    agenda.reorder_agenda(current_user, record, order, parent_id)
    db.session.commit()
    return _agenda_answer(meeting_id)


@bp.post("/<int:meeting_id>/documents")
def upload_document(meeting_id: int) -> Response | tuple[str, int]:
    record = _meeting(meeting_id)
    require(current_user, "meeting.edit", record)
    form = DocumentForm()
    form.agenda_item_id.choices = []
    try:
        if not form.validate_on_submit():
            raise DomainError(_("Choose a file."), field="file")
        upload = form.file.data
        documents.add_document(current_user, record, title=form.title.data or "",
                               filename=upload.filename or "", stream=upload.stream,
                               agenda_item_id=form.agenda_item_id.data)
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        if not form.file.errors:
            form.file.errors = [error.message]
        return _meeting_page(_meeting(meeting_id, page=True), 422, document_form=form)
    db.session.commit()
    flash(_("Document attached."), "success")
    return _to_meeting(record, "documents")


@bp.get("/<int:meeting_id>/documents/<int:document_id>")
def document(meeting_id: int, document_id: int) -> Response:
    record = _meeting(meeting_id)
    attached = services.child_of(record, MeetingDocument, document_id)
    path = documents.path_of(attached)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=attached.content_type, as_attachment=True,
                         download_name=attached.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/<int:meeting_id>/documents/<int:document_id>/delete")
def delete_document(meeting_id: int, document_id: int) -> Response:
    record = _meeting(meeting_id)
    attached = services.child_of(record, MeetingDocument, document_id)
    path = documents.remove_document(current_user, attached)
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(_("Document removed."), "success")
    return _to_meeting(record, "documents")
