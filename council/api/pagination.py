"""Page-based lists with a stable order: every query ends its ORDER BY with a unique column."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from council.api.schemas import MAX_PER_PAGE
from council.extensions import db


def page_of(query: Select[Any], args: dict[str, Any]) -> dict[str, Any]:
    page = db.paginate(query, page=args["page"], per_page=args["per_page"],
                       max_per_page=MAX_PER_PAGE, error_out=False)
    return {"items": list(page.items), "page": page.page, "per_page": page.per_page,
            "total": page.total or 0, "pages": page.pages}
