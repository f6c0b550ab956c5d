"""Sign in and out, accept an invitation, reset a password, choose a language."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from council.auth import services, sessions, two_factor
from council.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    TwoFactorOffForm,
)
from council.directory.models import User
from council.errors import DomainError, ValidationFailed
from council.extensions import db, limiter
from council.forms import form_page, show_error
from council.i18n import LANGUAGES, speak_as
from council.web import after_response, private_page, same_site_path

bp = Blueprint("auth", __name__)
T = TypeVar("T")


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


# Between the password and the code: who is signing in, and what they asked for, for a few minutes.
PENDING = "two_factor_pending"
PENDING_SECONDS = 600
# Pages an administrator or secretary without a second factor may still open: nothing but set-up.
OPEN_DURING_SET_UP = {"static", "health.healthz", "auth.login", "auth.login_code", "auth.logout",
                      "auth.two_factor_setup", "auth.choose_language"}


def _client() -> dict[str, Any]:
    return {"address": request.remote_addr, "agent": request.user_agent.string}


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
        user = services.authenticate(form.email.data or "", form.password.data or "",
                                     address=request.remote_addr)
    except DomainError as error:
        db.session.commit()  # the failed attempt stays in the person's security history
        show_error(form, error)
        return form_page("auth/login.html", form)
    if user.two_factor_enabled:
        session[PENDING] = {"user": user.id, "version": user.session_version,
                            "remember": bool(form.remember.data), "next": request.args.get("next"),
                            "at": int(time.time())}
        return redirect(url_for("auth.login_code"))
    return _signed_in(user, remember=bool(form.remember.data), method="password",
                      target=request.args.get("next"))


def _signed_in(user: User, *, remember: bool, method: str, target: str | None) -> Response:
    services.sign_in(user, method=method, **_client())
    sessions.log_in(user, remember=remember)
    db.session.commit()
    session.pop("language", None)
    return redirect(_safe_next(target))


def _pending_sign_in() -> tuple[User, dict[str, Any]] | None:
    """The person who gave the right password a moment ago, unless their sessions ended since."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - int(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = db.session.get(User, int(pending.get("user", 0)))
    if user is None or not user.active or not user.two_factor_enabled \
            or user.session_version != pending.get("version"):
        return None
    return user, pending


def _code_limit() -> str:
    return str(current_app.config["TWO_FACTOR_RATE_LIMIT"])


def _code_account_key() -> str:
    """Code attempts are counted per account, from whatever addresses they come."""
    pending = session.get(PENDING)
    return f"two-factor:{pending.get('user') if isinstance(pending, dict) else None}"


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_code_limit, methods=["POST"], key_func=_code_account_key,
               exempt_when=lambda: PENDING not in session)
@limiter.limit(_login_limit, methods=["POST"])
def login_code() -> Response | str | tuple[str, int]:
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("directory.home"))
    found = _pending_sign_in()
    if found is None:
        if session.pop(PENDING, None) is not None:
            flash(_("Sign in again: the code was not entered in time."), "info")
        return redirect(url_for("auth.login"))
    user, pending = found
    form = CodeForm()
    if not form.validate_on_submit():
        return form_page("auth/login_code.html", form)
    method = two_factor.verify(user, form.code.data or "")
    if method is None:
        db.session.rollback()
        services.code_refused(user, address=request.remote_addr)
        db.session.commit()
        show_error(form, ValidationFailed(_("This code is not valid."), field="code"))
        return form_page("auth/login_code.html", form)
    session.pop(PENDING, None)
    return _signed_in(user, remember=bool(pending.get("remember")), method=method,
                      target=pending.get("next"))


@bp.before_app_request
def require_two_factor_set_up() -> Response | None:
    """An administrator or secretary without a second factor can do nothing but set one up."""
    if request.endpoint in OPEN_DURING_SET_UP or request.path.startswith("/api/"):
        return None
    if current_user.is_authenticated and two_factor.needs_set_up(current_user):
        return redirect(url_for("auth.two_factor_setup"))
    return None


def _signed_out(sign_out: Callable[[User], None], message: LazyString) -> Response:
    # The sign-in page that follows (and its message, read once signed out) stays in the language the
    # person chose.
    session["signed_out_language"] = current_user.language
    sign_out(current_user)
    db.session.commit()
    logout_user()
    flash(str(message), "success")
    return redirect(url_for("auth.login"))


