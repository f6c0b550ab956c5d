"""Meeting pages: list, schedule, agenda builder, answers, attendance, minutes, calendar, print."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from council import events
from council.addresses import external_url
from council.auth.permissions import can, require
from council.directory.models import Organisation, Region, RegionKind, User, WorkingGroup
from council.directory.services import get_in_council, person_label
from council.errors import DomainError, NotFound
from council.extensions import db, limiter, login_manager
from council.forms import option, show_error
from council.i18n import LANGUAGE_NAMES, marked_localized, plain_localized
from council.meetings import calendar, documents, services
from council.meetings.forms import (
    AgendaItemForm,
    AttendanceForm,
    CancelForm,
    DecisionForm,
    DocumentForm,
    FeedForm,
    MeetingForm,
    ResponseForm,
    RevisionForm,
    minutes_form,
)
from council.meetings.models import (
    EVENT_LABELS,
    AgendaItem,
    Attendance,
    AttendanceMode,
    CalendarFeedToken,
    Decision,
    Invitation,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesApproval,
    MinutesRevision,
)
from council.meetings.models import (
    Response as Answer,
)
from council.meetings.rules import MeetingScope
from council.meetings.wording import about
from council.tracker.models import (
    COMMITMENT_OPEN,
    RECOMMENDATION_CLOSED,
    Commitment,
    Recommendation,
    RecommendationStatus,
)
from council.tracker.services import council_today
from council.web import arg_int, current_council, form_page, is_htmx, no_store, paginate, private_page

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

# The calendar feed is fetched by calendar programs, which do not sign in: its token is the key.
PUBLIC_ENDPOINTS = {"meetings.calendar_feed"}

PAGE_OPTIONS = (
    selectinload(Meeting.group),
    selectinload(Meeting.session_chairs).selectinload(User.organisation),
    selectinload(Meeting.agenda_items).selectinload(AgendaItem.presenter),
    selectinload(Meeting.agenda_items).selectinload(AgendaItem.recommendations),
    selectinload(Meeting.agenda_items).selectinload(AgendaItem.commitments)
    .selectinload(Commitment.organisation),
    selectinload(Meeting.invitations).selectinload(Invitation.user).selectinload(User.organisation),
    selectinload(Meeting.invitations).selectinload(Invitation.organisation),
    selectinload(Meeting.invitations).selectinload(Invitation.delegate),
    selectinload(Meeting.attendances).selectinload(Attendance.organisation),
    selectinload(Meeting.documents),
    selectinload(Meeting.decisions).selectinload(Decision.recommendation),
    selectinload(Meeting.decisions).selectinload(Decision.commitments),
    selectinload(Meeting.minutes).selectinload(Minutes.revisions)
    .selectinload(MinutesRevision.approvals).selectinload(MinutesApproval.user),
)


@bp.before_request
def _signed_in() -> Any:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.app_template_filter("time")
def _time_filter(moment: Any, format: str = "short") -> str:
    return format_time(moment, format)


@bp.app_template_filter("duration")
def _duration_filter(minutes: int) -> str:
    """90 → '1 h 30 min', in the reader's language."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return _("%(minutes)d min", minutes=rest)
    if not rest:
        return _("%(hours)d h", hours=hours)
    return _("%(hours)d h %(minutes)d min", hours=hours, minutes=rest)


@bp.app_template_filter("country")
def _country_filter(code: str) -> str:
    """KZ → Kazakhstan, in the reader's language."""
    return services.country_name(code)


