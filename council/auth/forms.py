"""Forms for signing in, accepting an invitation and resetting a password."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from council.directory.forms import platform_role_field
from council.forms import CouncilForm, language_options, optional_int


class LoginForm(CouncilForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in"))


class NewPasswordForm(CouncilForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"})


class ForgotPasswordForm(CouncilForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class InvitationForm(CouncilForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(lazy_pgettext("person", "Name"), validators=[DataRequired(), Length(max=120)])
    organisation_id = SelectField(_l("Organisation"), coerce=optional_int, validate_choice=False)
    role = platform_role_field()
    language = SelectField(_l("Language of e-mails and pages"),
                           choices=language_options())


class CodeForm(CouncilForm):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "none",
                                  "spellcheck": "false"})


class TwoFactorOffForm(CouncilForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)],
                             render_kw={"autocomplete": "current-password"})
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code"})


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)],
                            render_kw={"autocomplete": "current-password"})


def security_section(person: Any) -> dict[str, Any]:
    """What the profile page shows about signing in: the second factor and recent security events."""
    from council.auth import security_log, two_factor

    return {"security_events": security_log.recent(person),
            "two_factor_required": two_factor.required_for(person),
            "recovery_codes_left": two_factor.recovery_codes_left(person)
            if person.two_factor_enabled else 0,
            "two_factor_off_form": TwoFactorOffForm(formdata=None, prefix="off"),
            "change_password_form": ChangePasswordForm(formdata=None, prefix="change"),
            "recovery_codes_form": CodeForm(formdata=None, prefix="renew")}
