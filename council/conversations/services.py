"""Every step of a conversation: permission, validation and event, in the caller's transaction.

Services take plain values and model objects (never `request`), so pages, the API and tests call the
same code; every field error of one submission is collected and raised once (nothing is half-saved:
the caller rolls back on a DomainError).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from council import events
from council.auth.permissions import can, require
from council.conversations.models import (
    Comment,
    CommentAttachment,
    CommentMention,
    CommentRevision,
    CommentState,
    ConversationEvent,
    QuestionState,
)
from council.conversations.records import (
    MODELS,
    RecordRef,
    RecordType,
    co_chairs,
    find,
    organisation_people,
    ref_of,
)
from council.conversations.rendering import has_script, to_plain
from council.directory.models import GroupRole, Membership, Organisation, PlatformRole, User
from council.errors import Conflict, NotFound, Problems, ValidationFailed
from council.extensions import db
from council.i18n import LANGUAGES
from council.input_checks import MAX_INT
from council.timeutil import utcnow
from council.tracker import evidence as evidence_files
from council.tracker.search import contains

MAX_TEXT = 10_000
MAX_FILES = 5  # a comment is short: a few files; a report's evidence goes with a progress report
MAX_REASON = 1000
PAGE_SIZE = 50
EXCERPT = 300  # what a notification or the digest quotes of a comment


# Checks ---------------------------------------------------------------------------------------------


def _text(value: str | None, field: str = "text") -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(_("Write the comment: it is empty."), field=field)
    if len(text) > MAX_TEXT:
        raise ValidationFailed(_("Use at most %(count)s characters (this text has %(given)s).",
                                 count=f"{MAX_TEXT:,}".replace(",", " "),
                                 given=f"{len(text):,}".replace(",", " ")), field=field)
    if has_script(text):
        raise ValidationFailed(_("A comment cannot carry a script: remove the <script> tag."), field=field)
    return text


def _language(value: str | None) -> str:
    if value not in LANGUAGES:
        raise ValidationFailed(_("Choose the language the comment is written in."), field="language")
    return str(value)


def _mentioned(ids: Iterable[int], ref: RecordRef) -> list[User]:
    """The people named with @: each of this council, active, and able to read the record; anyone else
    is refused by name rather than left out unsaid."""
    wanted = sorted({int(value) for value in ids})
    if not wanted:
        return []
    people = list(db.session.scalars(select(User).where(User.id.in_(wanted), mentionable(ref.council_id))))
    found = {person.id: person for person in people}
    if len(found) != len(wanted):
        raise ValidationFailed(_("Choose people of this council to mention."), field="mentions")
    unable = [person.name for person in found.values() if not can(person, "conversation.read", ref)]
    if unable:
        raise ValidationFailed(_("%(names)s cannot read this record, so cannot be mentioned in its "
                                 "conversation.", names=", ".join(sorted(unable))), field="mentions")
    return list(found.values())


def _addressee(asker: User, ref: RecordRef, organisation_id: int | None) -> Organisation:
    """A question goes to an organisation of the other side that the record concerns."""
    choices = {organisation.id: organisation for organisation in ref.organisations()}
    organisation = choices.get(organisation_id or 0)
    if organisation is None:
        raise ValidationFailed(_("Choose the organisation of the other side to ask: the commitment's "
                                 "or its counterpart's."), field="organisation_id")
    if asker.country_code is None:
        raise ValidationFailed(_("Your account belongs to no organisation, so it has no side to ask the "
                                 "other side from."), field="organisation_id")
    if organisation.country_code == asker.country_code:
        raise ValidationFailed(_("A question goes to the other side: this organisation is on your own "
                                 "side. Write a comment instead."), field="organisation_id")
    return organisation


# Who is told ------------------------------------------------------------------------------------------


def answerers(comment: Comment) -> set[int]:
    """Who must answer a question: the people of the organisation asked, and the co-chair of the
    record's group from that side."""
    organisation = comment.addressed_organisation
    if organisation is None:
        return set()
    people = organisation_people(organisation.id) - set(db.session.scalars(select(User.id).where(
        User.organisation_id == organisation.id, User.role == PlatformRole.OBSERVER)))
    if comment.group_id is not None:
        people |= co_chairs(comment.group_id, organisation.country_code)
    return people


