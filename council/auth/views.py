"""Sign in and out, accept an invitation, reset a password, choose a language."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from council.auth import services
from council.auth.forms import ForgotPasswordForm, LoginForm, NewPasswordForm
from council.errors import DomainError
from council.extensions import db, limiter
from council.forms import show_error
from council.i18n import LANGUAGES, speak_as
from council.web import after_response, form_page, same_site_path

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _login_address_limit() -> str:
    return str(current_app.config["LOGIN_ADDRESS_RATE_LIMIT"])


def _reset_limit() -> str:
    return str(current_app.config["PASSWORD_RESET_RATE_LIMIT"])


def _login_account_address_key() -> str:
    """Wrong passwords count per account AND address: a stranger elsewhere cannot lock a person out."""
    return f"login:{get_remote_address()}:{(request.form.get('email') or '').strip().casefold()}"


def _reset_account_key() -> str:
    return "reset:" + (request.form.get("email") or "").strip().casefold()


def _refused(response: Response) -> bool:
    """Only failed sign-ins count (a colleague behind the same office address signing in does not)."""
    return response.status_code != 302


def _safe_next(target: str | None) -> str:
    return same_site_path(target) or url_for("directory.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_address_limit, methods=["POST"], deduct_when=_refused)
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_account_address_key, deduct_when=_refused)
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("directory.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return form_page("auth/login.html", form)
    try:
        user = services.authenticate(form.email.data or "", form.password.data or "")
    except DomainError as error:
        show_error(form, error)
        return form_page("auth/login.html", form)
    db.session.commit()
    login_user(user, remember=form.remember.data)
    session.pop("language", None)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout() -> Response:
    # The sign-in page that follows (and its message) stays in the language the person chose.
    session["signed_out_language"] = current_user.language
    logout_user()
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"))


def _set_password_page(token: str, purpose: str, template: str) -> Response | str | tuple[str, int]:
    try:
        user = services.read_token(token, purpose)
    except DomainError as error:
        return render_template("auth/link_invalid.html", message=error.message), 410
    if not current_user.is_authenticated:
        speak_as(user.language)
    form = NewPasswordForm()
    if not form.validate_on_submit():
        return form_page(template, form, person=user)
    try:
        services.set_password(user, form.password.data or "")
    except DomainError as error:
        show_error(form, error)
        return form_page(template, form, person=user)
    db.session.commit()
    login_user(user)
    flash(_("Your password is set. Welcome!"), "success")
    return redirect(url_for("directory.home"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Response | str | tuple[str, int]:
    return _set_password_page(token, services.INVITATION, "auth/accept_invitation.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str | tuple[str, int]:
    return _set_password_page(token, services.PASSWORD_RESET, "auth/reset_password.html")


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_reset_account_key)
def forgot_password() -> Response | str | tuple[str, int]:
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return form_page("auth/forgot_password.html", form)
    flash(_("If this address belongs to an account, a link to set a new password is on its way."),
          "success")
    # The same answer, in the same time, for any address: whether it has an account is looked up only
    # after the answer has left (and the e-mail goes through the outbox, so SMTP down changes nothing).
    return after_response(redirect(url_for("auth.login")), services.request_password_reset,
                          form.email.data or "")


@bp.post("/language")
def choose_language() -> Response:
    """The switcher: remembered in the profile when signed in, in the session otherwise."""
    language = request.form.get("language", "")
    if language in LANGUAGES:
        if current_user.is_authenticated:
            current_user.language = language
            db.session.commit()
        else:
            session["language"] = language
    return redirect(_safe_next(request.form.get("next")))
