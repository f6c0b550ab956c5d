"""Home: the page everyone lands on after signing in, and its one-action items (each POSTs, then
comes back here)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from council.auth.permissions import require
from council.dashboard import links
from council.directory.services import get_in_council
from council.errors import ValidationFailed
from council.extensions import db
from council.forms import submit_form
from council.home import services
from council.home.forms import AnswerForm, QuickProgressForm
from council.i18n import current_language
from council.meetings import minutes as meeting_minutes
from council.meetings import services as meeting_services
from council.meetings.models import Invitation, Meeting
from council.meetings.models import Response as Answer
from council.notifications import services as notification_services
from council.notifications.messages import Reader, describe_rows
from council.tracker import services as tracker_services
from council.tracker.models import Commitment, CommitmentStatus

bp = Blueprint("home", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Home is each signed-in person's own; visitors have the public portal."""


def _page(progress_form: QuickProgressForm | None = None, form_for: int | None = None) -> str:
    page = services.home(current_user)
    reader = Reader(current_language(), current_user.time_zone)
    return render_template("home/home.html", home=page, reader=reader,
                           messages=describe_rows(page.notifications, reader),
                           progress_form=progress_form, form_for=form_for,
                           blank_form=QuickProgressForm(formdata=None),
                           record_url=links.tracker_record, list_url=links.tracker_list)


def _home() -> Response:
    return redirect(url_for(".home"))


@bp.get("/home")
def home() -> str:
    return _page()


@bp.post("/home/commitments/<int:commitment_id>/progress")
def report_progress(commitment_id: int) -> Any:
    record = get_in_council(Commitment, commitment_id, current_user.council_id)
    require(current_user, "commitment.report", record)
    form = QuickProgressForm()
    return submit_form(form, lambda: _page(form, record.id), lambda: tracker_services.report_progress(
        current_user, record, progress=form.progress.data, note=form.note.data,
        status=CommitmentStatus.REPORTED_DONE.value if form.done.data else None),
        _("Progress reported."), lambda saved: url_for(".home"))


@bp.post("/home/commitments/<int:commitment_id>/verify")
def verify(commitment_id: int) -> Response:
    record = get_in_council(Commitment, commitment_id, current_user.council_id)
    tracker_services.verify_commitment(current_user, record)
    db.session.commit()
    flash(_("Commitment verified."), "success")
    return _home()


@bp.post("/home/meetings/<int:meeting_id>/approve")
def approve_minutes(meeting_id: int) -> Response:
    record = get_in_council(Meeting, meeting_id, current_user.council_id)
    meeting_minutes.approve_minutes(current_user, record)
    db.session.commit()
    flash(meeting_minutes.approval_notice(record), "success")
    return _home()


@bp.post("/home/meetings/<int:meeting_id>/invitations/<int:invitation_id>/respond")
def respond(meeting_id: int, invitation_id: int) -> Response:
    record = get_in_council(Meeting, meeting_id, current_user.council_id)
    invitation = meeting_services.child_of(record, Invitation, invitation_id)
    require(current_user, "meeting.respond", invitation)
    form = AnswerForm()
    if not form.validate_on_submit():
        raise ValidationFailed(_("Choose an answer."), field="response")
    meeting_services.respond(current_user, invitation, Answer(form.response.data))
    db.session.commit()
    flash(_("Thank you, your answer is recorded."), "success")
    return _home()


@bp.post("/home/notifications/read")
def read_notifications() -> Response:
    notification_services.mark_all_read(current_user)
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return _home()