def askers(ref: RecordRef) -> set[int]:
    """Who asked a question on the record: they hear what is said after it in the thread (the answer)."""
    return set(db.session.scalars(select(Comment.author_id).where(
        Comment.record_type == ref.type, Comment.record_id == ref.id, Comment.question_state.is_not(None),
        Comment.author_id.is_not(None))))


def _payload(ref: RecordRef, comment: Comment, **extra: Any) -> dict[str, Any]:
    """What notifications need, and what the history shows: the record, its group, the comment quoted."""
    return {"record_type": ref.type.value, "record_id": ref.id, "code": ref.code, "title": ref.title,
            "group_id": ref.group_id, "comment": to_plain(comment.body.get(comment.original_language, ""),
                                                          EXCERPT), **extra}


# Writing ----------------------------------------------------------------------------------------------


def _uploads(files: Iterable[evidence_files.Upload | None]) -> list[evidence_files.Upload]:
    uploads = [upload for upload in files if upload is not None and upload.filename]
    if len(uploads) > MAX_FILES:
        raise ValidationFailed(_("Attach at most %(count)s files to a comment (%(given)s were chosen).",
                                 count=MAX_FILES, given=len(uploads)), field="files")
    return uploads


def _attach(comment: Comment, uploads: list[evidence_files.Upload]) -> None:
    """Store every file or none (the evidence rules: type by content, size limit); a refused file removes
    those already written, and the caller's rollback removes the comment."""
    written: list[str] = []
    try:
        for upload in uploads:
            stored = evidence_files.store_in(upload, f"comments/{comment.id}")
            written.append(stored.stored_name)
            comment.attachments.append(CommentAttachment(
                filename=stored.filename, stored_name=stored.stored_name, content_type=stored.content_type,
                size=stored.size, sha256=stored.sha256, created_at=utcnow()))
    except Exception:
        evidence_files.remove(written)
        raise


def add_comment(author: User, ref: RecordRef, *, text: str | None, language: str | None,
                mentions: Iterable[int] = (), organisation_id: int | None = None,
                question: bool = False, files: Iterable[evidence_files.Upload | None] = ()) -> Comment:
    """Write a comment on the record, or (with `question`) a question to an organisation of the other
    side, with files attached under the evidence rules. Mentioned people, the record's responsible
    people and, for a question, the other side's people who must answer are told (notifications listen
    to the event)."""
    require(author, "conversation.write", ref)
    problems = Problems()
    body = problems.check(_text, text)
    lang = problems.check(_language, language)
    people = problems.check(_mentioned, mentions, ref)
    organisation = problems.check(_addressee, author, ref, organisation_id) if question else None
    uploads = problems.check(_uploads, files)
    problems.raise_any()
    assert body is not None and lang is not None  # noqa: S101  checked above; narrows the types
    comment = Comment(council_id=ref.council_id, record_type=ref.type, record_id=ref.id,
                      group_id=ref.group_id, author_id=author.id, original_language=lang,
                      body={lang: body}, state=CommentState.VISIBLE, created_at=utcnow())
    comment.mentions = [CommentMention(user_id=person.id) for person in people or []]
    if organisation is not None:
        comment.addressed_organisation = organisation
        comment.question_state = QuestionState.OPEN
    db.session.add(comment)
    db.session.flush()
    _attach(comment, uploads or [])
    mentioned = [person.id for person in people or []]
    told = set(mentioned) | ref.responsible() | askers(ref)
    if organisation is not None:
        told |= answerers(comment)
        events.record(ConversationEvent.ASKED, comment, author, **_payload(
            ref, comment, user_ids=sorted(told), mentioned_ids=mentioned,
            organisation_id=organisation.id, organisation=dict(organisation.name)))
    else:
        events.record(ConversationEvent.COMMENTED, comment, author, **_payload(
            ref, comment, user_ids=sorted(told), mentioned_ids=mentioned))
    return comment


