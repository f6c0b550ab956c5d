"""The report's form: scope, period and language(s). It checks shapes; the service checks the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from council.forms import CouncilForm, language_options, optional_int


class ReportForm(CouncilForm):
    group_id = SelectField(_l("Scope"), coerce=optional_int)  # the choices: what the person may generate
    period = SelectField(_l("Period type"), choices=[
        SelectChoice("quarter", _l("A quarter")), SelectChoice("half", _l("A half-year")),
        SelectChoice("year", _l("A year")), SelectChoice("dates", _l("Between two dates"))],
        default="quarter", validate_choice=False)
    year = IntegerField(_l("Year"), validators=[Optional()])
    part = SelectField(_l("Quarter or half-year"), coerce=optional_int, validate_choice=False, choices=[
        SelectChoice("1", _l("First (Q1 or H1)")), SelectChoice("2", _l("Second (Q2 or H2)")),
        SelectChoice("3", _l("Third quarter")), SelectChoice("4", _l("Fourth quarter"))])
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    language = SelectField(_l("Language"), choices=language_options(), default="ru", validate_choice=False)
    second_language = SelectField(_l("Second language, in a column beside the first"), validate_choice=False,
                                  choices=[SelectChoice("", _l("None")), *language_options()], default="")
    final = BooleanField(_l("Final version (otherwise marked as a draft)"))
    public_only = BooleanField(_l("Public records only, so that it may be published on the public portal"))
