"""The thread block of record pages (drawn through the `thread_of` template global, so the tracker's and
meetings' pages need not know conversations), the thread's own page, and each step's form."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from council.auth.permissions import can, require
from council.conversations import services, suggestions
from council.conversations.forms import ActionForm, CommentForm, EditForm, HideForm, QuestionForm
from council.conversations.models import Comment, RecordType
from council.conversations.records import RecordRef, find, ref_of
from council.conversations.rendering import to_html
from council.directory.models import PlatformRole, User
from council.errors import ValidationFailed
from council.forms import option, submit_form
from council.i18n import current_language, localize, marked_localized
from council.meetings.models import AgendaItem, Meeting
from council.tracker import evidence as evidence_files
from council.tracker.models import Commitment
from council.web import arg_int, no_store

bp = Blueprint("conversations", __name__)


@dataclass
class Thread:
    """What a thread block shows: a page of comments, and the form if the reader may write."""

    ref: RecordRef
    comments: list[Comment]
    page: int
    pages: int
    form: CommentForm | None = None
    anchor: str = ""
    asked: list[Any] = field(default_factory=list)  # organisations a question may go to


@dataclass(frozen=True)
class Mentionable:
    """One person of the @ picker: the name, and what tells namesakes apart (never their e-mail)."""

    id: int
    name: str
    detail: str


def _mentionable(people: Iterable[User | suggestions.PersonCard]) -> list[Mentionable]:
    shown = []
    for person in people:
        parts = [person.position or ""]
        if person.organisation is not None:
            # Not in the reader's language: said so, as in a select's options (plain text: JSON too).
            parts.append(marked_localized(person.organisation.name, person.organisation.original_language))
        shown.append(Mentionable(person.id, person.name, " · ".join(part for part in parts if part)))
    return shown


def _picker(form: CommentForm, ref: RecordRef, found: list[User] | None = None) -> None:
    """The @ picker's checkboxes: the people already ticked (a form shown again), those a search found,
    then the few the record concerns; never the whole council (anyone else is a search away)."""
    people: dict[int, User | suggestions.PersonCard] = {}
    everyone: list[User | suggestions.PersonCard] = [
        *services.chosen_people(ref.council_id, form.mentions.data or []), *(found or []),
        *suggestions.suggested_people(ref, current_user)]
    for person in everyone:
        people.setdefault(person.id, person)
    form.people = _mentionable(people.values())
    form.mentions.choices = [option(person.id, person.name) for person in form.people]


def comment_form(ref: RecordRef, form_class: type[CommentForm] = CommentForm, **data: Any) -> CommentForm:
    # One page may show several threads (a meeting's and its minutes'): each form's inputs are its own.
    form = form_class(prefix=thread_anchor(ref) if form_class is CommentForm else "", **data)
    if not form.is_submitted():
        form.language.data = form.language.data if data.get("language") else current_language()
    if not form.find_people.data:
        _picker(form, ref)
    return form


def _find_people(form: CommentForm, ref: RecordRef, page: Callable[[], str]) -> tuple[str, int]:
    """"Find people" pressed (a browser without JavaScript): the page again, nothing saved, with the
    people found added to the picker as checkboxes; what was typed and ticked stays (files cannot: a
    browser does not send them back, the page says so)."""
    found: list[User] = []
    status = HTTPStatus.OK.value
    try:
        found = services.find_people(ref.council_id, form.find.data)
        form.found_message = _found_message(len(found), form.find.data)
    except ValidationFailed as error:
        form.find.errors = [error.message]
        status = HTTPStatus.UNPROCESSABLE_ENTITY.value
    form.files_dropped = any(getattr(upload, "filename", None) for upload in form.files.data or [])
    _picker(form, ref, found)
    return page(), status


def _found_message(count: int, text: str | None) -> str:
    words = " ".join((text or "").split())
    if not count:
        return _("Nobody found for “%(words)s”. Try part of a name, a position or an organisation.",
                 words=words)
    if count >= services.MAX_FOUND:
        return _("The first %(num)d people found for “%(words)s” are listed: type more to narrow the "
                 "search.", num=count, words=words)
    return ngettext("%(num)d person found for “%(words)s”.", "%(num)d people found for “%(words)s”.",
                    count, words=words)


def _thread(ref: RecordRef, page: int | None = None, form: CommentForm | None = None) -> Thread:
    comments, shown, pages = services.thread_page(ref, page)
    if form is None and can(current_user, "conversation.write", ref):
        form = comment_form(ref, formdata=None)
    country = current_user.country_code
    return Thread(ref, comments, shown, pages, form, anchor=thread_anchor(ref),
                  asked=[organisation for organisation in ref.organisations()
                         if country and organisation.country_code != country])


def thread_anchor(ref: RecordRef) -> str:
    return f"thread-{ref.type.value}-{ref.id}"


@bp.app_template_global()
def may_ask(commitment: Commitment) -> bool:
    """Whether a two-country view offers "Ask the other side" on this commitment: it or its counterpart
    belongs to the other side from the reader's (no query: the view loads both)."""
    country = current_user.country_code
    if country is None or current_user.role == PlatformRole.OBSERVER:
        return False
    sides = {commitment.organisation.country_code}
    if commitment.counterpart is not None:
        sides.add(commitment.counterpart.organisation.country_code)
    return any(side != country for side in sides)


