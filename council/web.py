"""Small helpers every blueprint's views share."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template, request
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from flask_wtf import FlaskForm
from sqlalchemy import Select
from werkzeug.wrappers import Response

from council.directory.models import Council
from council.extensions import db
from council.input_checks import bounded_int

UNPROCESSABLE = 422


def current_council() -> Council:
    council = db.session.get(Council, current_user.council_id)
    if council is None:
        abort(404)
    return council


def form_page(template: str, form: FlaskForm, **context: Any) -> str | tuple[str, int]:
    """Render a form page; once submitted (and so refused), with the 4xx status that says so."""
    page = render_template(template, form=form, **context)
    return (page, UNPROCESSABLE) if form.is_submitted() else page


def paginate(query: Select[Any]) -> Pagination:
    return db.paginate(query, page=arg_int("page"), per_page=current_app.config["PAGE_SIZE"],
                       max_per_page=100, error_out=False)


def arg_int(name: str) -> int | None:
    """An integer query argument (a filter, a page); a non-number or one no column can hold is a 400
    that names the argument, not a 500."""
    value = request.args.get(name, "")
    if value == "":
        return None
    return bounded_int(name, value)


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
