"""The portal's published reports: built from public records only and published by a secretary, they
are anyone's to read and download, without signing in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template
from werkzeug.wrappers import Response

from council.dashboard.portal import public_council
from council.directory.models import Council
from council.reports import services
from council.web import paginate

bp = Blueprint("public_reports", __name__, url_prefix="/public/<slug>/reports")


@bp.url_value_preprocessor
def _council(endpoint: str | None, values: dict[str, Any] | None) -> None:
    # The portal's own links (its navigation) find the council here too.
    g.portal_council = public_council((values or {}).pop("slug", ""))


@bp.url_defaults
def _slug(endpoint: str, values: dict[str, Any]) -> None:
    council = g.get("portal_council")
    if council is not None:
        values.setdefault("slug", council.slug)


def _portal() -> Council:
    council: Council = g.portal_council
    return council


@bp.get("")
def reports() -> str:
    council = _portal()
    return render_template("reports/public_list.html", council=council,
                           page=paginate(services.published_versions(council.id)))


@bp.get("/<int:report_id>/report.<any(docx, pdf):file_format>")
def download(report_id: int, file_format: str) -> Response:
    version, content = services.published_document(_portal().id, report_id, file_format)
    response = Response(content, mimetype=services.FORMATS[file_format])
    response.headers["Content-Disposition"] = \
        f'attachment; filename="council-report-{version.number}.{file_format}"'
    return response
