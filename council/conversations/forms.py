"""The forms of a thread: a comment (or a question to the other side), an edit, hiding with a reason."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    MultipleFileField,
    SearchField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)

from council.forms import CouncilForm, language_options, optional_int


class CommentForm(CouncilForm):
    people: list[Any]  # the @ picker's people (views.Mentionable), set with the choices
    found_message: str = ""  # what a search without JavaScript found ("3 people found for …")
    files_dropped = False  # files were chosen before that search: the browser does not send them again

    # Lengths and scripts are the service's to refuse, by name and with the count (one message each).
    text = TextAreaField(_l("Your comment"), description=_l(
        "Short formatted text: **bold**, *italic*, lists, > quotes and links. At most 10 000 characters."),
        render_kw={"rows": 4})
    language = SelectField(_l("Written in"), choices=language_options())
    # Any of the council's people can be mentioned; the form lists those of the record and those a search
    # found (never the whole council); whoever cannot read the record is refused by name.
    mentions = SelectMultipleField(_l("Mention (@)"), coerce=int, validate_choice=False, description=_l(
        "They are told of your comment. Tick each person to mention: the people of this record are "
        "listed; find anyone else of the council below."))
    # The search is the service's to check (at least two letters, at most 100 characters).
    find = SearchField(_l("Find people to mention"), description=_l(
        "Part of a name, a position or an organisation. What you have written and ticked stays."),
        render_kw={"autocomplete": "off"})
    find_people = SubmitField(_l("Find people"))
    files = MultipleFileField(_l("Attach files"), description=_l(
        "PDF, PNG, JPEG, DOCX, XLSX or ODT, up to 10 MB each; at most 5."))


class QuestionForm(CommentForm):
    organisation_id = SelectField(_l("Ask"), coerce=optional_int, validate_choice=False)


class EditForm(CouncilForm):
    text = TextAreaField(_l("Your comment"), render_kw={"rows": 4})


class HideForm(CouncilForm):
    reason = TextAreaField(_l("Reason for hiding"), description=_l(
        "The author is told this reason."), render_kw={"rows": 2})


class ActionForm(CouncilForm):
    """A button that changes a comment (withdraw, mark answered): the CSRF token only."""