@bp.app_template_global("tracker_url")
def _tracker_url(endpoint: str, **values: Any) -> str | None:
    """A link into the tracker once its pages exist; plain text until then."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.app_template_global("meeting_when")
def _meeting_when(meeting: Meeting) -> str:
    return services.when(meeting)


def _meeting(meeting_id: int, *, page: bool = False) -> Meeting:
    """The meeting, with everything its page shows loaded up front when `page` is set."""
    return services.get_meeting(meeting_id, current_user, PAGE_OPTIONS if page else ())


def _to_meeting(meeting: Meeting, anchor: str | None = None) -> Response:
    return redirect(url_for(".meeting", meeting_id=meeting.id, _anchor=anchor))


def _refused(form: Any, error: DomainError, template: str, **context: Any) -> str | tuple[str, int]:
    """A refusal about a field goes back to the form (422); any other is its own 4xx page."""
    db.session.rollback()
    if error.field is None and error.status_code != 422:
        raise error
    show_error(form, error)
    return form_page(template, form, **context)


# Choices ----------------------------------------------------------------------------------------


def _people_choices(council_id: int) -> list[Any]:
    people = db.session.scalars(select(User).where(
        User.council_id == council_id, User.active.is_(True)).order_by(User.name)
        .options(selectinload(User.organisation)))
    return [option(person.id, person_label(current_user, person)) for person in people]


def _organisation_choices(council_id: int) -> list[Any]:
    organisations = db.session.scalars(select(Organisation).where(
        Organisation.council_id == council_id).order_by(Organisation.country_code, Organisation.code))
    return [option(o.id, f"{plain_localized(o.name, o.original_language)} ({o.country_code})")
            for o in organisations]


def _schedulable_groups(council_id: int) -> list[WorkingGroup]:
    groups = db.session.scalars(select(WorkingGroup).where(
        WorkingGroup.council_id == council_id, WorkingGroup.active.is_(True)).order_by(WorkingGroup.code))
    return [g for g in groups if can(current_user, "meeting.schedule", MeetingScope(council_id, g.id))]


def _places() -> list[str]:
    cities = db.session.scalars(select(Region).where(Region.kind == RegionKind.CITY).order_by(Region.code))
    return [plain_localized(city.name) for city in cities]


def _meeting_form(council_id: int, meeting: Meeting | None = None) -> MeetingForm:
    form = MeetingForm(obj=meeting)
    if meeting is not None and not form.is_submitted():
        form.starts_at.data = services.local_time(meeting.starts_at, meeting.time_zone)
        form.ends_at.data = services.local_time(meeting.ends_at, meeting.time_zone)
        form.session_chair_ids.data = [c.id for c in meeting.session_chairs]
        form.invite_user_ids.data = [i.user_id for i in meeting.invitations if i.user_id]
        form.invite_organisation_ids.data = [i.organisation_id for i in meeting.invitations
                                             if i.organisation_id]
    form.group_id.choices = [option("", "—")] + [
        option(g.id, plain_localized(g.name, g.original_language)) for g in _schedulable_groups(council_id)]
    people = _people_choices(council_id)
    form.session_chair_ids.choices = people
    form.invite_user_ids.choices = people
    form.invite_organisation_ids.choices = _organisation_choices(council_id)
    return form


def _details(form: MeetingForm) -> services.MeetingDetails:
    return services.MeetingDetails(
        title=form.title.data, original_language=form.original_language.data or "",
        starts_at=form.starts_at.data, ends_at=form.ends_at.data,
        time_zone=form.time_zone.data or "", place=form.place.data, online_url=form.online_url.data,
        invite_user_ids=tuple(form.invite_user_ids.data or ()),
        invite_organisation_ids=tuple(form.invite_organisation_ids.data or ()),
        session_chair_ids=tuple(form.session_chair_ids.data or ()))


# List and page ----------------------------------------------------------------------------------


@bp.get("/")
def meetings() -> str:
    council = current_council()
    when = "past" if request.args.get("when") == "past" else "upcoming"
    filters = dict(when=when, group_id=arg_int("group"), kind=request.args.get("kind") or None)
    page = paginate(services.meetings_list(current_user, **filters))  # type: ignore[arg-type]
    groups = db.session.scalars(select(WorkingGroup).where(WorkingGroup.council_id == council.id)
                                .order_by(WorkingGroup.code)).all()
    return render_template("meetings/list.html", page=page, filters=filters, groups=groups,
                           kinds=list(MeetingKind),
                           may_schedule=can(current_user, "meeting.schedule", MeetingScope(council.id, None))
                           or bool(_schedulable_groups(council.id)))


@bp.get("/<int:meeting_id>")
def meeting(meeting_id: int) -> str:
    return _meeting_page(_meeting(meeting_id, page=True))


def _meeting_page(meeting: Meeting, status: int = 200, **forms: Any) -> Any:
    invitation = services.invitation_for(current_user, meeting)
    response_form = forms.get("response_form") or ResponseForm(formdata=None, obj=invitation)
    if invitation is not None:
        response_form.delegate_id.choices = [option("", "—")] + [
            option(p.id, p.name) for p in services.delegate_candidates(invitation)]
    document_form = forms.get("document_form") or DocumentForm(formdata=None)
    document_form.agenda_item_id.choices = _item_choices(meeting)
    history = events.history("meeting", meeting.id, limit=50)
    sides = services.council_sides(meeting.council_id)
    present = services.represented_countries(meeting)
    context = dict(
        meeting=meeting, agenda=_agenda_context(meeting), invitation=invitation,
        response_form=response_form, document_form=document_form,
        history=history, event_labels=EVENT_LABELS, actors=_names({e.actor_id for e in history}),
        sides=sides, present_countries=present,
        both_sides=services.both_sides_present(meeting, sides, present),
        attendance_users=_attendance_users(meeting),
        chairs=_chairs(meeting), created_commitments=services.created_commitments(meeting))
    page = render_template("meetings/meeting.html", **context)
    return (page, status) if status != 200 else page


def _names(user_ids: set[int | None]) -> dict[int, str]:
    ids = [i for i in user_ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def _attendance_users(meeting: Meeting) -> dict[int, User]:
    ids = [a.user_id for a in meeting.attendances]
    if not ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(ids)).options(selectinload(User.organisation)))
    return {u.id: u for u in users}


def _chairs(meeting: Meeting) -> list[User]:
    ids = services.chair_ids(meeting)
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids))
                                   .options(selectinload(User.organisation)).order_by(User.name)))


def _item_label(slot: services.AgendaSlot) -> str:
    return f"{slot.number}. {marked_localized(slot.item.title, slot.item.original_language)}"


def _item_choices(meeting: Meeting) -> list[Any]:
    return [option("", "—")] + [
        option(slot.item.id, _item_label(slot))
        for slot in services.agenda_timeline(meeting)]


def _agenda_context(meeting: Meeting) -> dict[str, Any]:
    slots = services.agenda_timeline(meeting)
    by_parent: dict[int | None, list[services.AgendaSlot]] = {}
    for slot in slots:
        by_parent.setdefault(slot.item.parent_id, []).append(slot)
    total = services.agenda_minutes(meeting)
    documents_by_item: dict[int, list[MeetingDocument]] = {}
    for document in meeting.documents:
        if document.agenda_item_id is not None:
            documents_by_item.setdefault(document.agenda_item_id, []).append(document)
    end = max((s.ends_at for s in slots), default=meeting.starts_at)
    editable = meeting.status in (MeetingStatus.DRAFT, MeetingStatus.AGENDA_PUBLISHED) \
        and can(current_user, "meeting.edit", meeting)
    return dict(slots=slots, by_parent=by_parent, total_minutes=total, ends_at=end,
                spare_minutes=int((meeting.ends_at - end).total_seconds() // 60), editable=editable,
                documents_by_item=documents_by_item, today=council_today(),
                suggestions=services.review_suggestions(meeting) if editable else [])


# Scheduling -------------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
def new_meeting() -> Response | str | tuple[str, int]:
    council = current_council()
    groups = _schedulable_groups(council.id)
    if not groups and not can(current_user, "meeting.schedule", MeetingScope(council.id, None)):
        abort(403)
    form = _meeting_form(council.id)
    if not form.is_submitted():
        form.kind.data = request.args.get("kind") or (
            MeetingKind.GROUP_MEETING if groups else MeetingKind.COUNCIL_SESSION)
        form.group_id.data = arg_int("group")
    context = dict(meeting=None, places=_places())
    if not form.validate_on_submit():
        return form_page("meetings/form.html", form, **context)
    group = db.session.get(WorkingGroup, form.group_id.data) if form.group_id.data else None
    try:
        created = services.schedule_meeting(
            current_user, council, kind=MeetingKind(form.kind.data), group=group, details=_details(form),
            invite_group_members=form.invite_group_members.data)
    except DomainError as error:
        return _refused(form, error, "meetings/form.html", **context)
    db.session.commit()
    flash(about(created, "Meeting scheduled as a draft. Build the agenda, then publish it."),
          "success")
    return _to_meeting(created)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id: int) -> Response | str | tuple[str, int]:
    record = _meeting(meeting_id)
    require(current_user, "meeting.edit", record)
    services.require_planning(record)
    form = _meeting_form(record.council_id, record)
    context = dict(meeting=record, places=_places())
    if not form.validate_on_submit():
        return form_page("meetings/form.html", form, **context)
    try:
        services.update_meeting(current_user, record, _details(form))
    except DomainError as error:
        return _refused(form, error, "meetings/form.html", **context)
    db.session.commit()
    flash(about(record, "Meeting saved."), "success")
    return _to_meeting(record)


@bp.post("/<int:meeting_id>/publish")
def publish(meeting_id: int) -> Response:
    record = _meeting(meeting_id)
    services.publish_agenda(current_user, record)
    db.session.commit()
    flash(_("Agenda published; the invitations are on their way."), "success")
    return _to_meeting(record)


@bp.post("/<int:meeting_id>/held")
def mark_held(meeting_id: int) -> Response:
    record = _meeting(meeting_id)
    services.mark_held(current_user, record)
    db.session.commit()
    flash(about(record, "The meeting is marked as held. Record the attendance and write "
                          "the minutes."), "success")
    return _to_meeting(record)


@bp.route("/<int:meeting_id>/cancel", methods=["GET", "POST"])
def cancel(meeting_id: int) -> Response | str | tuple[str, int]:
    record = _meeting(meeting_id)
    require(current_user, "meeting.edit", record)
    services.require_planning(record)
    form = CancelForm()
    if not form.validate_on_submit():
        return form_page("meetings/cancel.html", form, meeting=record)
    try:
        services.cancel_meeting(current_user, record, form.reason.data or "")
    except DomainError as error:
        return _refused(form, error, "meetings/cancel.html", meeting=record)
    db.session.commit()
    flash(about(record, "Meeting cancelled; the invitees will be told."), "success")
    return _to_meeting(record)


# Invitations ------------------------------------------------------------------------------------


@bp.post("/<int:meeting_id>/invitations/<int:invitation_id>/respond")
def respond(meeting_id: int, invitation_id: int) -> Response | tuple[str, int]:
    record = _meeting(meeting_id)
    invitation = services.child_of(record, Invitation, invitation_id)
    form = ResponseForm()
    form.delegate_id.choices = []
    try:
        if not form.validate_on_submit():
            raise DomainError(_("Choose an answer."), field="response")
        services.respond(current_user, invitation, Answer(form.response.data), form.delegate_id.data)
    except DomainError as error:
        db.session.rollback()
        if error.status_code != 422 and error.field is None:
            raise
        show_error(form, error)
        return _meeting_page(_meeting(meeting_id, page=True), 422, response_form=form)
    db.session.commit()
    flash(_("Thank you, your answer is recorded."), "success")
    return _to_meeting(record, "invitations")


# Agenda -----------------------------------------------------------------------------------------


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


def _item_details(form: AgendaItemForm) -> services.AgendaItemDetails:
    return services.AgendaItemDetails(
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
    if not form.validate_on_submit():
        return form_page("meetings/agenda_item_form.html", form, meeting=record, item=None)
    try:
        services.add_agenda_item(current_user, record, _item_details(form))
    except DomainError as error:
        return _refused(form, error, "meetings/agenda_item_form.html", meeting=record, item=None)
    db.session.commit()
    flash(_("Agenda item added."), "success")
    return _to_meeting(record, "agenda")


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
def edit_agenda_item(meeting_id: int, item_id: int) -> Response | str | tuple[str, int]:
    record = _meeting(meeting_id)
    item = services.child_of(record, AgendaItem, item_id)
    require(current_user, "meeting.edit", record)
    services.require_planning(record)
    form = _agenda_form(record, item)
    if not form.validate_on_submit():
        return form_page("meetings/agenda_item_form.html", form, meeting=record, item=item)
    try:
        services.update_agenda_item(current_user, item, _item_details(form))
    except DomainError as error:
        return _refused(form, error, "meetings/agenda_item_form.html", meeting=record, item=item)
    db.session.commit()
    flash(_("Agenda item saved."), "success")
    return _to_meeting(record, "agenda")


@bp.post("/<int:meeting_id>/agenda/<int:item_id>/delete")
def delete_agenda_item(meeting_id: int, item_id: int) -> Response:
    record = _meeting(meeting_id)
    item = services.child_of(record, AgendaItem, item_id)
    services.remove_agenda_item(current_user, item)
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
    services.move_agenda_item(current_user, item, request.form.get("direction", ""))
    db.session.commit()
    return _agenda_answer(meeting_id)


@bp.post("/<int:meeting_id>/agenda/review")
def add_progress_review(meeting_id: int) -> Response | str:
    """One click: an agenda item reviewing the group's overdue and soon-due commitments."""
    record = _meeting(meeting_id)
    services.add_progress_review(current_user, record)
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
    services.reorder_agenda(current_user, record, order, parent_id)
    db.session.commit()
    return _agenda_answer(meeting_id)


