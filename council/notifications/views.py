"""Notification pages: the in-app list, preferences, unsubscribing, and the admins' outbox."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload
from werkzeug.wrappers import Response

from council.auth.permissions import require
from council.directory.models import Membership, WorkingGroup
from council.errors import DomainError
from council.extensions import csrf, db
from council.forms import form_page, show_error
from council.i18n import current_language
from council.notifications import outbox, services, tokens
from council.notifications.forms import chosen_levels, preferences_form
from council.notifications.messages import Reader, describe_rows, subject_of, subject_path
from council.notifications.models import DeliveryState, EmailMode, Notification
from council.timeutil import utcnow
from council.web import paginate

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_badge() -> dict[str, Any]:
    """The unread count of the nav: one COUNT over an index, only on pages that show it."""
    def unread_notifications() -> int:
        return services.unread_count(current_user) if current_user.is_authenticated else 0

    return {"unread_notifications": unread_notifications}


@bp.get("/notifications")
@login_required
def index() -> str:
    unread_only = request.args.get("unread") == "1"
    page = paginate(services.inbox_query(current_user, unread_only=unread_only)
                    .options(selectinload(Notification.event)))
    reader = Reader(current_language(), current_user.time_zone)
    return render_template("notifications/index.html", page=page, unread_only=unread_only,
                           messages=describe_rows(page.items, reader), reader=reader)


@bp.get("/notifications/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int) -> Response:
    row = services.open_notification(current_user, notification_id)
    db.session.commit()
    return redirect(subject_path(*subject_of(row)) or url_for(".index"))


@bp.post("/notifications/read")
@login_required
def read_all() -> Response:
    services.mark_all_read(current_user)
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for(".index"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences() -> Response | str | tuple[str, int]:
    groups = db.session.scalars(
        select(WorkingGroup).join(Membership, Membership.group_id == WorkingGroup.id)
        .where(Membership.user_id == current_user.id).order_by(WorkingGroup.code)).all()
    saved = services.preference_of(current_user)
    levels = services.group_levels(current_user)
    form = preferences_form(groups, email_mode=saved.email_mode.value,
                            digest_weekday=saved.digest_weekday,
                            **{f"group_{group_id}": level.value for group_id, level in levels.items()})
    if not form.validate_on_submit():
        return form_page("notifications/preferences.html", form)
    try:
        services.save_preferences(current_user, current_user, email_mode=EmailMode(form.email_mode.data),
                                  digest_weekday=form.digest_weekday.data or 0,
                                  levels=chosen_levels(form))
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return form_page("notifications/preferences.html", form)
    db.session.commit()
    flash(_("Your notification settings are saved."), "success")
    return redirect(url_for(".preferences"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail clients post here without our form (RFC 8058 one-click); the signed token is the key
def unsubscribe(token: str) -> str:
    person = tokens.person_of_token(token)
    if request.method == "POST":
        services.unsubscribe(person)
        db.session.commit()
    with force_locale(person.language):  # the page speaks the language of the e-mail it came from
        return render_template("notifications/unsubscribe.html", person=person, token=token,
                               done=request.method == "POST")


# The outbox, for administrators -------------------------------------------------------------------


@bp.get("/admin/outbox")
@login_required
def outbox_page() -> str:
    require(current_user, "notifications.outbox", current_user.council_id)
    state = request.args.get("state", DeliveryState.FAILED.value)
    state = DeliveryState(state) if state in {s.value for s in DeliveryState} else DeliveryState.FAILED
    page = paginate(services.outbox_query(current_user.council_id, state)
                    .options(defer(Notification.payload), selectinload(Notification.recipient)))
    scheduled = bool(current_app.config.get("REDIS_URL"))
    return render_template("notifications/outbox.html", page=page, state=state,
                           states=list(DeliveryState),
                           counts=services.outbox_counts(current_user.council_id),
                           scheduled=scheduled, last_beat=outbox.last_beat() if scheduled else None,
                           beat_stale=scheduled and outbox.beat_is_stale(), now=utcnow())


@bp.post("/admin/outbox/<int:notification_id>/retry")
@login_required
def retry(notification_id: int) -> Response:
    row = services.get_outbox_row(current_user.council_id, notification_id)
    services.retry(current_user, row)
    db.session.commit()
    flash(_("The e-mail is queued again."), "success")
    return redirect(url_for(".outbox_page", state=DeliveryState.FAILED.value))


@bp.post("/admin/outbox/retry-failed")
@login_required
def retry_failed() -> Response:
    count = services.retry_all_failed(current_user, current_user.council_id)
    db.session.commit()
    flash(ngettext("%(num)d e-mail is queued again.", "%(num)d e-mails are queued again.", count),
          "success")
    return redirect(url_for(".outbox_page", state=DeliveryState.FAILED.value))