@bp.post("/logout")
@login_required
def logout() -> Response:
    return _signed_out(services.sign_out, _l("You have signed out."))


@bp.post("/profile/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Response:
    return _signed_out(services.sign_out_everywhere,
                       _l("You have signed out on every device. Sign in again here."))


# Two-factor set-up on the profile -----------------------------------------------------------------


def _stay_signed_in() -> None:
    """The person's sessions just ended (a security change): keep this one, under the new version."""
    sessions.log_in(current_user._get_current_object())
    db.session.commit()


def _set_up_page(form: CodeForm) -> Response:
    secret = two_factor.pending_secret(current_user)
    uri = two_factor.provisioning_uri(current_user, secret)
    page = render_template("auth/two_factor_setup.html", form=form, secret=secret,
                           qr_code=two_factor.qr_code_svg(uri, _("QR code for your authenticator app")),
                           required=two_factor.required_for(current_user))
    db.session.commit()  # the secret shown must be the one checked on the next request
    return private_page(page, 422 if form.is_submitted() else 200)


@bp.route("/profile/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup() -> Response:
    if current_user.two_factor_enabled:
        flash(_("Two-factor sign-in is already on."), "info")
        return redirect(url_for("directory.profile"))
    form = CodeForm()
    if not form.validate_on_submit():
        return _set_up_page(form)
    try:
        codes = two_factor.enable(current_user, form.code.data or "")
    except DomainError as error:
        show_error(form, error)
        return _set_up_page(form)
    db.session.commit()
    _stay_signed_in()
    flash(_("Two-factor sign-in is on."), "success")
    return private_page(render_template("auth/recovery_codes.html", codes=codes))


def _security_section() -> Response:
    return redirect(url_for("directory.profile", _anchor="security"))


def _security_change(form: FlaskForm, change: Callable[[], T], invalid: str | None = None) -> T | Response:
    """A change from the profile's security section: saved, or refused with the message shown there
    (`invalid` when the form is incomplete, else the first field's own message)."""
    try:
        if not form.validate_on_submit():
            if invalid is not None:
                raise ValidationFailed(invalid)
            field, errors = next(iter(form.errors.items()))
            raise ValidationFailed(str(errors[0]), field=field)
        done = change()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _security_section()
    db.session.commit()
    return done


@bp.post("/profile/two-factor/recovery-codes")
@login_required
def renew_recovery_codes() -> Response | tuple[str, int]:
    form = CodeForm(prefix="renew")
    codes = _security_change(form, lambda: two_factor.new_recovery_codes(current_user, form.code.data or ""),
                             _("Enter a code from your authenticator app."))
    if isinstance(codes, Response):
        return codes
    return private_page(render_template("auth/recovery_codes.html", codes=codes))


def _other_sessions_ended(form: FlaskForm, change: Callable[[], None], message: str,
                          invalid: str | None = None) -> Response:
    """A change that ends the person's sessions: this browser's stays signed in, and the profile says so."""
    refused = _security_change(form, change, invalid)
    if isinstance(refused, Response):
        return refused
    _stay_signed_in()
    flash(message, "success")
    return _security_section()


@bp.post("/profile/two-factor/off")
@login_required
def two_factor_off() -> Response:
    form = TwoFactorOffForm(prefix="off")
    return _other_sessions_ended(form, lambda: two_factor.disable(
        current_user, password=form.password.data or "", code=form.code.data or ""),
        _("Two-factor sign-in is off."), _("Enter your password and a code."))


@bp.post("/profile/password")
@login_required
def change_password() -> Response:
    form = ChangePasswordForm(prefix="change")
    return _other_sessions_ended(form, lambda: services.change_password(
        current_user, current=form.current.data or "", new=form.password.data or ""),
        _("Your password is changed. You were signed out everywhere else."))


@bp.post("/people/<int:person_id>/two-factor/reset")
@login_required
def reset_second_factor(person_id: int) -> Response:
    from council.directory.services import get_in_council

    person = get_in_council(User, person_id, current_user.council_id)
    two_factor.reset(current_user, person)
    db.session.commit()
    flash(_("The second factor of %(name)s is reset; they have been told by e-mail.", name=person.name),
          "success")
    return redirect(url_for("directory.person", person_id=person.id))


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
    sessions.log_in(user)
    db.session.commit()
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
