"""Page-based lists: the page arguments and envelope the API document shows, and pages in a stable
order (every query ends its ORDER BY with a unique column)."""

from __future__ import annotations

from functools import cache
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import Select

from council.extensions import db

MAX_PER_PAGE = 100


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000),
                          metadata={"description": "Page number, from 1."})
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE),
                              metadata={"description": f"Items per page, at most {MAX_PER_PAGE}."})


@cache  # one class per item schema: the document names it once
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


def page_of(query: Select[Any], args: dict[str, Any]) -> dict[str, Any]:
    page = db.paginate(query, page=args["page"], per_page=args["per_page"],
                       max_per_page=MAX_PER_PAGE, error_out=False)
    return {"items": list(page.items), "page": page.page, "per_page": page.per_page,
            "total": page.total or 0, "pages": page.pages}