def edit_comment(actor: User, comment: Comment, *, text: str | None) -> Comment:
    """Change one's own comment within 15 minutes; the earlier text is kept in its history. Its
    translations were of the earlier text, so they go (the record's translators add them again)."""
    require(actor, "comment.edit", comment)
    body = _text(text)
    original = comment.original_language
    earlier = comment.body.get(original, "")
    if body == earlier:
        return comment
    db.session.add(CommentRevision(comment=comment, language=original, body=earlier,
                                   written_at=comment.edited_at or comment.created_at, replaced_at=utcnow()))
    comment.body = {original: body}
    comment.edited_at = utcnow()
    events.record(ConversationEvent.EDITED, comment, actor, **_payload(ref_of_comment(comment), comment))
    return comment


def withdraw_comment(actor: User, comment: Comment) -> Comment:
    """Take one's own comment back: it stays in the thread as "withdrawn", its text out of view."""
    require(actor, "comment.withdraw", comment)
    if comment.state != CommentState.VISIBLE:
        raise Conflict(_("This comment is already withdrawn or hidden."))
    comment.state = CommentState.WITHDRAWN
    comment.withdrawn_at = utcnow()
    events.record(ConversationEvent.WITHDRAWN, comment, actor, **_payload(ref_of_comment(comment), comment))
    return comment


def hide_comment(actor: User, comment: Comment, *, reason: str | None) -> Comment:
    """A secretary hides a comment with a reason; the moderation is recorded and the author told."""
    require(actor, "comment.hide", comment)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for hiding the comment: its author is told."),
                               field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("Use at most %(count)s characters.", count=MAX_REASON), field="reason")
    if comment.state != CommentState.VISIBLE:
        raise Conflict(_("This comment is already withdrawn or hidden."))
    comment.state = CommentState.HIDDEN
    comment.hidden_at = utcnow()
    comment.hidden_by_id = actor.id
    comment.hidden_reason = reason
    payload = _payload(ref_of_comment(comment), comment, reason=reason,
                       user_ids=[comment.author_id] if comment.author_id else [])
    payload.pop("comment")  # the author is told the reason, not their own words again
    events.record(ConversationEvent.HIDDEN, comment, actor, **payload)
    return comment


def mark_answered(actor: User, comment: Comment) -> Comment:
    """Close a question: whoever asked it, or a co-chair. A withdrawn or hidden question is refused."""
    if not comment.is_question:
        raise Conflict(_("Only a question can be marked answered."))
    if comment.state == CommentState.WITHDRAWN:
        raise Conflict(_("This question was withdrawn by the person who asked it: there is nothing to "
                         "answer."))
    if comment.state == CommentState.HIDDEN:
        raise Conflict(_("This question was hidden by the secretariat: there is nothing to answer."))
    require(actor, "question.settle", comment)
    if comment.question_state == QuestionState.ANSWERED:
        raise Conflict(_("This question is already marked answered."))
    comment.question_state = QuestionState.ANSWERED
    comment.answered_at = utcnow()
    comment.answered_by_id = actor.id
    told = answerers(comment) | ({comment.author_id} if comment.author_id else set())
    events.record(ConversationEvent.ANSWERED, comment, actor, **_payload(
        ref_of_comment(comment), comment, user_ids=sorted(told)))
    return comment


# Reading ----------------------------------------------------------------------------------------------


def ref_of_comment(comment: Comment) -> RecordRef:
    return find(comment.record_type, comment.record_id, comment.council_id)


