"""What a request may send to create or edit a record (POST creates, PATCH edits).

The PATCH schemas are the POST ones with every field optional (`partial`): a field left out keeps its
value; a text object sent (title, description…) replaces the text in every language. Limits on length
are the web forms'; the rules about records (codes, dates, sides of the border) are the services'.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from marshmallow import Schema, fields, missing, validate

from council.api.schemas import Number, Text, language, record_id
from council.i18n import LANGUAGES
from council.meetings.models import MeetingKind
from council.meetings.services import MAX_ITEM_MINUTES
from council.tracker.models import Priority, RecommendationSource

MAX_MEETING_TEXT = 20000


@cache  # one class per limit: the document names it once
def _translated_schema(max_length: int) -> type[Schema]:
    return Schema.from_dict(
        {code: Text(allow_none=True, validate=validate.Length(max=max_length)) for code in LANGUAGES},
        name=f"TranslatedText{max_length}InputSchema")


def translated_input(max_length: int, **kwargs: Any) -> fields.Nested:
    """A text in the languages given, e.g. {"ru": "…", "kk": "…"}; the original language's is needed."""
    return fields.Nested(_translated_schema(max_length), **kwargs)


def patch_of(schema: type[Schema]) -> type[Schema]:
    """The PATCH form of a schema: the same fields, none required and none filled in when left out
    (a field left out keeps the record's value)."""
    declared = {}
    for name, field in schema._declared_fields.items():
        optional = copy.deepcopy(field)
        optional.required = False
        optional.load_default = missing
        declared[name] = optional
    return Schema.from_dict(declared, name=schema.__name__.removesuffix("Schema") + "PatchSchema")


def code_field(max_length: int, example: str, description: str = "", **kwargs: Any) -> Text:
    return Text(validate=validate.Length(min=1, max=max_length), metadata={"description": (
        f"Capital Latin letters, digits, . / and -, e.g. {example}. {description}").strip()}, **kwargs)


def ids(what: str) -> fields.List:
    return fields.List(record_id(), validate=validate.Length(max=500),
                       metadata={"description": f"Ids of the {what}."})


class RecommendationEditSchema(Schema):
    code = code_field(60, "TRD-2026-004", required=True)
    title = translated_input(500, required=True)
    text = translated_input(10000, load_default=dict)
    original_language = language(required=True)
    source = fields.Enum(RecommendationSource, by_value=True, required=True)
    source_reference = Text(allow_none=True, load_default=None, validate=validate.Length(max=300))
    priority = fields.Enum(Priority, by_value=True, load_default=Priority.MEDIUM)
    is_public = fields.Boolean(load_default=False, metadata={"description": "Shown on the public portal."})


class RecommendationInputSchema(RecommendationEditSchema):
    group_id = record_id(required=True, metadata={"description": "The working group it belongs to."})


class CommitmentEditSchema(Schema):
    organisation_id = record_id(required=True, metadata={"description": "The responsible organisation."})
    owner_id = record_id(allow_none=True, load_default=None, metadata={
        "description": "An active person of the responsible organisation, or null."})
    description = translated_input(4000, required=True, metadata={"description": "What will be done."})
    original_language = language(required=True)
    start_date = fields.Date(allow_none=True, load_default=None)
    due_date = fields.Date(required=True)
    counterpart_id = record_id(allow_none=True, load_default=None, metadata={
        "description": "The matching commitment of an organisation on the other side of the border."})
    initiative_id = record_id(allow_none=True, load_default=None)


class CommitmentInputSchema(CommitmentEditSchema):
    recommendation_id = record_id(required=True, metadata={"description": "An adopted recommendation."})
    code = code_field(60, "TRD-2026-004-KZ1", "Left out: numbered after the recommendation and the "
                      "organisation's country.", allow_none=True, load_default=None)


class InitiativeInputSchema(Schema):
    code = code_field(40, "UZEN-BEREKET-GORGAN", required=True)
    name = translated_input(300, required=True)
    description = translated_input(4000, load_default=dict)
    original_language = language(required=True)
    group_id = record_id(allow_none=True, load_default=None)


class MilestoneInputSchema(Schema):
    title = translated_input(300, required=True)
    original_language = language(required=True)
    due_date = fields.Date(allow_none=True, load_default=None)
    completed_on = fields.Date(allow_none=True, load_default=None, metadata={
        "description": "The day it was reached (not in the future); in a PATCH, null reopens it."})


class IndicatorInputSchema(Schema):
    code = code_field(40, "TRADE-TURNOVER", required=True)
    name = translated_input(300, required=True)
    description = translated_input(4000, load_default=dict)
    original_language = language(required=True)
    unit = Text(required=True, validate=validate.Length(min=1, max=40),
                metadata={"description": "e.g. USD million, hours, people"})
    baseline_value = Number(allow_none=True, load_default=None, allow_nan=False)
    baseline_date = fields.Date(allow_none=True, load_default=None)
    target_value = Number(allow_none=True, load_default=None, allow_nan=False)
    target_date = fields.Date(allow_none=True, load_default=None)
    group_id = record_id(allow_none=True, load_default=None)
    initiative_id = record_id(allow_none=True, load_default=None)


class MeetingEditSchema(Schema):
    title = translated_input(500, required=True)
    original_language = language(required=True)
    starts_at = fields.DateTime(required=True, metadata={
        "description": "With an offset, or a wall-clock time in `time_zone`."})
    ends_at = fields.DateTime(required=True)
    time_zone = Text(required=True, validate=validate.Length(min=1, max=64),
                     metadata={"description": "Where it takes place, e.g. Asia/Aqtau."})
    place = Text(allow_none=True, load_default=None, validate=validate.Length(max=300))
    online_url = Text(allow_none=True, load_default=None, validate=validate.Length(max=500))
    invite_user_ids = ids("people invited")
    invite_organisation_ids = ids("organisations invited")
    session_chair_ids = ids("co-chairs of a council session, one from each country")


class MeetingInputSchema(MeetingEditSchema):
    kind = fields.Enum(MeetingKind, by_value=True, required=True)
    group_id = record_id(allow_none=True, load_default=None,
                         metadata={"description": "Required for a group meeting."})
    invite_group_members = fields.Boolean(load_default=False, metadata={
        "description": "Invite the group's members and co-chairs too."})


class AgendaItemInputSchema(Schema):
    title = translated_input(500, required=True)
    original_language = language(required=True)
    duration_minutes = fields.Integer(strict=True, required=True,
                                      validate=validate.Range(min=1, max=MAX_ITEM_MINUTES))
    notes = translated_input(MAX_MEETING_TEXT, load_default=dict)
    presenter_id = record_id(allow_none=True, load_default=None)
    parent_id = record_id(allow_none=True, load_default=None,
                          metadata={"description": "The item it is a sub-item of."})
    recommendation_ids = ids("recommendations it is about")
    commitment_ids = ids("commitments it is about")
