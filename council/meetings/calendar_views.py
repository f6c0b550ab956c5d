"""Meeting pages: print views and calendars (routes on the meetings blueprint)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from council.addresses import external_url
from council.auth.permissions import can
from council.directory.models import WorkingGroup
from council.directory.services import get_in_council
from council.errors import NotFound
from council.extensions import db, limiter
from council.forms import option
from council.i18n import plain_localized
from council.meetings import attendance as meeting_attendance
from council.meetings import calendar
from council.meetings import minutes as meeting_minutes
from council.meetings.forms import (
    FeedForm,
)
from council.meetings.models import (
    CalendarFeedToken,
)
from council.meetings.views import _agenda_context, _attendance_users, _chairs, _meeting, bp
from council.meetings.wording import about
from council.web import arg_int, no_store, private_page


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
    revision = meeting_minutes.revision_of(record, number) if number else record.minutes.current
    return render_template("meetings/print_minutes.html", meeting=record, revision=revision,
                           agenda=_agenda_context(record), chairs=_chairs(record),
                           attendance_users=_attendance_users(record),
                           present_countries=meeting_attendance.represented_countries(record))


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
