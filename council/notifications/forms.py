"""The preferences form: the e-mail mode, the weekly digest's day, and a level per working group."""

from __future__ import annotations

from collections.abc import Iterable

from babel.dates import get_day_names
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField

from council.dbtypes import choices
from council.directory.models import WorkingGroup
from council.forms import CouncilForm, option
from council.i18n import current_language, plain_localized
from council.notifications.models import EmailMode, GroupLevel


class PreferencesForm(CouncilForm):
    email_mode = RadioField(_l("E-mails"), choices=choices(EmailMode))
    digest_weekday = SelectField(_l("Day of the weekly digest"), coerce=int, validate_choice=True)

    def group_fields(self) -> list[SelectField]:
        return [field for name, field in self._fields.items() if name.startswith("group_")]


def preferences_form(groups: Iterable[WorkingGroup], **kwargs: object) -> PreferencesForm:
    """A form with one level field per group the person belongs to (named group_<id>)."""

    class Form(PreferencesForm):
        pass

    for group in groups:
        setattr(Form, f"group_{group.id}",
                SelectField(plain_localized(group.name, group.original_language),
                            choices=choices(GroupLevel)))
    form = Form(**kwargs)
    days = get_day_names("wide", locale=current_language())
    form.digest_weekday.choices = [option(day, str(days[day]).capitalize()) for day in range(7)]
    return form


def chosen_levels(form: PreferencesForm) -> dict[int, GroupLevel]:
    return {int(field.name.removeprefix("group_")): GroupLevel(field.data)
            for field in form.group_fields()}
