"""Form pieces shared by every domain: multilingual text, service errors shown on their field, and the
one flow every form page follows (show it, refuse it with the service's message, or save it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any

import flask_babel
from flask import flash, redirect, render_template
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from werkzeug.wrappers import Response
from wtforms import Field, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from council.errors import DomainError, NotAllowed, NotFound
from council.extensions import db
from council.i18n import LANGUAGE_NAMES, LANGUAGES
from council.input_checks import MAX_INT
from council.timeutil import COUNCIL_TIME_ZONES, time_zone_name


class _ValidationMessages:
    """WTForms' messages: our catalog first (WTForms ships no Turkmen), then WTForms' own catalog."""

    def gettext(self, string: str) -> str:
        translated = flask_babel.get_translations().ugettext(string)
        return translated if translated != string else wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        translated = flask_babel.get_translations().ungettext(singular, plural, n)
        if translated not in (singular, plural):
            return translated
        return wtforms_translations.ngettext(singular, plural, n)


class CouncilForm(FlaskForm):
    """Base of every form: validation messages in the reader's language, Turkmen included, and no
    number larger than an integer column holds (a chosen id, a count) gets past it to the database."""

    class Meta:
        def get_translations(self, form: Any) -> _ValidationMessages:
            return _ValidationMessages()

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in _leaf_fields(self):
            if _beyond_integer_range(field.data):
                field.errors = [*field.errors, _("This number is too large.")]
                valid = False
        return valid


def _leaf_fields(form: Form) -> Iterator[Field]:
    for field in form:
        if isinstance(field, FormField):
            yield from _leaf_fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from (_leaf_fields(entry.form) if isinstance(entry, FormField) else [entry])
        else:
            yield field


def _beyond_integer_range(data: Any) -> bool:
    values = data if isinstance(data, list | tuple | set) else [data]
    return any(isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT
               for value in values)


def translated_text_field(label: Any, *, max_length: int, multiline: bool = False) -> FormField:
    """A group of four inputs (ru, kk, tk, en); services check that the original one is filled."""
    field_class = TextAreaField if multiline else StringField

    class TranslatedText(Form):
        pass

    for lang in LANGUAGES:
        setattr(TranslatedText, lang, field_class(
            LANGUAGE_NAMES[lang], validators=[Optional(), Length(max=max_length)],
            render_kw={"lang": lang}))
    return FormField(TranslatedText, label=label)


def original_language_field() -> SelectField:
    return SelectField(_l("Original language"),
                       choices=language_options(), default="ru")


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Attach a service's error to the field it names, or to the form as a whole."""
    field: Field | None = getattr(form, error.field, None) if error.field else None
    if isinstance(field, FormField):
        # A multilingual group: the message goes under the original language's input.
        original = getattr(getattr(form, "original_language", None), "data", None)
        field = field.form[original] if original in field.form else next(iter(field.form))
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def refuse_form(form: FlaskForm, error: DomainError, page: Callable[[], str]) -> tuple[str, int]:
    """Undo the change and show the service's message on the form, with the error's status (422 for a
    field or a plain refusal, 409 for a conflict). A refusal of permission or a missing record is its
    own page instead."""
    db.session.rollback()
    if isinstance(error, NotAllowed | NotFound):
        raise error
    show_error(form, error)
    # A plain refusal (400) shown on its form is an unprocessable form, like a field WTForms refused.
    status = HTTPStatus.UNPROCESSABLE_ENTITY.value if error.status_code == HTTPStatus.BAD_REQUEST else \
        error.status_code
    return page(), status


def form_page(template: str, form: FlaskForm, **context: Any) -> str | tuple[str, int]:
    """Render a form page; once submitted (and so refused), with the 4xx status that says so."""
    return shown_form(form, lambda: render_template(template, form=form, **context))


def shown_form(form: FlaskForm, page: Callable[[], str]) -> str | tuple[str, int]:
    """A form page; when it is shown again after being submitted, the form was refused: 422."""
    return (page(), HTTPStatus.UNPROCESSABLE_ENTITY.value) if form.is_submitted() else page()


def submit_form(form: FlaskForm, page: Callable[[], str], save: Callable[[], Any],
                message: str | Callable[[Any], str], target: Callable[[Any], str]
                ) -> Response | str | tuple[str, int]:
    """The flow every form page shares: show the form; refuse it, nothing saved, when a field is wrong
    (422) or the service says no (`refuse_form`); or save it, commit, say so and go on.

    `save` calls one service; the flash `message` (or what it makes of the saved record) and the redirect
    `target` URL come from what it returned.
    """
    if not form.validate_on_submit():
        return shown_form(form, page)
    try:
        saved = save()
    except DomainError as error:
        return refuse_form(form, error, page)
    db.session.commit()
    flash(message if isinstance(message, str) else message(saved), "success")
    return redirect(target(saved))


def option(value: Any, label: Any = None) -> SelectChoice:
    """One choice of a select field."""
    return SelectChoice(value, label if label is not None else str(value))


def language_options() -> list[SelectChoice]:
    """The four languages, each named in itself and marked as such for screen readers."""
    return [SelectChoice(lang, LANGUAGE_NAMES[lang], render_kw={"lang": lang}) for lang in LANGUAGES]


def time_zone_options() -> list[SelectChoice]:
    """The time zones people of the council live in, named in the reader's language ("Kazakhstan
    (Aktau)"); the value stays the tz database's name."""
    return [SelectChoice(tz, LazyString(time_zone_name, tz)) for tz in COUNCIL_TIME_ZONES]



def optional_int(value: Any) -> int | None:
    """Coerce a select's value: '' means none."""
    if value in (None, "", "None"):
        return None
    return int(value)
