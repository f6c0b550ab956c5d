"""Where each number of a dashboard leads: the tracker's filtered lists and records.

The tracker's lists take these query-string filters: group, country, organisation, owner, status,
overdue=1, due_within=N, q (council/tracker/queries.py, Filters.as_args).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import current_app, url_for

from council.tracker.models import CommitmentStatus, RecommendationStatus

LIST_FILTERS = ("group", "country", "organisation", "owner", "status", "overdue", "due_within", "q",
                "sort")


def _clean(args: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in args.items() if value not in (None, "", False)}


def _url(endpoint: str, path: str, query: dict[str, Any], **values: Any) -> str:
    """url_for the tracker's page; its plain path while the tracker's pages are not registered."""
    if endpoint in current_app.view_functions:
        return url_for(endpoint, **values, **query)
    built = path.format(**values)
    return f"{built}?{urlencode(query)}" if query else built


def tracker_list(kind: str, **args: Any) -> str:
    """The tracker's list of commitments or recommendations narrowed by `args`."""
    args = _clean({key: value for key, value in args.items() if key in LIST_FILTERS})
    if kind == "recommendations":
        return _url("tracker.recommendations", "/tracker/recommendations", args)
    return _url("tracker.commitments", "/tracker/commitments", args)


def tracker_record(kind: str, record_id: int) -> str:
    """A recommendation's, a commitment's, an initiative's or an indicator's own page."""
    key = f"{kind}_id"
    return _url(f"tracker.{kind}", f"/tracker/{kind}s/{{{key}}}", {}, **{key: record_id})


def template_context() -> dict[str, Any]:
    """What every dashboard and portal template reads besides its own figures."""
    return {"commitment_statuses": list(CommitmentStatus),
            "recommendation_statuses": list(RecommendationStatus)}
