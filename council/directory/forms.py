"""Forms of the directory pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import BooleanField, Field, SelectField, StringField
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from council.dbtypes import choices
from council.directory.models import GroupRole, OrganisationKind, PlatformRole
from council.forms import (
    CouncilForm,
    language_options,
    optional_int,
    original_language_field,
    time_zone_options,
    translated_text_field,
)


def _a_platform_role(form: Any, field: Field) -> None:
    if field.data not in {role.value for role in PlatformRole}:
        raise ValidationError(_l("Choose one of the listed values."))


def platform_role_field() -> SelectField:
    """The platform role. Any role passes the form (the administrator role is left out of the list for
    secretaries), so that a forged choice reaches the service and is refused with a 403 saying who can."""
    return SelectField(_l("Platform role"), choices=choices(PlatformRole), validate_choice=False,
                       validators=[_a_platform_role], default=PlatformRole.MEMBER.value)


class OrganisationForm(CouncilForm):
    name = translated_text_field(lazy_pgettext("thing", "Name"), max_length=300, required=True)
    original_language = original_language_field()
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the code.")), Length(max=60)],
                       description=_l("A short stable key used by imports, e.g. aktau-akimat."))
    kind = SelectField(_l("Kind"), choices=choices(OrganisationKind))
    country_code = SelectField(_l("Country"), validators=[DataRequired(_l("Choose a country."))])
    region_id = SelectField(_l("Region"), coerce=optional_int, validate_choice=False)
    website = StringField(_l("Website"), validators=[Optional(), URL(), Length(max=300)])


class GroupForm(CouncilForm):
    name = translated_text_field(lazy_pgettext("thing", "Name"), max_length=200, required=True)
    description = translated_text_field(_l("Description"), max_length=4000, multiline=True)
    original_language = original_language_field()
    slug = StringField(_l("Address name"), validators=[DataRequired(), Length(max=60)],
                       description=_l("Lower-case Latin letters and hyphens, e.g. trade."))
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the code.")), Length(max=6)],
                       description=_l("Prefix of recommendation codes, e.g. TRD."))
    active = BooleanField(lazy_pgettext("group", "Active"), default=True)


def _a_group_role(form: Any, field: Field) -> None:
    if field.data not in {role.value for role in GroupRole}:
        raise ValidationError(_l("Choose one of the listed values."))


class MembershipForm(CouncilForm):
    user_id = SelectField(_l("Person"), coerce=optional_int,
                          validators=[DataRequired(_l("Choose a person."))],
                          validate_choice=False)
    # Any role passes the form (co-chairs are not offered the co-chair role): the service refuses a
    # forged one with a 403 that says who appoints co-chairs.
    role = SelectField(_l("Role in the group"), choices=choices(GroupRole), validate_choice=False,
                       validators=[_a_group_role])


class MemberRoleForm(CouncilForm):
    role = SelectField(_l("Role in the group"), choices=choices(GroupRole))


class ProfileForm(CouncilForm):
    name = StringField(lazy_pgettext("person", "Name"), validators=[DataRequired(), Length(max=120)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=160)])
    language = SelectField(_l("Language"),
                           choices=language_options())
    time_zone = SelectField(_l("Time zone"), choices=time_zone_options())


class PersonRoleForm(CouncilForm):
    role = platform_role_field()
    organisation_id = SelectField(_l("Organisation"), coerce=optional_int, validate_choice=False)
    active = BooleanField(lazy_pgettext("account", "Active"))
