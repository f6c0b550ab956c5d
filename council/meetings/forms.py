"""Forms of the meeting pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from council.dbtypes import choices
from council.forms import (
    CouncilForm,
    option,
    optional_int,
    original_language_field,
    time_zone_options,
    translated_text_field,
)
from council.meetings.models import MeetingKind, Response
from council.tracker.models import Priority

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class MultiCheckboxField(SelectMultipleField):
    """A list of check boxes: one per choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MeetingForm(CouncilForm):
    kind = SelectField(_l("Kind of meeting"), choices=choices(MeetingKind))
    group_id = SelectField(_l("Working group"), coerce=optional_int, validate_choice=False)
    title = translated_text_field(_l("Title"), max_length=300, required=True)
    original_language = original_language_field()
    starts_at = DateTimeLocalField(_l("Starts"), format=DATETIME_FORMAT, validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format=DATETIME_FORMAT, validators=[DataRequired()])
    time_zone = SelectField(_l("Time zone of the meeting"),
                            choices=time_zone_options(), default="Asia/Aqtau")
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)],
                        render_kw={"list": "meeting-places"},
                        description=_l("City and address, e.g. Aktau, akimat building, hall 2."))
    online_url = URLField(_l("Online link"), validators=[Optional(), URL(), Length(max=500)])
    session_chair_ids = SelectMultipleField(
        _l("Co-chairs of the session"), coerce=int, validate_choice=False,
        description=_l("One from each country; they approve the minutes."))
    invite_user_ids = SelectMultipleField(_l("Invited people"), coerce=int, validate_choice=False)
    invite_organisation_ids = SelectMultipleField(
        _l("Invited organisations"), coerce=int, validate_choice=False,
        description=_l("Anyone from an invited organisation may answer for it or send a delegate."))
    invite_group_members = BooleanField(_l("Invite every member of the working group"), default=True)


class CancelForm(CouncilForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class ResponseForm(CouncilForm):
    response = SelectField(_l("Your answer"), choices=[
        option(r.value, r.label) for r in (Response.ATTENDING, Response.NOT_ATTENDING, Response.DELEGATED)])
    delegate_id = SelectField(_l("Delegate"), coerce=optional_int, validate_choice=False)


class AgendaItemForm(CouncilForm):
    title = translated_text_field(_l("Title"), max_length=300, required=True)
    original_language = original_language_field()
    notes = translated_text_field(_l("Notes"), max_length=4000, multiline=True)
    duration_minutes = IntegerField(_l("Duration in minutes"), validators=[InputRequired()], default=15)
    presenter_id = SelectField(_l("Presenter"), coerce=optional_int, validate_choice=False)
    parent_id = SelectField(_l("Sub-item of"), coerce=optional_int, validate_choice=False)
    recommendation_ids = SelectMultipleField(_l("Recommendations discussed"), coerce=int,
                                             validate_choice=False)
    commitment_ids = SelectMultipleField(_l("Commitments reviewed"), coerce=int, validate_choice=False)


class AttendanceForm(CouncilForm):
    present = MultiCheckboxField(_l("Present"), coerce=int, validate_choice=False)
    online = MultiCheckboxField(_l("Took part online"), coerce=int, validate_choice=False)
    add_user_id = SelectField(_l("Add someone else who was present"), coerce=optional_int,
                              validate_choice=False)


class CommitmentRowForm(Form):
    """One commitment a decision creates; a row without an organisation is ignored."""

    organisation_id = SelectField(_l("Organisation"), coerce=optional_int, validate_choice=False)
    owner_id = SelectField(_l("Owner"), coerce=optional_int, validate_choice=False)
    due_date = DateField(_l("Due date"), validators=[Optional()])
    wording = StringField(_l("What exactly (if not the decision's words)"),
                              validators=[Optional(), Length(max=1000)])


class DecisionForm(CouncilForm):
    text = translated_text_field(_l("Decision"), max_length=4000, multiline=True,
                                 required=True)
    original_language = original_language_field()
    agenda_item_id = SelectField(_l("Agenda item"), coerce=optional_int, validate_choice=False)
    create_recommendation = BooleanField(_l("The decision makes a recommendation"))
    recommendation_group_id = SelectField(_l("Working group of the recommendation"), coerce=optional_int,
                                          validate_choice=False)
    recommendation_title = translated_text_field(_l("Title of the recommendation (if not the decision's "
                                                    "words)"), max_length=300)
    recommendation_priority = SelectField(_l("Priority"), choices=choices(Priority), default="medium")
    adopt_recommendation = BooleanField(_l("Adopted by this meeting"), default=True)
    commitment_recommendation_id = SelectField(
        _l("Recommendation the commitments answer"), coerce=optional_int, validate_choice=False,
        description=_l("Leave empty when the decision makes the recommendation itself."))
    commitments = FieldList(FormField(CommitmentRowForm), label=_l("Commitments"), min_entries=3,
                            max_entries=10)


class RevisionForm(CouncilForm):
    reason = TextAreaField(_l("What changes and why"), validators=[DataRequired(), Length(max=2000)])


class DocumentForm(CouncilForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    file = FileField(_l("File"), validators=[FileRequired()])
    agenda_item_id = SelectField(_l("Agenda item"), coerce=optional_int, validate_choice=False)


class FeedForm(CouncilForm):
    group_id = SelectField(_l("Calendar"), coerce=optional_int, validate_choice=False)


def minutes_form(keys: list[tuple[str, Any]], data: dict[str, dict[str, str]] | None = None,
                 original_language: str | None = None) -> CouncilForm:
    """Notes for each agenda item (and general notes): one multilingual text area group per key."""

    class MinutesForm(CouncilForm):
        original_language = original_language_field()

    for key, label in keys:
        setattr(MinutesForm, f"notes_{key}", translated_text_field(label, max_length=20000, multiline=True))
    initial = {f"notes_{key}": texts for key, texts in (data or {}).items()}
    if original_language:
        initial["original_language"] = original_language  # type: ignore[assignment]
    return MinutesForm(data=initial)
