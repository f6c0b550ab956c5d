"""Forms for signing in, accepting an invitation and resetting a password."""

from __future__ import annotations

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
