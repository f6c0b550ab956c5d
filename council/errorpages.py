"""Every refusal is a page with a clear message and the right 4xx; never a bare 500 for bad input."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from council.errors import DomainError
from council.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _answer(status: int, title: str, message: str) -> Response | tuple[str, int]:
    if _wants_json():
        return jsonify(error={"status": status, "message": message}), status  # type: ignore[return-value]
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Response | tuple[str, int]:
        db.session.rollback()
        return _answer(error.status_code, _("This cannot be done"), error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Response | tuple[str, int]:
        return _answer(400, _("The form has expired"),
                       _("The page was open too long or was sent twice. Go back, reload the page "
                         "and send the form again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | tuple[str, int]:
        status = error.code or 500
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have permission to see this page."),
            404: _("There is nothing at this address."),
            405: _("This action is not available here."),
            410: _("This link is no longer valid."),
            413: _("The file is too large."),
            429: _("Too many attempts. Wait a minute and try again."),
        }
        return _answer(status, error.name, messages.get(status, error.description or ""))
