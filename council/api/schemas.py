"""Marshmallow schemas of API v1: what each resource looks like, what a request may send, and errors.

Multilingual content is an object {ru, kk, tk, en} with `original_language` beside it, as stored.
Nobody's e-mail address is published except the token owner's own (GET /me): integrations need ids
and names, and a leaked token must not leak a contact list.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from council.api.models import TokenScope
from council.directory.models import GroupRole, OrganisationKind, PlatformRole, RegionKind
from council.i18n import LANGUAGES

MAX_ID = 2_147_483_647
MAX_PER_PAGE = 100


class Text(fields.String):
    """A string the database can store: no NUL characters, no unpaired surrogates."""

    default_error_messages = {"unstorable": "Must not contain NUL characters or unpaired surrogates."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("unstorable")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise self.make_error("unstorable") from error
        return text


def record_id(*, strict: bool = True, **kwargs: Any) -> fields.Integer:
    """An id: strict in JSON bodies (a string is refused), lenient in query strings (all text)."""
    return fields.Integer(strict=strict, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


# Errors -----------------------------------------------------------------------------------------


class ErrorDetailSchema(Schema):
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    message = fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    field = fields.String(allow_none=True, metadata={
        "description": "The first field at fault (dotted for nested ones), or null."})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "Every field at fault with its messages."})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


# Pagination -------------------------------------------------------------------------------------


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000),
                          metadata={"description": "Page number, from 1."})
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE),
                              metadata={"description": f"Items per page, at most {MAX_PER_PAGE}."})


def page_schema(item: type[Schema]) -> type[Schema]:
    """The envelope of a list: one page of items in a stable order, and where it sits in the whole."""
    name = item.__name__.removesuffix("Schema") + "PageSchema"
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
        "total": fields.Integer(required=True, metadata={"description": "Items on all pages."}),
        "pages": fields.Integer(required=True, metadata={"description": "Number of pages."}),
    }, name=name)


# Shared pieces ----------------------------------------------------------------------------------


class TranslatedTextSchema(Schema):
    """A text in each language it has been written or translated in."""

    ru = fields.String()
    kk = fields.String()
    tk = fields.String()
    en = fields.String()


def translated(**kwargs: Any) -> fields.Nested:
    return fields.Nested(TranslatedTextSchema, **kwargs)


def language(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(LANGUAGES), **kwargs)


# Directory --------------------------------------------------------------------------------------


class CountrySchema(Schema):
    code = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2, e.g. KZ."})
    name = translated(required=True)
    time_zone = fields.String(required=True)


class RegionSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    kind = fields.Enum(RegionKind, by_value=True, required=True)
    country_code = fields.String(required=True)
    parent_id = fields.Integer(required=True, allow_none=True)
    name = translated(required=True)


class RegionQuerySchema(PageQuerySchema):
    country = fields.String(validate=validate.Regexp(r"^[A-Z]{2}$"),
                            metadata={"description": "Only regions of this country (KZ, TM)."})


class OrganisationSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "Stable key, e.g. mangystau-akimat."})
    kind = fields.Enum(OrganisationKind, by_value=True, required=True)
    country_code = fields.String(required=True)
    region_id = fields.Integer(required=True, allow_none=True)
    name = translated(required=True)
    original_language = fields.String(required=True)
    website = fields.String(required=True, allow_none=True)


class OrganisationQuerySchema(PageQuerySchema):
    """The filters of the organisations page."""

    country = fields.String(validate=validate.Regexp(r"^[A-Z]{2}$"),
                            metadata={"description": "Country code: KZ or TM."})
    region = record_id(strict=False, metadata={"description": "Region id."})
    kind = fields.Enum(OrganisationKind, by_value=True)
    q = Text(validate=validate.Length(max=100), metadata={"description": "Text in any language."})


class MemberSchema(Schema):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True, attribute="user.name")
    position = fields.String(required=True, allow_none=True, attribute="user.position")
    organisation_id = fields.Integer(required=True, allow_none=True, attribute="user.organisation_id")
    role = fields.Enum(GroupRole, by_value=True, required=True)


class WorkingGroupSchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    code = fields.String(required=True, metadata={"description": "Prefix of recommendation codes."})
    name = translated(required=True)
    description = translated(required=True)
    original_language = fields.String(required=True)
    active = fields.Boolean(required=True)


class WorkingGroupDetailSchema(WorkingGroupSchema):
    members = fields.List(fields.Nested(MemberSchema), required=True, attribute="memberships")


class WorkingGroupQuerySchema(PageQuerySchema):
    active = fields.Boolean(metadata={"description": "Only active (true) or inactive (false) groups."})


class MembershipSchema(Schema):
    group_id = fields.Integer(required=True)
    role = fields.Enum(GroupRole, by_value=True, required=True)


class TokenInfoSchema(Schema):
    name = fields.String(required=True)
    scope = fields.Enum(TokenScope, by_value=True, required=True)


class MeSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True, metadata={"description": "Your own address only."})
    position = fields.String(required=True, allow_none=True)
    role = fields.Enum(PlatformRole, by_value=True, required=True)
    council_id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True, allow_none=True)
    language = fields.String(required=True)
    time_zone = fields.String(required=True)
    memberships = fields.List(fields.Nested(MembershipSchema), required=True)
    token = fields.Nested(TokenInfoSchema, required=True)

