"""Dashboards for signed-in people: the council's, a working group's, an organisation's, and "my work"."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from council import spreadsheets
from council.dashboard import cache, export, figures, links, services
from council.dashboard import models as _indexes  # noqa: F401  (the aggregates' indexes)
from council.dashboard import my_work as dashboard_my_work
from council.dashboard.figures import Scope
from council.dashboard.services import Dashboard
from council.directory.models import Organisation, WorkingGroup
from council.directory.services import get_in_council
from council.extensions import db
from council.meetings.models import Meeting
from council.timeutil import council_today
from council.tracker.models import Indicator
from council.web import arg_int, same_site_path

bp = Blueprint("dashboard", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Dashboards are for the council's signed-in people; the public portal lives under /public."""


@bp.context_processor
def _links() -> dict[str, Any]:
    return {"list_url": links.tracker_list, "record_url": links.tracker_record, "signed_in_view": True,
            **links.template_context(), **cache.template_context()}


def _board(scope: Scope) -> Dashboard:
    services.can_view(current_user, scope.council_id)
    return services.dashboard(scope, current_user)


@bp.get("/dashboard")
def council() -> str:
    board = _board(Scope(current_user.council_id))
    return render_template("dashboard/council.html", board=board, council=current_user.council)


@bp.get("/dashboard/groups/<int:group_id>")
def group(group_id: int) -> str:
    working_group = get_in_council(WorkingGroup, group_id, current_user.council_id)
    board = _board(Scope(current_user.council_id, group_id=working_group.id))
    return render_template("dashboard/group.html", board=board, group=working_group)


@bp.get("/dashboard/organisations")
def organisations() -> str:
    group_id = arg_int("group")
    working_group = get_in_council(WorkingGroup, group_id, current_user.council_id) if group_id else None
    scope = Scope(current_user.council_id, group_id=group_id)
    services.can_view(current_user, scope.council_id)
    sort = request.args.get("sort", "overdue")
    today = council_today()
    number = arg_int("page") or 1  # read here: a page number not understood is said so, cached or not

    def load_page() -> figures.RowsPage:  # only when the table is not in the cache
        return figures.organisations_page(scope, today, page=number,
                                          per_page=current_app.config["PAGE_SIZE"], sort=sort)

    # The table and its pager are the same for every reader of the council (its figures, in their
    # language); the pager's links repeat the address's arguments, so the block is kept per address.
    variant = urlencode(sorted(request.args.items(multi=True)))
    return render_template("dashboard/organisations.html", load_page=load_page, scope=scope, sort=sort,
                           today=today, variant=variant, group=working_group,
                           due_soon_days=figures.DUE_SOON_DAYS)


@bp.get("/dashboard/organisations/<int:organisation_id>")
def organisation(organisation_id: int) -> str:
    record = get_in_council(Organisation, organisation_id, current_user.council_id)
    board = _board(Scope(current_user.council_id, organisation_id=record.id))
    return render_template("dashboard/organisation.html", board=board, organisation=record)


def _csv(board: Dashboard, name: str) -> Response:
    text = "".join(spreadsheets.csv_lines([_("Block"), _("Row"), _("Measure"), _("Value")],
                                          export.figure_rows(board)))
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{name}-{board.today.isoformat()}.csv"'
    return response


@bp.get("/dashboard/figures.csv")
def council_csv() -> Response:
    return _csv(_board(Scope(current_user.council_id)), "council-dashboard")


@bp.get("/dashboard/groups/<int:group_id>/figures.csv")
def group_csv(group_id: int) -> Response:
    working_group = get_in_council(WorkingGroup, group_id, current_user.council_id)
    return _csv(_board(Scope(current_user.council_id, group_id=working_group.id)),
                f"group-{working_group.slug}")


@bp.get("/dashboard/organisations/<int:organisation_id>/figures.csv")
def organisation_csv(organisation_id: int) -> Response:
    record = get_in_council(Organisation, organisation_id, current_user.council_id)
    return _csv(_board(Scope(current_user.council_id, organisation_id=record.id)),
                f"organisation-{record.code}")


@bp.post("/dashboard/indicators/<int:indicator_id>/public")
def publish_indicator(indicator_id: int) -> Response:
    indicator = get_in_council(Indicator, indicator_id, current_user.council_id)
    public = request.form.get("public") == "1"
    figures.set_indicator_public(current_user, indicator, public)
    db.session.commit()
    flash(_("The indicator is shown on the public portal.") if public else
          _("The indicator is no longer shown on the public portal."), "success")
    return redirect(url_for(".council", _anchor="indicators"))


@bp.post("/dashboard/meetings/<int:meeting_id>/public")
def publish_minutes(meeting_id: int) -> Response:
    meeting = get_in_council(Meeting, meeting_id, current_user.council_id)
    public = request.form.get("public") == "1"
    services.set_minutes_public(current_user, meeting, public)
    db.session.commit()
    flash(_("The minutes are shown on the public portal.") if public else
          _("The minutes are no longer shown on the public portal."), "success")
    back = same_site_path(request.form.get("next")) or ""  # the dashboard the button was on; nowhere else
    return redirect(back if back.startswith("/dashboard") else url_for(".council", _anchor="minutes"))


@bp.get("/my-work")
def my_work() -> str:
    services.can_view(current_user, current_user.council_id)
    return render_template("dashboard/my_work.html", work=dashboard_my_work.my_work(current_user))
