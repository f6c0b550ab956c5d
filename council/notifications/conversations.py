"""What notifications know about conversations: who hears of a comment or a question, what the message
says, the reminders of unanswered questions, and the digest's "Conversations" section.

Recipients come from the event's payload (the people mentioned, the record's responsible people and, for
a question, the other side's people who must answer: `user_ids`); nobody hears of their own action.
An open question is reminded once after 5 days and escalated to the group's co-chairs (both sides) once
after 14, like an overdue commitment.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from council.conversations.models import (
    Comment,
    CommentMention,
    CommentState,
    ConversationEvent,
    QuestionState,
)
from council.conversations.records import co_chairs
from council.conversations.rendering import to_plain
from council.conversations.services import answerers, open_for, records_of
from council.directory.models import User
from council.extensions import db
from council.notifications.audiences import HEARERS, Audience, Hearers
from council.notifications.messages import EVENT_HEADLINES, SUBJECT_PAGES, Reader, page_link
from council.notifications.models import ReminderKind
from council.notifications.reminders import Reminder, reminder_source
from council.notifications.sections import SECTION_LIMIT, Items, Line, Readers, Window, digest_section

REMINDER_DAYS = 5
ESCALATION_DAYS = 14
EXCERPT = 200

SUBJECT_PAGES["comment"] = ("conversations.comment", "comment_id")
HEARERS.update({
    ConversationEvent.COMMENTED: Hearers((Audience.ADDRESSED,)),
    ConversationEvent.ASKED: Hearers((Audience.ADDRESSED,)),
    ConversationEvent.ANSWERED: Hearers((Audience.ADDRESSED,)),
    ConversationEvent.HIDDEN: Hearers((Audience.ADDRESSED,)),  # the author is told, with the reason
})
EVENT_HEADLINES.update({
    ConversationEvent.COMMENTED: lambda v: _("New comment by %(actor)s on %(what)s", **v),
    ConversationEvent.ASKED: lambda v: _("Question from the other side to %(organisation)s: %(what)s", **v),
    ConversationEvent.ANSWERED: lambda v: _("Question marked answered: %(what)s", **v),
    ConversationEvent.HIDDEN: lambda v: _("Your comment on %(what)s was hidden by the secretariat", **v),
    ReminderKind.QUESTION_OPEN: lambda v: ngettext(
        "A question to %(organisation)s waits for an answer for %(num)d day: %(what)s",
        "A question to %(organisation)s waits for an answer for %(num)d days: %(what)s", v["days"], **v),
    ReminderKind.QUESTION_ESCALATION: lambda v: ngettext(
        "Escalation: a question to %(organisation)s has waited %(num)d day: %(what)s",
        "Escalation: a question to %(organisation)s has waited %(num)d days: %(what)s", v["days"], **v),
})


# Reminders --------------------------------------------------------------------------------------------


def _reminder(question: Comment, kind: ReminderKind, key: str, recipients: set[int], days: int,
              code: str, title: Any) -> Reminder:
    organisation = question.addressed_organisation
    return Reminder(kind=kind, council_id=question.council_id, recipient_ids=frozenset(recipients),
                    key=f"comment:{question.id}:{key}", group_id=question.group_id,
                    payload={"subject_type": "comment", "subject_id": question.id, "code": code,
                             "title": title, "days": days,
                             "organisation": dict(organisation.name) if organisation else "",
                             "comment": to_plain(question.body.get(question.original_language, ""), EXCERPT)})


@reminder_source
def question_reminders(at: datetime) -> Iterator[Reminder]:
    """Open questions 5 days old (reminded to those who must answer) and 14 days old (escalated)."""
    questions = list(db.session.scalars(
        select(Comment).where(Comment.question_state == QuestionState.OPEN,
                              Comment.state == CommentState.VISIBLE,
                              Comment.created_at <= at - timedelta(days=REMINDER_DAYS))
        .options(selectinload(Comment.addressed_organisation)).order_by(Comment.id)))
    records = records_of(questions)
    reminders = []
    for question in questions:
        ref = records.get(question.id)
        if ref is None:
            continue
        days = (at - question.created_at).days
        reminders.append(_reminder(question, ReminderKind.QUESTION_OPEN, "remind-5", answerers(question),
                                   days, ref.code, ref.title))
        if days >= ESCALATION_DAYS and question.group_id is not None:
            reminders.append(_reminder(question, ReminderKind.QUESTION_ESCALATION, "escalation-14",
                                       co_chairs(question.group_id), days, ref.code, ref.title))
    yield from reminders


# The digest ---------------------------------------------------------------------------------------------


def _item(comment: Comment, codes: dict[int, Any], question: bool) -> dict[str, Any]:
    ref = codes.get(comment.id)
    return {"id": comment.id, "code": ref.code if ref else "", "title": ref.title if ref else "",
            "author": comment.author.name if comment.author else "", "question": question,
            "text": {lang: to_plain(text, EXCERPT) for lang, text in comment.body.items()}}


def _render(item: dict[str, Any], reader: Reader) -> Line:
    what = " ".join(part for part in (item["code"], reader.text(item["title"])) if part)
    said = _("question from %(name)s", name=item["author"]) if item["question"] \
        else _("comment by %(name)s", name=item["author"])
    return Line(reader.text(item["text"]), page_link("comment", item["id"]), detail=f"{what} · {said}")


@digest_section("questions", _l("Questions of the other side waiting for your answer"), _render,
                more="home.home", needs_reader=True)
def collect_questions(readers: Readers) -> list[tuple[Items, int]]:
    # One query tells whether the batch's councils have an open question at all; only then is each
    # reader asked for theirs (per reader, for now: questions are few).
    councils = {person.council_id for person, _window in readers}
    if not readers or db.session.scalar(select(Comment.id).where(
            Comment.council_id.in_(councils), Comment.question_state == QuestionState.OPEN,
            Comment.state == CommentState.VISIBLE).limit(1)) is None:
        return [([], 0) for _reader in readers]
    return [_questions_of(person) for person, _window in readers]


def _questions_of(person: User) -> tuple[Items, int]:
    condition = open_for(person)
    questions = list(db.session.scalars(select(Comment).where(condition).options(
        selectinload(Comment.author)).order_by(Comment.created_at, Comment.id).limit(SECTION_LIMIT)))
    total = db.session.scalar(select(func.count()).select_from(Comment).where(condition)) or 0
    codes = records_of(questions)
    return [_item(question, codes, True) for question in questions], total


@digest_section("conversations", _l("Conversations"), _render, more="home.home")
def collect_conversations(readers: Readers) -> list[tuple[Items, int]]:
    # One query tells whether anything was said in the batch's windows; only then per reader.
    if not readers or db.session.scalar(select(Comment.id).where(
            Comment.created_at > min(window.since for _person, window in readers),
            Comment.created_at <= max(window.until for _person, window in readers),
            Comment.state == CommentState.VISIBLE).limit(1)) is None:
        return [([], 0) for _reader in readers]
    return [_conversations_of(person, window) for person, window in readers]


def _conversations_of(person: User, window: Window) -> tuple[Items, int]:
    """Comments of the period that mention the person or are on their commitments' and groups'
    threads where they were told (the comment's event named them), not their own."""
    mentioned = select(CommentMention.comment_id).where(CommentMention.user_id == person.id)
    conditions = (Comment.created_at > window.since, Comment.created_at <= window.until,
                  Comment.state == CommentState.VISIBLE, Comment.author_id != person.id,
                  or_(Comment.id.in_(mentioned), Comment.addressed_organisation_id == person.organisation_id
                      if person.organisation_id is not None else Comment.id.in_(mentioned)))
    comments = list(db.session.scalars(select(Comment).where(*conditions).options(
        selectinload(Comment.author)).order_by(Comment.id).limit(SECTION_LIMIT)))
    total = db.session.scalar(select(func.count()).select_from(Comment).where(*conditions)) or 0
    codes = records_of(comments)
    return [_item(comment, codes, comment.is_question) for comment in comments], total