@bp.app_template_global()
def thread_of(record: Any) -> Thread | None:
    """For a record page: its thread's latest page, or None when the reader may not read it."""
    ref = ref_of(record)
    if not can(current_user, "conversation.read", ref):
        return None
    return _thread(ref)


@dataclass
class AgendaThreads:
    """The threads of a meeting's agenda items, in brief, for the agenda on the meeting page."""

    by_item: dict[int, services.ThreadSummary]
    may_write: bool

    def of(self, item: AgendaItem) -> services.ThreadSummary:
        return self.by_item.get(item.id) or services.ThreadSummary(0)


@bp.app_template_global()
def agenda_threads(meeting: Meeting, items: list[AgendaItem]) -> AgendaThreads | None:
    """Every agenda item's comment count and latest comments in a fixed number of queries; None when
    the reader may not read the meeting's conversations (an agenda item's thread has its meeting's rules)."""
    ref = ref_of(meeting)
    if not can(current_user, "conversation.read", ref):
        return None
    return AgendaThreads(services.summaries(RecordType.AGENDA_ITEM, [item.id for item in items]),
                         may_write=can(current_user, "conversation.write", ref))


@bp.app_template_filter()
def comment_html(comment: Comment) -> Any:
    """The comment in the reader's language, rendered and sanitised; a text shown in another language
    says so, as every translated text does."""
    shown = localize(comment.body, comment.original_language, current_language())
    return to_html(shown.text), (shown.language if shown.is_fallback else None)


@bp.app_template_filter()
def markdown_html(text: str) -> Any:
    return to_html(text)


def _thread_page(ref: RecordRef, form: CommentForm | None = None, **context: Any) -> str:
    thread = _thread(ref, arg_int("page"), form)
    return render_template("conversations/thread.html", thread=thread, **context)


@bp.get("/threads/<record_type>/<int:record_id>")
@login_required
def thread(record_type: str, record_id: int) -> str:
    ref = find(record_type, record_id, current_user.council_id)
    require(current_user, "conversation.read", ref)
    return _thread_page(ref)


def _back(comment: Comment) -> str:
    endpoint, values = services.ref_of_comment(comment).page()
    values["_anchor"] = f"comment-{comment.id}"
    return url_for(endpoint, **values)


@bp.post("/threads/<record_type>/<int:record_id>/comments")
@login_required
def add_comment(record_type: str, record_id: int) -> Any:
    ref = find(record_type, record_id, current_user.council_id)
    require(current_user, "conversation.write", ref)
    form = comment_form(ref)
    if form.find_people.data:
        return _find_people(form, ref, lambda: _thread_page(ref, form))
    return submit_form(form, lambda: _thread_page(ref, form), lambda: services.add_comment(
        current_user, ref, text=form.text.data, language=form.language.data,
        mentions=form.mentions.data or [], files=form.files.data or []), _("Comment added."), _back)


