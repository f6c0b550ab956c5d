"""The operator's pages: /admin/status (administrators) and /metrics (Prometheus); and personal data:
one's own download, and anonymising a person who has left (administrators)."""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from prometheus_client import CONTENT_TYPE_LATEST
from werkzeug.wrappers import Response

from council.auth.permissions import require
from council.directory.models import User
from council.extensions import csrf, db, limiter
from council.operations import components as component_samples
from council.operations import metrics, personal_data, status
from council.timeutil import utcnow
from council.webhooks import services as webhook_services

bp = Blueprint("operations", __name__)


@bp.get("/admin/status")
@login_required
def status_page() -> str:
    require(current_user, "operations.status")
    return render_template("operations/status.html", status=status.status(current_user.council_id),
                           failing_webhooks=webhook_services.failing_endpoints(current_user.council_id),
                           now=utcnow())


@bp.get("/admin/components")
@login_required
def components() -> str:
    """Every shared component on one page, for developers: in debug to anyone signed in, otherwise to
    the platform administrators."""
    if not current_app.debug:
        require(current_user, "operations.components")
    return render_template("operations/components.html", **component_samples.samples())


@bp.get("/metrics")
@csrf.exempt
@limiter.exempt
def metrics_page() -> Response:
    if not metrics.may_scrape():
        abort(404)  # to anyone else there is nothing here
    return Response(metrics.exposition(current_app._get_current_object()),  # type: ignore[attr-defined]
                    mimetype=CONTENT_TYPE_LATEST)


@bp.get("/profile/data")
@login_required
def my_data() -> Response:
    """What Council holds about the signed-in person, as a JSON file."""
    body = json.dumps(personal_data.personal_data(current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="council-personal-data-{current_user.id}.json"'})


@bp.post("/people/<int:person_id>/anonymise")
@login_required
def anonymise_person(person_id: int) -> Response:
    person = db.get_or_404(User, person_id)
    if person.council_id != current_user.council_id:
        abort(404)
    personal_data.anonymise(current_user, person)
    db.session.commit()
    flash(_("The person is anonymised: their name and e-mail are replaced, their history is kept."),
          "success")
    return redirect(url_for("directory.person", person_id=person.id))
