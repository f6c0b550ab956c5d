"""Form pieces shared by every domain: multilingual text, service errors shown on their field, and the
one flow every form page follows (show it, refuse it with the service's message, or save it)."""

from __future__ import annotations

import functools
import re
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
from council.validation_messages import MESSAGES as GENERAL_MESSAGES


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
        for field, _name in _named_fields(self):
            if _beyond_integer_range(field.data):
                field.errors = [*field.errors, _("This number is too large.")]
                valid = False
        return self._original_texts_given() and valid

    def _original_texts_given(self) -> bool:
        """A required multilingual text needs its original language's input, like any required field,
        so an empty form lists it with the others at once (the service insists on it too)."""
        original = getattr(getattr(self, "original_language", None), "data", None)
        given = True
        for field in self:
            if isinstance(field, FormField) and getattr(field.form_class, "required", False) \
                    and original in field.form and not (field.form[original].data or "").strip():
                field.form[original].errors = [*field.form[original].errors,
                                               _("Enter the text in its original language.")]
                given = False
        return given


def form_problems(form: FlaskForm | None) -> list[tuple[str | None, str]]:
    """What the error summary at the top of a form lists: (id of the input at fault or None, text),
    the form's own errors first, then each field's in the order the form shows them. WTForms' general
    messages ("This field is required.") are prefixed with the field's name, so that the summary says
    which field they are about."""
    if form is None:
        return []
    found: list[tuple[str | None, str]] = [(None, str(message)) for message in form.form_errors]
    for field, name in _named_fields(form):
        for message in field.errors if isinstance(field.errors, list | tuple) else []:
            shown = field.type not in ("HiddenField", "CSRFTokenField")  # nothing to go to
            found.append((field.id if shown else None, _with_name(name, str(message))))
    return found


def _named_fields(form: Form, group: str | None = None) -> Iterator[tuple[Field, str]]:
    """Each input with its name as a person reads it: an input of a multilingual group is named by the
    group and its language ("Title (Русский)")."""
    for field in form:
        label = str(field.label.text) if field.label else field.name
        if isinstance(field, FormField):
            yield from _named_fields(field.form, label)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                if isinstance(entry, FormField):
                    yield from _named_fields(entry.form, label)
                else:
                    yield entry, label
        else:
            yield field, f"{group} ({label})" if group else label


def _with_name(name: str, message: str) -> str:
    patterns = _general_messages(str(flask_babel.get_locale()))
    if not any(pattern.fullmatch(message) for pattern in patterns):
        return message
    return _("%(field)s: %(message)s", field=name, message=message)


@functools.cache
def _general_messages(locale: str) -> list[re.Pattern[str]]:
    """WTForms' messages in the reader's language, as patterns (their numbers filled in)."""
    validation = _ValidationMessages()
    texts: list[str] = []
    for message in GENERAL_MESSAGES:
        args: tuple[Any, ...] = getattr(message, "_args", ())
        if len(args) == 3:  # lazy_ngettext(singular, plural, n)
            texts += [validation.ngettext(args[0], args[1], n) for n in (1, 2, 5)]
        elif args:
            texts.append(validation.gettext(args[0]))
    placeholder = re.compile(r"%\(\w+\)[sd]|%s")
    return [re.compile(".+".join(re.escape(part) for part in placeholder.split(text))) for text in texts]


def _beyond_integer_range(data: Any) -> bool:
    values = data if isinstance(data, list | tuple | set) else [data]
    return any(isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT
               for value in values)


def translated_text_field(label: Any, *, max_length: int, multiline: bool = False,
                          required: bool = False) -> FormField:
    """A group of four inputs (ru, kk, tk, en); when `required`, the original one must be filled (the
    form says so along with its other errors; services check it too)."""
    field_class = TextAreaField if multiline else StringField

    class TranslatedText(Form):
        pass

    TranslatedText.required = required

    for lang in LANGUAGES:
        setattr(TranslatedText, lang, field_class(
            LANGUAGE_NAMES[lang], validators=[Optional(), Length(max=max_length)],
            render_kw={"lang": lang}))
    return FormField(TranslatedText, label=label)


def original_language_field() -> SelectField:
    return SelectField(_l("Original language"),
                       choices=language_options(), default="ru")


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Attach each of a service's errors to the field it names, or to the form as a whole."""
    for problem in error.problems:
        _show_problem(form, problem)


def _show_problem(form: FlaskForm, error: DomainError) -> None:
    field: Field | None = getattr(form, error.field, None) if error.field else None
    if isinstance(field, FormField):
        # A multilingual group: the message goes under the original language's input.
        original = getattr(getattr(form, "original_language", None), "data", None)
        field = field.form[original] if original in field.form else next(iter(field.form))
    if field is not None and not isinstance(field, Field):
        field = None
    if field is not None:
        if error.message not in field.errors:
            field.errors = [*field.errors, error.message]
    elif error.message not in form.form_errors:
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


def grouped_options(groups: dict[str, list[tuple[Any, str]]]) -> list[SelectChoice]:
    """Choices in optgroups ({heading: [(value, label), …]}), to follow a blank one outside them."""
    return [SelectChoice(value, label, optgroup=heading) for heading, items in groups.items()
            for value, label in items]


def choice_needed(options: list[SelectChoice]) -> list[SelectChoice]:
    """A select where the choice matters starts on an empty "Choose…": nothing is chosen for the
    person (a hurried one would otherwise keep the first organisation of the list)."""
    return [option("", _("Choose…")), *options]


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