# Documents --------------------------------------------------------------------------------------


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


# Attendance -------------------------------------------------------------------------------------


@bp.route("/<int:meeting_id>/attendance", methods=["GET", "POST"])
def attendance(meeting_id: int) -> Response | str | tuple[str, int]:
    record = _meeting(meeting_id, page=True)
    require(current_user, "meeting.organise", record)
    services.require_attendance_open(record)
    form = AttendanceForm()
    candidates = services.attendance_candidates(record)
    form.present.choices = [option(p.id, p.name) for p in candidates]
    form.online.choices = form.present.choices
    form.add_user_id.choices = [option("", "—"), *_people_choices(record.council_id)]
    if not form.is_submitted():
        form.present.data = [a.user_id for a in record.attendances]
        form.online.data = [a.user_id for a in record.attendances if a.mode == AttendanceMode.ONLINE]
    context = dict(meeting=record, candidates=candidates)
    if not form.validate_on_submit():
        return form_page("meetings/attendance.html", form, **context)
    present = {user_id: AttendanceMode.IN_PERSON for user_id in form.present.data or []}
    if form.add_user_id.data:
        present[form.add_user_id.data] = AttendanceMode.IN_PERSON
    for user_id in form.online.data or []:
        if user_id in present:
            present[user_id] = AttendanceMode.ONLINE
    try:
        services.record_attendance(current_user, record, present)
    except DomainError as error:
        return _refused(form, error, "meetings/attendance.html", **context)
    db.session.commit()
    flash(_("Attendance recorded."), "success")
    return _to_meeting(record, "attendance")


