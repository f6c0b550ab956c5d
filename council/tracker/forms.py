"""Forms of the tracker pages. They check shapes; the services check the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from council.dbtypes import choices
from council.forms import CouncilForm, option, optional_int, original_language_field, translated_text_field
from council.tracker.models import CommitmentStatus, Priority, RecommendationSource


class RecommendationForm(CouncilForm):
    group_id = SelectField(_l("Working group"), coerce=optional_int, validate_choice=False,
                           validators=[DataRequired(_l("Choose the working group."))])
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the code.")), Length(max=60)],
                       description=_l("Group prefix, year and number, e.g. TRD-2026-004."))
    title = translated_text_field(_l("Title"), max_length=500, required=True)
    text = translated_text_field(_l("Text"), max_length=10000, multiline=True)
    original_language = original_language_field()
    source = SelectField(_l("Source"), choices=choices(RecommendationSource))
    source_reference = StringField(_l("Source reference"), validators=[Optional(), Length(max=300)],
                                   description=_l("E.g. the session and item, or the study."))
    priority = SelectField(_l("Priority"), choices=choices(Priority), default=Priority.MEDIUM.value)
    is_public = BooleanField(_l("Shown on the public portal"))


class StatusForm(CouncilForm):
    """A move of a recommendation or a commitment to another status, with a reason where needed."""

    status = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=4000)])


class CommitmentForm(CouncilForm):
    organisation_id = SelectField(_l("Responsible organisation"), coerce=optional_int,
                                  validate_choice=False,
                                  validators=[DataRequired(_l("Choose the responsible organisation."))])
    owner_id = SelectField(_l("Owner"), coerce=optional_int, validate_choice=False)
    description = translated_text_field(_l("What will be done"), max_length=4000, multiline=True,
                                        required=True)
    original_language = original_language_field()
    start_date = DateField(_l("Start date"), validators=[Optional()])
    due_date = DateField(_l("Due date"), validators=[InputRequired(_l("Enter the due date."))])
    counterpart_id = SelectField(_l("Counterpart commitment on the other side"), coerce=optional_int,
                                 validate_choice=False)
    initiative_id = SelectField(_l("Initiative"), coerce=optional_int, validate_choice=False)
    code = StringField(_l("Code"), validators=[Optional(), Length(max=60)],
                       description=_l("Leave empty to number it after the recommendation."))


REPORT_STATUS_CHOICES = [
    option("", _l("Keep the status")),
    option(CommitmentStatus.IN_PROGRESS.value, CommitmentStatus.IN_PROGRESS.label),
    option(CommitmentStatus.REPORTED_DONE.value, _l("Report it done and ask for verification")),
    option(CommitmentStatus.BLOCKED.value, _l("Blocked (say why in the note)")),
]


class ProgressForm(CouncilForm):
    progress = IntegerField(_l("Progress, %"), validators=[InputRequired(), NumberRange(0, 100)])
    status = SelectField(_l("Status"), choices=REPORT_STATUS_CHOICES, default="")
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])
    files = MultipleFileField(_l("Evidence files"),
                              description=_l("PDF, PNG, JPEG, DOCX, XLSX or ODT, up to 10 MB each."))
    links = TextAreaField(_l("Evidence links"), validators=[Optional(), Length(max=5000)],
                          description=_l("One web address per line."))


class VerificationForm(CouncilForm):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])


class InitiativeForm(CouncilForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)],
                       description=_l("E.g. UZEN-BEREKET-GORGAN."))
    name = translated_text_field(lazy_pgettext("thing", "Name"), max_length=300, required=True)
    description = translated_text_field(_l("Description"), max_length=4000, multiline=True)
    original_language = original_language_field()
    group_id = SelectField(_l("Working group"), coerce=optional_int, validate_choice=False)


class MilestoneForm(CouncilForm):
    title = translated_text_field(_l("Milestone"), max_length=300, required=True)
    original_language = original_language_field()
    due_date = DateField(_l("Due date"), validators=[Optional()])
    completed_on = DateField(_l("Reached on"), validators=[Optional()])


class MilestoneDoneForm(CouncilForm):
    completed_on = DateField(_l("Reached on"), validators=[Optional()])


class IndicatorForm(CouncilForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)],
                       description=_l("E.g. TRADE-TURNOVER."))
    name = translated_text_field(lazy_pgettext("thing", "Name"), max_length=300, required=True)
    description = translated_text_field(_l("Description"), max_length=4000, multiline=True)
    original_language = original_language_field()
    unit = StringField(_l("Unit"), validators=[DataRequired(), Length(max=40)],
                       description=_l("E.g. USD million, hours, people."), render_kw={"list": "units"})
    baseline_value = StringField(_l("Baseline value"), validators=[Optional(), Length(max=30)])
    baseline_date = DateField(_l("Baseline date"), validators=[Optional()])
    target_value = StringField(_l("Target value"), validators=[Optional(), Length(max=30)])
    target_date = DateField(_l("Target date"), validators=[Optional()])
    group_id = SelectField(_l("Working group"), coerce=optional_int, validate_choice=False)
    initiative_id = SelectField(_l("Initiative"), coerce=optional_int, validate_choice=False)


class ObservationForm(CouncilForm):
    observed_on = DateField(_l("Date"), validators=[InputRequired()])
    value = StringField(_l("Value"), validators=[DataRequired(), Length(max=30)])
    source = StringField(_l("Source"), validators=[DataRequired(), Length(max=300)],
                         description=_l("E.g. the statistics committee's bulletin, or the study."))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])


IMPORT_KINDS = [option("recommendations", _l("Recommendations")),
                option("commitments", _l("Commitments"))]


class ImportForm(CouncilForm):
    kind = SelectField(_l("The file holds"), choices=IMPORT_KINDS)
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired(_l("Choose a file."))])


class ImportConfirmForm(CouncilForm):
    kind = HiddenField(validators=[DataRequired()])
    token = HiddenField(validators=[DataRequired()])
