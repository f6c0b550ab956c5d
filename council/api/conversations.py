"""API v1 conversations: the comments and questions of a record, with the rules of the pages.

Changes go through council.conversations.services, the functions the pages call: observers read only,
a question goes to the other side only (422 otherwise), a withdrawn question cannot be marked answered
(409). A withdrawn or hidden comment is listed without its text. `body_html` is the sanitised rendering
the pages show; `body` is the text as written (Markdown), to be shown as text.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user
from marshmallow import Schema, fields, validate

from council.api.blueprints import ID, resource_blueprint
from council.api.pagination import PageQuerySchema, page_of, page_schema
from council.api.schemas import Text
from council.auth.permissions import require
from council.conversations import services
from council.conversations.models import Comment, CommentState, QuestionState, RecordType
from council.conversations.records import find
from council.conversations.rendering import to_html
from council.directory.models import User
from council.extensions import db
from council.i18n import LANGUAGES

comments = resource_blueprint("comments", __name__,
                                   "Comments and questions across the border on a record.")

CONFLICT = {"description": "The comment's state does not allow this (withdrawn, hidden, answered).",
            "content_type": "application/json"}
LOCATION = {"Location": {"description": "The new comment.", "schema": {"type": "string"}}}


class CommentSchema(Schema):
    id = fields.Integer()
    record_type = fields.Enum(RecordType, by_value=True)
    record_id = fields.Integer()
    author_id = fields.Integer(allow_none=True)
    author_name = fields.Function(lambda c: c.author.name if c.author else None, allow_none=True)
    original_language = fields.String()
    body = fields.Function(lambda c: dict(c.body) if c.state == CommentState.VISIBLE else {}, metadata={
        "description": "The text as written, {language: Markdown}; empty once withdrawn or hidden."})
    body_html = fields.Function(
        lambda c: str(to_html(c.body.get(c.original_language, ""))) if c.state == CommentState.VISIBLE
        else "", metadata={"description": "The original text rendered and sanitised, as pages show it."})
    state = fields.Enum(CommentState, by_value=True)
    created_at = fields.DateTime()
    edited_at = fields.DateTime(allow_none=True)
    mentions = fields.Function(lambda c: [mention.user_id for mention in c.mentions])
    addressed_organisation_id = fields.Integer(allow_none=True)
    question_state = fields.Enum(QuestionState, by_value=True, allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    answered_by_id = fields.Integer(allow_none=True)
    hidden_reason = fields.String(allow_none=True)
    attachments = fields.Function(lambda c: [
        {"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size,
         "url": url_for("conversations.attachment", attachment_id=a.id)}
        for a in c.attachments] if c.state == CommentState.VISIBLE else [], metadata={
        "description": "Files attached to the comment (the signed-in site serves them to the record's "
                       "readers); none once withdrawn or hidden."})


class CommentInputSchema(Schema):
    text = Text(required=True, metadata={"description": "Markdown, 1–10 000 characters, no <script>."})
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    mentions = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=2147483647)),
                           load_default=list, metadata={
        "description": "Ids of people to tell; each must be able to read the record (422 naming them)."})


class QuestionInputSchema(CommentInputSchema):
    organisation_id = fields.Integer(strict=True, required=True, validate=validate.Range(
        min=1, max=2147483647), metadata={
        "description": "The commitment's or its counterpart's organisation, of the other side."})


class AnsweredSchema(Schema):
    """Marking a question answered takes no values: the body is an empty JSON object."""


def _actor() -> User:
    person: User = current_user._get_current_object()
    return person


def _created(comment: Comment) -> tuple[Comment, int, dict[str, str]]:
    db.session.commit()
    return comment, 201, {"Location": url_for("comments.list_comments",
                                              record_type=comment.record_type.value,
                                              record_id=comment.record_id)}


@comments.get(f"/threads/<record_type>/<{ID}:record_id>/comments")
@comments.arguments(PageQuerySchema, location="query")
@comments.response(200, page_schema(CommentSchema))
def list_comments(args: dict[str, Any], record_type: str, record_id: int) -> dict[str, Any]:
    """A record's thread, oldest first (record_type: recommendation, commitment, initiative, meeting,
    agenda_item or minutes)."""
    ref = find(record_type, record_id, current_user.council_id)
    require(current_user, "conversation.read", ref)
    return page_of(services.thread_query(ref), args)


@comments.post(f"/threads/<record_type>/<{ID}:record_id>/comments")
@comments.arguments(CommentInputSchema)
@comments.response(201, CommentSchema, headers=LOCATION)
@comments.alt_response(409, schema="Error", **CONFLICT)
def add_comment(args: dict[str, Any], record_type: str,
                record_id: int) -> tuple[Comment, int, dict[str, str]]:
    """Comment on a record (everyone who may read it, observers aside)."""
    ref = find(record_type, record_id, current_user.council_id)
    return _created(services.add_comment(_actor(), ref, text=args["text"], language=args["language"],
                                         mentions=args["mentions"]))


@comments.post(f"/commitments/<{ID}:commitment_id>/questions")
@comments.arguments(QuestionInputSchema)
@comments.response(201, CommentSchema, headers=LOCATION)
@comments.alt_response(409, schema="Error", **CONFLICT)
def ask_question(args: dict[str, Any], commitment_id: int) -> tuple[Comment, int, dict[str, str]]:
    """Ask the other side: a question to the commitment's or its counterpart's organisation."""
    ref = find("commitment", commitment_id, current_user.council_id)
    return _created(services.add_comment(_actor(), ref, text=args["text"], language=args["language"],
                                         mentions=args["mentions"], organisation_id=args["organisation_id"],
                                         question=True))


@comments.post(f"/comments/<{ID}:comment_id>/answered")
@comments.arguments(AnsweredSchema)
@comments.response(200, CommentSchema)
@comments.alt_response(409, schema="Error", **CONFLICT)
def mark_answered(_args: dict[str, Any], comment_id: int) -> Comment:
    """Mark a question answered (whoever asked it, or a co-chair)."""
    comment = services.mark_answered(_actor(), services.get_comment(_actor(), comment_id))
    db.session.commit()
    return comment


BLUEPRINTS = (comments,)
