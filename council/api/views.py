"""Web pages of the API: personal access tokens on the profile page, and the API documentation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from council.api import services
from council.api.forms import TokenForm, token_section
from council.api.models import ApiToken
from council.auth.forms import security_section
from council.directory.forms import ProfileForm
from council.errors import DomainError, NotFound
from council.extensions import db
from council.forms import show_error
from council.web import private_page

bp = Blueprint("api", __name__)


def _profile_page(token_form: TokenForm, new_secret: str | None = None) -> str:
    return render_template("directory/profile.html", form=ProfileForm(formdata=None, obj=current_user),
                           **token_section(token_form, new_secret), **security_section(current_user))


@bp.post("/profile/tokens")
@login_required
def create_token() -> Response | tuple[str, int]:
    form = TokenForm()
    if not form.validate_on_submit():
        return _profile_page(form), 422
    try:
        token, secret = services.create_token(current_user, name=form.name.data or "",
                                              scope=form.scope.data or "")
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return _profile_page(form), 422
    db.session.commit()
    # The secret is shown on this one response and never again: it is not stored, nor flashed
    # (the session cookie is signed, not encrypted), and the page must not be cached.
    flash(_("Token “%(name)s” created. Copy it now: it will not be shown again.", name=token.name),
          "success")
    return private_page(_profile_page(TokenForm(formdata=None), new_secret=secret), 201)


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Response:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user.council_id != current_user.council_id:
        raise NotFound(_("There is nothing at this address."))
    services.revoke_token(current_user, token)
    db.session.commit()
    flash(_("Token “%(name)s” revoked: systems using it can no longer sign in.", name=token.name),
          "success")
    return redirect(url_for("directory.profile"))


@bp.get("/api/v1/docs")
def documentation() -> str:
    """The OpenAPI document rendered by Swagger UI, served from our own static files."""
    return render_template("api/docs.html")