# Minutes ----------------------------------------------------------------------------------------


def _minutes_keys(meeting: Meeting) -> list[tuple[str, str]]:
    keys = [(services.GENERAL_NOTES, _("General notes"))]
    keys += [(str(slot.item.id), _item_label(slot)) for slot in services.agenda_timeline(meeting)]
    return keys


@bp.route("/<int:meeting_id>/minutes", methods=["GET", "POST"])
def edit_minutes(meeting_id: int) -> Response | str | tuple[str, int]:
    record = _meeting(meeting_id, page=True)
    require(current_user, "minutes.write", record)
    revision = services.draft_revision(record)
    keys = _minutes_keys(record)
    form = minutes_form(keys, revision.notes, revision.original_language)
    context = dict(meeting=record, revision=revision, keys=keys)
    if not form.validate_on_submit():
        return form_page("meetings/minutes_form.html", form, **context)
    notes = {key: getattr(form, f"notes_{key}").data for key, _label in keys}
    try:
        services.save_minutes(current_user, record, original_language=form.original_language.data,
                              notes=notes)
    except DomainError as error:
        return _refused(form, error, "meetings/minutes_form.html", **context)
    db.session.commit()
    flash(_("Minutes saved."), "success")
    return _to_meeting(record, "minutes")


@bp.post("/<int:meeting_id>/minutes/publish")
def publish_minutes(meeting_id: int) -> Response:
    record = _meeting(meeting_id)
    services.publish_minutes(current_user, record)
    db.session.commit()
    flash(_("Minutes published; both co-chairs are asked to approve them."), "success")
    return _to_meeting(record, "minutes")


