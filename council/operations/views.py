"""The operator's pages: /admin/status (administrators) and /metrics (Prometheus)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required
from prometheus_client import CONTENT_TYPE_LATEST
from werkzeug.wrappers import Response

from council.auth.permissions import require
from council.extensions import csrf, limiter
from council.operations import metrics, status
from council.timeutil import utcnow

bp = Blueprint("operations", __name__)


@bp.get("/admin/status")
@login_required
def status_page() -> str:
    require(current_user, "operations.status")
    return render_template("operations/status.html", status=status.status(current_user.council_id),
                           now=utcnow())


@bp.get("/metrics")
@csrf.exempt
@limiter.exempt
def metrics_page() -> Response:
    if not metrics.may_scrape():
        abort(404)  # to anyone else there is nothing here
    return Response(metrics.exposition(current_app._get_current_object()),  # type: ignore[attr-defined]
                    mimetype=CONTENT_TYPE_LATEST)