def get_comment(reader: User, comment_id: int) -> Comment:
    """A comment of a record the reader may read, or NotFound (other councils' ids do not leak)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.council_id != reader.council_id:
        raise NotFound(_("There is nothing at this address."))
    require(reader, "conversation.read", ref_of_comment(comment))
    return comment


def get_attachment(reader: User, attachment_id: int) -> CommentAttachment:
    """A file of a visible comment on a record the reader may read, or NotFound (a withdrawn or hidden
    comment's files go with its text)."""
    attachment = db.session.get(CommentAttachment, attachment_id)
    if attachment is None:
        raise NotFound(_("There is nothing at this address."))
    comment = get_comment(reader, attachment.comment_id)
    if comment.state != CommentState.VISIBLE:
        raise NotFound(_("There is nothing at this address."))
    return attachment


def thread_query(ref: RecordRef) -> Select[Comment]:
    """The record's comments, oldest first, with everything a thread shows loaded in a fixed number of
    queries whatever its length."""
    return thread_query_options(select(Comment).where(_of_record(ref))).order_by(Comment.id)


def _of_record(ref: RecordRef) -> ColumnElement[bool]:
    return and_(Comment.record_type == ref.type, Comment.record_id == ref.id)


def thread_query_options(query: Select[Any]) -> Select[Any]:
    """Load with the comments what a thread shows of each (author, mentions, addressee, history)."""
    return query.options(selectinload(Comment.author).selectinload(User.organisation),
                         selectinload(Comment.mentions).selectinload(CommentMention.user),
                         selectinload(Comment.addressed_organisation),
                         selectinload(Comment.answered_by), selectinload(Comment.hidden_by),
                         selectinload(Comment.revisions), selectinload(Comment.attachments))


def last_page(total: int) -> int:
    return max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def thread_page(ref: RecordRef, page: int | None) -> tuple[list[Comment], int, int]:
    """(comments, page, pages): by 50, the latest page unless another is asked for. The latest comments'
    ids and the thread's size come in one statement: a thread without comments costs nothing more, and
    the latest page's comments are then read by id."""
    latest = db.session.execute(select(Comment.id, func.count().over()).where(_of_record(ref))
                                .order_by(Comment.id.desc()).limit(PAGE_SIZE)).all()
    if not latest:
        return [], 1, 1
    total = latest[0][1]
    pages = last_page(total)
    shown = min(max(page or pages, 1), pages)
    if shown == pages:
        ids = [row[0] for row in latest[:total - (pages - 1) * PAGE_SIZE]]
        query = thread_query_options(select(Comment).where(Comment.id.in_(ids))).order_by(Comment.id)
    else:
        query = thread_query(ref).offset((shown - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    return list(db.session.scalars(query)), shown, pages


@dataclass
class ThreadSummary:
    """A record's thread in brief (an agenda item's, on its meeting page): its size, its latest comments."""

    total: int
    latest: list[Comment] = field(default_factory=list)


def summaries(record_type: RecordType, ids: Iterable[int], latest: int = 3) -> dict[int, ThreadSummary]:
    """Each record's comment count and its `latest` comments (oldest of them first), for records of one
    kind: a fixed number of queries whatever the number of records or comments (none: one query)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    ranked = (select(Comment.id, Comment.record_id,
                     func.row_number().over(partition_by=Comment.record_id,
                                            order_by=Comment.id.desc()).label("rank"),
                     func.count().over(partition_by=Comment.record_id).label("total"))
              .where(Comment.record_type == record_type, Comment.record_id.in_(wanted)).subquery())
    rows = db.session.execute(select(ranked.c.id, ranked.c.record_id, ranked.c.total)
                              .where(ranked.c.rank <= latest)).all()
    if not rows:
        return {}
    comments = {comment.id: comment for comment in db.session.scalars(
        thread_query_options(select(Comment).where(Comment.id.in_([row.id for row in rows])))
        .order_by(Comment.id))}
    found: dict[int, ThreadSummary] = {}
    for row in sorted(rows, key=lambda row: row.id):
        found.setdefault(row.record_id, ThreadSummary(row.total)).latest.append(comments[row.id])
    return found


def mentionable(council_id: int) -> ColumnElement[bool]:
    """Who may be named with @: the council's active people; the platform's administrators are not of
    its conversations (they run the platform, they do not answer for its records)."""
    return and_(User.council_id == council_id, User.active.is_(True), User.role != PlatformRole.ADMIN)


MAX_FOUND = 20  # people a search offers: enough to pick from, few enough to read
MIN_SEARCH = 2
MAX_SEARCH = 100


def _people(query: Select[Any]) -> list[User]:
    return list(db.session.scalars(query.options(joinedload(User.organisation))))


def chosen_people(council_id: int, ids: Iterable[Any]) -> list[User]:
    """The people already ticked in a form shown again (refused, or after a search), by name; ids that
    are not numbers or not mentionable are left out here (the service refuses them on saving)."""
    wanted = sorted({value for value in ids if isinstance(value, int) and 0 < value <= MAX_INT})
    if not wanted:
        return []
    return _people(select(User).where(User.id.in_(wanted), mentionable(council_id)).order_by(User.name))


def search_words(text: str | None) -> list[str]:
    """The words of a search for people, case-folded; too short or too long a search is refused with
    a message for the search box."""
    words = " ".join((text or "").split())
    if len(words) < MIN_SEARCH:
        raise ValidationFailed(_("Type at least two letters of a name, a position or an organisation to "
                                 "find people."), field="find")
    if len(words) > MAX_SEARCH:
        raise ValidationFailed(_("Use at most %(count)s characters to find people (this search has "
                                 "%(given)s).", count=MAX_SEARCH, given=len(words)), field="find")
    return words.casefold().split()


def find_people(council_id: int, text: str | None, limit: int = MAX_FOUND) -> list[User]:
    """People who may be named with @ whose name, position or organisation holds every word of `text`
    (case-folded by Python, so Kazakh Cyrillic and Turkmen Latin match whatever their case), by name,
    at most `limit`. Never matched on an e-mail address: a search would spell it out letter by letter."""
    words = search_words(text)
    own_text = func.replace(User.search_text, User.email, "")
    matches = [or_(contains(own_text, word), contains(Organisation.search_text, word)) for word in words]
    return _people(select(User).outerjoin(Organisation, User.organisation_id == Organisation.id)
                   .where(mentionable(council_id), *matches).order_by(User.name, User.id).limit(limit))


def open_for(person: User) -> ColumnElement[bool]:
    """SQL: an open question that `person` must answer: addressed to their organisation, or, for a
    co-chair, to their side in one of their groups."""
    if not person.active or person.role == PlatformRole.OBSERVER:
        return false()
    conditions: list[ColumnElement[bool]] = []
    if person.organisation_id is not None:
        conditions.append(Comment.addressed_organisation_id == person.organisation_id)
    country = person.country_code
    groups = select(Membership.group_id).where(Membership.user_id == person.id,
                                               Membership.role == GroupRole.CO_CHAIR)
    if country is not None:
        conditions.append(and_(Comment.group_id.in_(groups), Comment.addressed_organisation_id.in_(
            select(Organisation.id).where(Organisation.country_code == country))))
    if not conditions:
        return false()
    return and_(Comment.question_state == QuestionState.OPEN, Comment.state == CommentState.VISIBLE,
                Comment.council_id == person.council_id, or_(*conditions))


def questions_for(person: User, limit: int = 10) -> tuple[list[Comment], int]:
    """The open questions `person` must answer, oldest first (the longest waiting), and how many."""
    condition = open_for(person)
    rows = list(db.session.scalars(select(Comment).where(condition)
                                   .options(selectinload(Comment.author),
                                            selectinload(Comment.addressed_organisation))
                                   .order_by(Comment.created_at, Comment.id).limit(limit)))
    if len(rows) < limit:  # all of them: no need to count
        return rows, len(rows)
    return rows, db.session.scalar(select(func.count()).select_from(Comment).where(condition)) or 0


def records_of(comments: Iterable[Comment]) -> dict[int, RecordRef]:
    """The record of each comment (for lists across records), one query per kind of record."""
    by_type: dict[str, set[int]] = {}
    for comment in comments:
        by_type.setdefault(comment.record_type, set()).add(comment.record_id)
    loaded: dict[tuple[str, int], Any] = {}
    for record_type, ids in by_type.items():
        model = MODELS[RecordType(record_type)]
        for record in db.session.scalars(select(model).where(model.id.in_(sorted(ids)))):
            loaded[(record_type, record.id)] = record
    return {comment.id: ref_of(loaded[(comment.record_type, comment.record_id)])
            for comment in comments if (comment.record_type, comment.record_id) in loaded}
