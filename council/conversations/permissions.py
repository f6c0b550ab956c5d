"""Who may read a thread, write in it, and settle it (registered with council.auth.permissions).

Whoever may read the record reads its thread (observers included); everyone else of the council who may
read it writes in it; observers only read. Nobody edits or withdraws another person's words, not even an
administrator: a secretary hides a comment instead, with a reason the author is told.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, false, or_, select

from council.auth.permissions import (
    any_co_chairs,
    can,
    co_chairs_of,
    council_people,
    group_roles,
    in_council,
    is_co_chair,
    is_secretary,
    rule,
    secretaries,
)
from council.conversations.models import Comment, CommentState
from council.conversations.records import RecordRef
from council.directory.models import GroupRole, PlatformRole, User, WorkingGroup
from council.extensions import db
from council.timeutil import utcnow
from council.tracker.permissions import co_chaired_groups, leads_everything

EDIT_WINDOW = timedelta(minutes=15)


@rule("conversation.read", who=council_people)
def _read(user: User, ref: RecordRef) -> bool:
    meeting = ref.meeting
    if meeting is not None:
        return can(user, "meeting.view", meeting)
    return in_council(user, ref.council_id)


@rule("conversation.write", refusal=lambda user, ref: _(
    "Observers read the conversation; the people of the council who may read the record write in it."))
def _write(user: User, ref: RecordRef) -> bool:
    return user.role != PlatformRole.OBSERVER and _read(user, ref)


def within_edit_window(comment: Comment) -> bool:
    return utcnow() - comment.created_at <= EDIT_WINDOW


@rule("comment.edit", binds_admins=True, refusal=lambda user, comment: _(
    "Only the author can edit a comment, within 15 minutes of writing it."))
def _edit(user: User, comment: Comment) -> bool:
    return comment.author_id == user.id and comment.state == CommentState.VISIBLE \
        and within_edit_window(comment)


@rule("comment.withdraw", binds_admins=True, refusal=lambda user, comment: _(
    "Only the author can withdraw a comment."))
def _withdraw(user: User, comment: Comment) -> bool:
    return comment.author_id == user.id


@rule("comment.hide", who=secretaries)
def _hide(user: User, comment: Comment) -> bool:
    return is_secretary(user, comment.council_id)


def _settlers(comment: Comment) -> list[str]:
    group = db.session.get(WorkingGroup, comment.group_id) if comment.group_id is not None else None
    return [_("the person who asked"), co_chairs_of(group) if group is not None else any_co_chairs()[0]]


@rule("question.settle", who=_settlers)
def _settle(user: User, comment: Comment) -> bool:
    """Mark a question answered: whoever asked it, or a co-chair of the record's working group (of any
    group, for a record of the whole council)."""
    if comment.author_id == user.id:
        return True
    if not in_council(user, comment.council_id):
        return False
    if comment.group_id is not None:
        return is_co_chair(user, comment.group_id)
    return GroupRole.CO_CHAIR in group_roles(user).values()


# Binding administrators too: a withdrawn or hidden comment is translated by nobody.
@rule("comment.translate", binds_admins=True, refusal=lambda user, comment: _(
    "Only the author, the council's secretaries or the co-chairs of the record's working group can "
    "translate a comment."))
def _translate(user: User, comment: Comment) -> bool:
    """Add a comment's text in another language: its author, the secretaries, the group's co-chairs."""
    if comment.state != CommentState.VISIBLE:
        return False
    if user.role == PlatformRole.ADMIN or comment.author_id == user.id:
        return True
    return is_secretary(user, comment.council_id) or (
        comment.group_id is not None and is_co_chair(user, comment.group_id))


def translatable_comments(user: User) -> Select[Any]:
    """The same rule as SQL, for the "to translate" list (tests check the two agree)."""
    visible = select(Comment).where(Comment.council_id == user.council_id,
                                    Comment.state == CommentState.VISIBLE)
    if leads_everything(user):
        return visible
    if not user.active:
        return visible.where(false())
    return visible.where(or_(Comment.author_id == user.id, Comment.group_id.in_(co_chaired_groups(user))))
