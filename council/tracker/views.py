"""Tracker pages: recommendations, commitments, progress reports, initiatives and indicators."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from council.tracker import services as services

bp = Blueprint("tracker", __name__, url_prefix="/tracker")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every tracker page is for signed-in people of the council; the public portal lives elsewhere."""
