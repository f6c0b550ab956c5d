"""Where each number of a dashboard leads: the tracker's filtered lists and records.

The tracker's lists take these query-string filters: group, country, organisation, owner, status,
overdue=1, due_within=N, q (council/tracker/queries.py, Filters.as_args).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import current_app, g, url_for

from council.tracker.models import CommitmentStatus, RecommendationStatus

LIST_FILTERS = ("group", "country", "organisation", "owner", "status", "overdue", "due_within", "q",
                "sort")


def _clean(args: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in args.items() if value not in (None, "", False)}


# What url_for leaves unescaped in a query string (werkzeug's choice), so both write the same address.
_QUERY_SAFE = "!$'()*,/:;?@"


def _list_path(endpoint: str) -> str:
    """A list page's address without arguments, built once per request: a dashboard links a couple of
    hundred numbers to the same two lists, and url_for for each was a tenth of rendering its figures."""
    paths: dict[str, str] = g.setdefault("dashboard_list_paths", {})
    if endpoint not in paths:
        paths[endpoint] = url_for(endpoint)
    return paths[endpoint]


def _url(endpoint: str, path: str, query: dict[str, Any], **values: Any) -> str:
    """url_for the tracker's page; its plain path while the tracker's pages are not registered."""
    if endpoint not in current_app.view_functions:
        built = path.format(**values)
    elif values:
        return url_for(endpoint, **values, **query)
    else:
        built = _list_path(endpoint)
    return f"{built}?{urlencode(query, safe=_QUERY_SAFE)}" if query else built


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
