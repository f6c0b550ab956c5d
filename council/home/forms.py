"""The small forms of home: a progress report and an answer to an invitation, each one action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from council.forms import CouncilForm, option
from council.meetings.models import Response


class QuickProgressForm(CouncilForm):
    progress = IntegerField(_l("Progress, %"), validators=[InputRequired(), NumberRange(0, 100)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])
    done = BooleanField(_l("Report it done and ask for verification"))


class AnswerForm(CouncilForm):
    response = SelectField(_l("Your answer"), choices=[
        option(r.value, r.label) for r in (Response.ATTENDING, Response.NOT_ATTENDING)])
