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
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased, selectinload

from council.conversations.models import (
    Comment,
    CommentMention,
    CommentState,
    ConversationEvent,
    QuestionState,
)
from council.conversations.records import co_chairs
from council.conversations.rendering import to_plain
from council.conversations.services import answerers, records_of
from council.dbtypes import among
from council.directory.models import GroupRole, Membership, Organisation, PlatformRole
from council.extensions import db
from council.notifications.audiences import HEARERS, Audience, Hearers
from council.notifications.messages import EVENT_HEADLINES, SUBJECT_PAGES, Reader, page_link
from council.notifications.models import ReminderKind
from council.notifications.reminders import Reminder, reminder_source
from council.notifications.sections import SECTION_LIMIT, Items, Line, Readers, digest_section

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
    """The open questions each reader must answer (home's `questions_for`, the rule of `open_for`):
    addressed to their organisation or, for a co-chair, to their side in a group they co-chair. One
    query finds the batch's questions (none: done); the readers' share is taken in Python."""
    results: list[tuple[Items, int]] = [([], 0) for _reader in readers]
    askable = {position: person for position, (person, _window) in enumerate(readers)
               if person.active and person.role != PlatformRole.OBSERVER}
    if not askable:
        return results
    chaired: dict[int, set[int]] = {person.id: set() for person in askable.values()}
    for user_id, group_id in db.session.execute(select(Membership.user_id, Membership.group_id).where(
            among(Membership.user_id, sorted(chaired)), Membership.role == GroupRole.CO_CHAIR)):
        chaired[user_id].add(group_id)
    organisations = sorted({person.organisation_id for person in askable.values()
                            if person.organisation_id is not None})
    groups = sorted({group for found in chaired.values() for group in found})
    if not organisations:
        return results
    addressed = [Comment.addressed_organisation_id.in_(organisations)]
    if groups:
        addressed.append(Comment.group_id.in_(groups))
    questions = list(db.session.scalars(
        select(Comment).where(Comment.council_id.in_(sorted({p.council_id for p in askable.values()})),
                              Comment.question_state == QuestionState.OPEN,
                              Comment.state == CommentState.VISIBLE, or_(*addressed))
        .options(selectinload(Comment.author), selectinload(Comment.addressed_organisation))
        .order_by(Comment.created_at, Comment.id)))
    if not questions:
        return results
    countries = dict(db.session.execute(select(Organisation.id, Organisation.country_code).where(
        Organisation.id.in_(organisations))).all())
    theirs: dict[int, list[Comment]] = {}
    for position, person in askable.items():
        country = countries.get(person.organisation_id) if person.organisation_id is not None else None
        theirs[position] = [
            question for question in questions if question.council_id == person.council_id and (
                question.addressed_organisation_id == person.organisation_id or (
                    country is not None and question.group_id in chaired[person.id]
                    and question.addressed_organisation is not None
                    and question.addressed_organisation.country_code == country))]
    codes = records_of({question.id: question for found in theirs.values()
                        for question in found[:SECTION_LIMIT]}.values())
    for position, found in theirs.items():
        results[position] = ([_item(question, codes, True) for question in found[:SECTION_LIMIT]],
                             len(found))
    return results


@digest_section("conversations", _l("Conversations"), _render, more="home.home")
def collect_conversations(readers: Readers) -> list[tuple[Items, int]]:
    """Comments of each reader's period, not their own, that mention them, are questions to their
    organisation, or are said on a record where they asked a question (the asker hears the answers).
    One query finds the batch's comments (none: done); two more say whom each one concerns."""
    results: list[tuple[Items, int]] = [([], 0) for _reader in readers]
    if not readers:
        return results
    ids = sorted({person.id for person, _window in readers})
    organisations = sorted({person.organisation_id for person, _window in readers
                            if person.organisation_id is not None})
    asked = aliased(Comment)
    concerns = [Comment.id.in_(select(CommentMention.comment_id).where(among(CommentMention.user_id, ids))),
                exists().where(asked.record_type == Comment.record_type, asked.record_id == Comment.record_id,
                               among(asked.author_id, ids), asked.question_state.is_not(None))]
    if organisations:
        concerns.append(Comment.addressed_organisation_id.in_(organisations))
    comments = list(db.session.scalars(
        select(Comment).where(Comment.created_at > min(window.since for _person, window in readers),
                              Comment.created_at <= max(window.until for _person, window in readers),
                              Comment.state == CommentState.VISIBLE, or_(*concerns))
        .options(selectinload(Comment.author)).order_by(Comment.id)))
    if not comments:
        return results
    mentioned: dict[int, set[int]] = {}
    for comment_id, user_id in db.session.execute(select(
            CommentMention.comment_id, CommentMention.user_id).where(
            CommentMention.comment_id.in_([comment.id for comment in comments]),
            among(CommentMention.user_id, ids))):
        mentioned.setdefault(user_id, set()).add(comment_id)
    askers: dict[int, set[tuple[str, int]]] = {}
    records = {(comment.record_type, comment.record_id) for comment in comments}
    for author_id, record_type, record_id in db.session.execute(select(
            Comment.author_id, Comment.record_type, Comment.record_id).distinct().where(
            among(Comment.author_id, ids), Comment.question_state.is_not(None),
            Comment.record_id.in_(sorted({record_id for _type, record_id in records})))):
        if author_id is not None:
            askers.setdefault(author_id, set()).add((record_type, record_id))
    theirs: dict[int, list[Comment]] = {}
    for position, (person, window) in enumerate(readers):
        theirs[position] = [
            comment for comment in comments
            if window.since < comment.created_at <= window.until and comment.author_id != person.id and (
                comment.id in mentioned.get(person.id, ()) or (
                    person.organisation_id is not None
                    and comment.addressed_organisation_id == person.organisation_id)
                or (comment.record_type, comment.record_id) in askers.get(person.id, ()))]
    codes = records_of({comment.id: comment for found in theirs.values()
                        for comment in found[:SECTION_LIMIT]}.values())
    for position, found in theirs.items():
        shown = found[:SECTION_LIMIT]
        results[position] = ([_item(comment, codes, comment.is_question) for comment in shown], len(found))
    return results