@bp.post("/<int:meeting_id>/minutes/approve")
def approve_minutes(meeting_id: int) -> Response:
    record = _meeting(meeting_id)
    services.approve_minutes(current_user, record)
    db.session.commit()
    if record.status == MeetingStatus.MINUTES_APPROVED:
        flash(_("Both co-chairs have approved: the minutes are final."), "success")
    else:
        flash(_("Your approval is recorded. The other co-chair's approval is still needed."), "success")
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
    services.approve_translation(current_user, record, lang)
    db.session.commit()
    flash(_("Your approval of the %(language)s text is recorded.", language=LANGUAGE_NAMES[lang]), "success")
    return _to_meeting(record, "minutes")


@bp.route("/<int:meeting_id>/minutes/revise", methods=["GET", "POST"])
def revise_minutes(meeting_id: int) -> Response | str | tuple[str, int]:
    record = _meeting(meeting_id)
    require(current_user, "minutes.write", record)
    services.require_revisable(record)
    form = RevisionForm()
    if not form.validate_on_submit():
        return form_page("meetings/revise.html", form, meeting=record)
    try:
        services.start_revision(current_user, record, form.reason.data or "")
    except DomainError as error:
        return _refused(form, error, "meetings/revise.html", meeting=record)
    db.session.commit()
    flash(_("A new revision of the minutes is open for changes."), "success")
    return redirect(url_for(".edit_minutes", meeting_id=record.id))


