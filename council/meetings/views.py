"""Meeting pages: list, schedule, agenda builder, answers, attendance, minutes, calendar, print."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from council import events
from council.auth.permissions import can, require
from council.directory.models import Region, RegionKind, User, WorkingGroup
from council.directory.services import (
    active_groups,
    active_people,
    council_organisations,
    council_sides,
    organisation_groups,
    person_label,
)
from council.errors import DomainError
from council.extensions import db, login_manager
from council.forms import grouped_options, option, show_error, submit_form
from council.i18n import marked_localized, plain_localized
from council.meetings import agenda, services
from council.meetings import attendance as meeting_attendance
from council.meetings import minutes as meeting_minutes
from council.meetings.forms import (
    CancelForm,
    DocumentForm,
    MeetingForm,
    ResponseForm,
)
from council.meetings.models import (
    EVENT_LABELS,
    AgendaItem,
    Attendance,
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
from council.meetings.permissions import MeetingScope
from council.meetings.wording import about, when
from council.timeutil import council_today
from council.tracker.models import (
    Commitment,
)
from council.tracker.queries import HISTORY_PER_PAGE, newest_first
from council.web import arg_int, current_council, known_choice, paginate

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
    return meeting_minutes.country_name(code)


@bp.app_template_global("tracker_url")
def _tracker_url(endpoint: str, **values: Any) -> str | None:
    """A link into the tracker once its pages exist; plain text until then."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.app_template_global("meeting_when")
def _meeting_when(meeting: Meeting) -> str:
    return when(meeting)


def _meeting(meeting_id: int, *, page: bool = False) -> Meeting:
    """The meeting, with everything its page shows loaded up front when `page` is set."""
    return services.get_meeting(meeting_id, current_user, PAGE_OPTIONS if page else ())


def _meeting_url(meeting: Meeting, anchor: str | None = None) -> str:
    return url_for(".meeting", meeting_id=meeting.id, _anchor=anchor)


def _to_meeting(meeting: Meeting, anchor: str | None = None) -> Response:
    return redirect(_meeting_url(meeting, anchor))


def _submit(form: Any, template: str, context: dict[str, Any], save: Callable[[], Any],
            message: str | Callable[[Any], str], target: Callable[[Any], str]
            ) -> Response | str | tuple[str, int]:
    """A meeting's form page, shown, refused or saved as every form page is (council.forms.submit_form)."""
    return submit_form(form, lambda: render_template(template, form=form, **context), save, message, target)


# Choices ----------------------------------------------------------------------------------------


def _people_choices(council_id: int) -> list[Any]:
    return [option(person.id, person_label(current_user, person)) for person in active_people(council_id)]


def _organisation_choices(council_id: int) -> list[Any]:
    """By country, the international organisations apart (optgroups)."""
    return grouped_options(organisation_groups(council_organisations(council_id)))


def _schedulable_groups(council_id: int) -> list[WorkingGroup]:
    return [g for g in active_groups(council_id)
            if can(current_user, "meeting.schedule", MeetingScope(council_id, g.id))]


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
    # Grouped by country, the international organisations apart (optgroups).
    form.invite_organisation_ids.choices = organisation_groups(council_organisations(council_id))
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
    when = known_choice("when", request.args.get("when"), {"past", "upcoming"}.__contains__) or "upcoming"
    filters = dict(when=when, group_id=arg_int("group"), kind=known_choice(
        "kind", request.args.get("kind"), {kind.value for kind in MeetingKind}.__contains__))
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
    history = newest_first(events.history_query("meeting", meeting.id), HISTORY_PER_PAGE,
                           arg_int("history"))
    sides = council_sides(meeting.council_id)
    present = meeting_attendance.represented_countries(meeting)
    context = dict(
        meeting=meeting, agenda=_agenda_context(meeting), invitation=invitation,
        response_form=response_form, document_form=document_form,
        history=history, event_labels=EVENT_LABELS, actors=_names({e.actor_id for e in history.items}),
        sides=sides, present_countries=present,
        both_sides=meeting_attendance.both_sides_present(meeting, sides, present),
        attendance_users=_attendance_users(meeting),
        chairs=_chairs(meeting), created_commitments=meeting_minutes.created_commitments(meeting))
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
    ids = meeting_minutes.chair_ids(meeting)
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids))
                                   .options(selectinload(User.organisation)).order_by(User.name)))


def _item_label(slot: agenda.AgendaSlot) -> str:
    return f"{slot.number}. {marked_localized(slot.item.title, slot.item.original_language)}"


def _item_choices(meeting: Meeting) -> list[Any]:
    return [option("", "—")] + [
        option(slot.item.id, _item_label(slot))
        for slot in agenda.agenda_timeline(meeting)]


def _agenda_context(meeting: Meeting) -> dict[str, Any]:
    slots = agenda.agenda_timeline(meeting)
    by_parent: dict[int | None, list[agenda.AgendaSlot]] = {}
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
                suggestions=agenda.review_suggestions(meeting) if editable else [])


# Scheduling -------------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
def new_meeting() -> Response | str | tuple[str, int]:
    council = current_council()
    groups = _schedulable_groups(council.id)
    if not groups:  # none to organise: a council session, then, which only some may propose
        require(current_user, "meeting.schedule", MeetingScope(council.id, None))
    form = _meeting_form(council.id)
    if not form.is_submitted():
        form.kind.data = request.args.get("kind") or (
            MeetingKind.GROUP_MEETING if groups else MeetingKind.COUNCIL_SESSION)
        form.group_id.data = arg_int("group")

    def schedule() -> Meeting:
        group = db.session.get(WorkingGroup, form.group_id.data) if form.group_id.data else None
        return services.schedule_meeting(
            current_user, council, kind=MeetingKind(form.kind.data), group=group, details=_details(form),
            invite_group_members=form.invite_group_members.data)

    return _submit(form, "meetings/form.html", dict(meeting=None, places=_places()), schedule,
                   lambda created: about(created, "Meeting scheduled as a draft. Build the agenda, then "
                                                  "publish it."), _meeting_url)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id: int) -> Response | str | tuple[str, int]:
    record = _meeting(meeting_id)
    require(current_user, "meeting.edit", record)
    services.require_planning(record)
    form = _meeting_form(record.council_id, record)
    return _submit(form, "meetings/form.html", dict(meeting=record, places=_places()),
                   lambda: services.update_meeting(current_user, record, _details(form)),
                   lambda _saved: about(record, "Meeting saved."), lambda _saved: _meeting_url(record))


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
    return _submit(form, "meetings/cancel.html", dict(meeting=record),
                   lambda: services.cancel_meeting(current_user, record, form.reason.data or ""),
                   lambda _saved: about(record, "Meeting cancelled; the invitees will be told."),
                   lambda _saved: _meeting_url(record))


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
