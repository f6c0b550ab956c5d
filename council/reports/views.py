"""The report's pages: the form, a version's progress and downloads, and the list of versions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from council.auth.permissions import can
from council.directory.models import WorkingGroup
from council.errors import DomainError, NotAllowed
from council.extensions import db
from council.forms import refuse_form
from council.i18n import plain_localized
from council.notifications.outbox import dispatch
from council.reports import services
from council.reports.forms import ReportForm
from council.reports.models import ReportStatus, ReportVersion
from council.reports.permissions import may_generate_any
from council.timeutil import council_today
from council.web import after_response, current_council, no_store, paginate

bp = Blueprint("reports", __name__, url_prefix="/reports")
TASK = "council.reports.generate"


@bp.before_request
@login_required
def _signed_in() -> None:
    """The report's pages are for the council's secretaries and co-chairs."""


@bp.app_template_global()
def may_generate_reports() -> bool:
    return bool(current_user.is_authenticated and may_generate_any(current_user))


def _allowed() -> None:
    if not may_generate_any(current_user):
        raise NotAllowed(_("Only the council's secretaries, or a working group's co-chairs for their group, "
                           "can generate the progress report."))


def _scopes() -> list[SelectChoice]:
    council = current_council()
    choices = []
    if can(current_user, "report.generate", council.id):
        choices.append(SelectChoice("", _("The whole council")))
    groups = db.session.scalars(select(WorkingGroup).where(WorkingGroup.council_id == council.id)
                                .order_by(WorkingGroup.code))
    choices += [SelectChoice(str(group.id), plain_localized(group.name, group.original_language))
                for group in groups if can(current_user, "report.generate", group)]
    return choices


@bp.route("/new", methods=["GET", "POST"])
def new_report() -> Any:
    _allowed()
    form = ReportForm()
    form.group_id.choices = _scopes()
    if not form.is_submitted():
        form.year.data = council_today().year
        form.language.data = current_user.language if current_user.language else "ru"

    def page() -> str:
        return render_template("reports/form.html", form=form)

    if not form.validate_on_submit():
        return (page(), 422) if form.is_submitted() else page()
    asked = services.ReportRequest(
        group_id=form.group_id.data, period=form.period.data or "", year=form.year.data,
        part=form.part.data, start=form.start.data, end=form.end.data, language=form.language.data or "",
        second_language=form.second_language.data or None, final=bool(form.final.data))
    try:
        version = services.request_report(current_user, current_council(), asked,
                                           public=bool(form.public_only.data))
    except DomainError as error:
        return refuse_form(form, error, page)
    db.session.commit()
    response = redirect(url_for("reports.report", report_id=version.id))
    # Without a broker the task runs here, once the browser has the progress page's address.
    return after_response(response, dispatch, TASK, version.id)


@bp.get("")
def reports() -> str:
    _allowed()
    query = services.readable_versions(current_user).order_by(ReportVersion.number.desc())
    return render_template("reports/list.html", page=paginate(query))


@bp.get("/<int:report_id>")
def report(report_id: int) -> BaseResponse:
    version = services.get_version(current_user, report_id)
    working = version.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)
    response = current_app.make_response(render_template("reports/report.html", version=version,
                                                          working=working))
    return no_store(response)


@bp.get("/<int:report_id>/report.<any(docx, pdf):file_format>")
def download(report_id: int, file_format: str) -> BaseResponse:
    version, content = services.document_of(current_user, report_id, file_format)
    if file_format not in services.FORMATS:
        abort(404)
    response = Response(content, mimetype=services.FORMATS[file_format])
    response.headers["Content-Disposition"] = \
        f'attachment; filename="council-report-{version.number}.{file_format}"'
    return no_store(response)


@bp.post("/<int:report_id>/portal")
def publish(report_id: int) -> BaseResponse:
    version = services.get_version(current_user, report_id)
    published = request.form.get("published") == "1"
    services.set_published(current_user, version, published)
    db.session.commit()
    flash(_("The report is shown on the public portal.") if published else
          _("The report is no longer shown on the public portal."), "success")
    return redirect(url_for(".report", report_id=version.id))