@bp.get("/<int:meeting_id>/minutes/<int:number>")
def minutes_revision(meeting_id: int, number: int) -> str:
    record = _meeting(meeting_id, page=True)
    revision = services.revision_of(record, number)
    return render_template("meetings/revision.html", meeting=record, revision=revision,
                           agenda=_agenda_context(record))


# Decisions --------------------------------------------------------------------------------------


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


def _decision_details(form: DecisionForm, *, with_tracker: bool) -> services.DecisionDetails:
    details = services.DecisionDetails(text=form.text.data,
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
        details.commitments = tuple(services.CommitmentDraft(
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
    services.draft_revision(record)
    form = _decision_form(record)
    context = dict(meeting=record, decision=None)
    if not form.validate_on_submit():
        return form_page("meetings/decision_form.html", form, **context)
    try:
        services.add_decision(current_user, record, _decision_details(form, with_tracker=True))
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
    services.draft_revision(record)
    form = _decision_form(record, decision)
    context = dict(meeting=record, decision=decision)
    if not form.validate_on_submit():
        return form_page("meetings/decision_form.html", form, **context)
    try:
        services.update_decision(current_user, decision, _decision_details(form, with_tracker=False))
    except DomainError as error:
        return _refused(form, error, "meetings/decision_form.html", **context)
    db.session.commit()
    flash(_("Decision saved."), "success")
    return _to_meeting(record, "decisions")


@bp.post("/<int:meeting_id>/decisions/<int:decision_id>/delete")
def delete_decision(meeting_id: int, decision_id: int) -> Response:
    record = _meeting(meeting_id)
    decision = services.child_of(record, Decision, decision_id)
    services.remove_decision(current_user, decision)
    db.session.commit()
    flash(_("Decision removed."), "success")
    return _to_meeting(record, "decisions")


# Print and calendar -----------------------------------------------------------------------------


@bp.get("/<int:meeting_id>/agenda/print")
def print_agenda(meeting_id: int) -> str:
    record = _meeting(meeting_id, page=True)
    return render_template("meetings/print_agenda.html", meeting=record, agenda=_agenda_context(record),
                           chairs=_chairs(record))


@bp.get("/<int:meeting_id>/minutes/print")
def print_minutes(meeting_id: int) -> str:
    record = _meeting(meeting_id, page=True)
    if record.minutes is None:
        raise NotFound(about(record, "Minutes are written once the meeting has been held."))
    number = arg_int("revision")
    revision = services.revision_of(record, number) if number else record.minutes.current
    return render_template("meetings/print_minutes.html", meeting=record, revision=revision,
                           agenda=_agenda_context(record), chairs=_chairs(record),
                           attendance_users=_attendance_users(record),
                           present_countries=services.represented_countries(record))


def _ics(content: bytes, filename: str, attachment: bool) -> Response:
    response = Response(content, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return no_store(response)


@bp.get("/<int:meeting_id>/calendar.ics")
def meeting_ics(meeting_id: int) -> Response:
    record = _meeting(meeting_id, page=True)
    return _ics(calendar.meeting_calendar(record, current_user.language), f"{record.reference}.ics", True)


@bp.get("/calendar")
def calendars() -> str:
    return _calendars_page()


def _calendars_page(new_url: str | None = None) -> str:
    groups = db.session.scalars(select(WorkingGroup).where(WorkingGroup.council_id == current_user.council_id)
                                .order_by(WorkingGroup.code)).all()
    feedable = [g for g in groups if can(current_user, "calendar.group_feed", g)]
    form = FeedForm(formdata=None)
    form.group_id.choices = [option("", _("My meetings"))] + [
        option(g.id, plain_localized(g.name, g.original_language)) for g in feedable]
    return render_template("meetings/calendars.html", feeds=calendar.active_feeds(current_user), form=form,
                           new_url=new_url)


@bp.post("/calendar/feeds")
def create_feed() -> Response | str:
    form = FeedForm()
    form.group_id.choices = []
    if not form.validate_on_submit():
        abort(400)
    group = get_in_council(WorkingGroup, form.group_id.data, current_user.council_id) \
        if form.group_id.data else None
    _feed, token = calendar.create_feed(current_user, group)
    db.session.commit()
    url = external_url("meetings.calendar_feed", token=token)
    flash(_("Your new calendar address is below. Copy it now: it is shown only once."), "success")
    return private_page(_calendars_page(new_url=url))


@bp.post("/calendar/feeds/<int:feed_id>/revoke")
def revoke_feed(feed_id: int) -> Response:
    feed = db.get_or_404(CalendarFeedToken, feed_id)
    calendar.revoke_feed(current_user, feed)
    db.session.commit()
    flash(_("The calendar address is revoked; calendar programs using it will stop updating."), "success")
    return redirect(url_for(".calendars"))


@bp.get("/calendar/<token>.ics")
@limiter.limit("60 per minute")
def calendar_feed(token: str) -> Response:
    feed = calendar.feed_for(token)
    content = calendar.feed_calendar(feed)
    db.session.commit()
    return _ics(content, "council.ics", False)
