"""Tracker pages: importing recommendations and commitments from a spreadsheet (routes on the tracker
blueprint)."""

from __future__ import annotations

from typing import Any

from flask import (
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from council.auth.permissions import require
from council.extensions import db
from council.forms import shown_form
from council.tracker import exports, imports
from council.tracker.forms import (
    ImportConfirmForm,
    ImportForm,
)
from council.tracker.models import (
    Priority,
    RecommendationSource,
    RecommendationStatus,
)
from council.tracker.views import bp
from council.web import UNPROCESSABLE, current_council


@bp.route("/import", methods=["GET", "POST"])
def import_file() -> Any:
    council = current_council()
    require(current_user, "tracker.import", council.id)
    form = ImportForm()

    def page() -> str:
        return render_template("tracker/import.html", form=form, report=None, confirm=None,
                               columns=_import_columns())

    if not form.validate_on_submit():
        return shown_form(form, page)
    upload = form.file.data
    data = upload.read()
    report = imports.run_import(current_user, council, form.kind.data, upload.filename or "", data,
                                save=False)
    db.session.rollback()
    confirm = None
    if report.ok:
        confirm = ImportConfirmForm(formdata=None, kind=form.kind.data,
                                    token=imports.stash(current_user.id, upload.filename or "", data))
    page_text = render_template("tracker/import.html", form=form, report=report, confirm=confirm,
                                columns=_import_columns())
    return page_text if report.ok else (page_text, UNPROCESSABLE)


@bp.post("/import/confirm")
def confirm_import() -> Any:
    council = current_council()
    require(current_user, "tracker.import", council.id)
    form = ImportConfirmForm()
    stashed = imports.unstash(current_user.id, form.token.data or "") if form.validate_on_submit() else None
    if stashed is None:
        flash(_("The uploaded file is no longer available; upload it again."), "error")
        return redirect(url_for(".import_file"))
    filename, data = stashed
    report = imports.run_import(current_user, council, form.kind.data or "", filename, data, save=True)
    if not report.saved:
        db.session.rollback()
        return render_template("tracker/import.html", form=ImportForm(formdata=None), report=report,
                               confirm=None, columns=_import_columns()), UNPROCESSABLE
    db.session.commit()
    imports.discard(current_user.id, form.token.data or "")
    flash(_("Import saved: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
            created=report.count("create"), updated=report.count("update"),
            unchanged=report.count("unchanged")), "success")
    return redirect(url_for(".recommendations" if report.kind == "recommendations" else ".commitments"))


def _import_columns() -> dict[str, Any]:
    return {"recommendations": (exports.RECOMMENDATION_COLUMNS, sorted(imports.REQUIRED["recommendations"])),
            "commitments": (exports.COMMITMENT_COLUMNS, sorted(imports.REQUIRED["commitments"])),
            "sources": [s.value for s in RecommendationSource],
            "priorities": [p.value for p in Priority],
            "statuses": [s.value for s in RecommendationStatus]}