@bp.get("/threads/<record_type>/<int:record_id>/people")
@login_required
def people(record_type: str, record_id: int) -> Response:
    """The @ picker's search as one types (app.js): who may be named in this thread, by part of their
    name, position or organisation; never an e-mail address. A search too short or too long is a 422."""
    ref = find(record_type, record_id, current_user.council_id)
    require(current_user, "conversation.write", ref)
    text = request.args.get("q")
    found = services.find_people(ref.council_id, text)
    response = jsonify(people=[asdict(person) for person in _mentionable(found)],
                       message=_found_message(len(found), text))
    return no_store(response)


@bp.route("/commitments/<int:commitment_id>/ask", methods=["GET", "POST"])
@login_required
def ask(commitment_id: int) -> Any:
    """Ask the other side: a question to the commitment's organisation or its counterpart's."""
    ref = find("commitment", commitment_id, current_user.council_id)
    require(current_user, "conversation.write", ref)
    form = comment_form(ref, QuestionForm)
    assert isinstance(form, QuestionForm)  # noqa: S101  made from QuestionForm; narrows the type
    others = [organisation for organisation in ref.organisations()
              if organisation.country_code != current_user.country_code]
    form.organisation_id.choices = [
        option(organisation.id, marked_localized(organisation.name, organisation.original_language))
        for organisation in others]
    if not form.is_submitted() and others:
        form.organisation_id.data = others[-1].id  # the counterpart's, when the commitment has one
    record: Commitment = ref.record

    def page() -> str:
        return render_template("conversations/ask.html", form=form, ref=ref, commitment=record,
                               others=others)

    if form.find_people.data:
        return _find_people(form, ref, page)
    return submit_form(form, page, lambda: services.add_comment(
        current_user, ref, text=form.text.data, language=form.language.data,
        mentions=form.mentions.data or [], organisation_id=form.organisation_id.data, question=True,
        files=form.files.data or []),
        _("Question sent to the other side."), _back)


@bp.get("/comments/<int:comment_id>")
@login_required
def comment(comment_id: int) -> Response:
    """A comment's address (in notifications): its place in its record's thread."""
    return redirect(_back(services.get_comment(current_user, comment_id)))


@bp.get("/comments/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int) -> Response:
    """A comment's file, for the record's readers only (never public, never cached)."""
    found = services.get_attachment(current_user, attachment_id)
    path = evidence_files.path_of(found.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=found.content_type, as_attachment=True, download_name=found.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int) -> Any:
    record = services.get_comment(current_user, comment_id)
    require(current_user, "comment.edit", record)
    form = EditForm(data={"text": record.body.get(record.original_language, "")})
    return submit_form(form, lambda: render_template("conversations/edit.html", form=form, comment=record),
                       lambda: services.edit_comment(current_user, record, text=form.text.data),
                       _("Comment changed; the earlier text is kept in its history."), _back)


@bp.post("/comments/<int:comment_id>/withdraw")
@login_required
def withdraw_comment(comment_id: int) -> Any:
    record = services.get_comment(current_user, comment_id)
    form = ActionForm()
    return submit_form(form, lambda: _thread_page(services.ref_of_comment(record), action_form=form),
                       lambda: services.withdraw_comment(current_user, record), _("Comment withdrawn."),
                       _back)


@bp.route("/comments/<int:comment_id>/hide", methods=["GET", "POST"])
@login_required
def hide_comment(comment_id: int) -> Any:
    record = services.get_comment(current_user, comment_id)
    require(current_user, "comment.hide", record)
    form = HideForm()
    return submit_form(form, lambda: render_template("conversations/hide.html", form=form, comment=record),
                       lambda: services.hide_comment(current_user, record, reason=form.reason.data),
                       _("Comment hidden; its author is told why."), _back)


@bp.post("/comments/<int:comment_id>/answered")
@login_required
def mark_answered(comment_id: int) -> Any:
    record = services.get_comment(current_user, comment_id)
    form = ActionForm()
    return submit_form(form, lambda: _thread_page(services.ref_of_comment(record), action_form=form),
                       lambda: services.mark_answered(current_user, record), _("Question marked answered."),
                       _back)
