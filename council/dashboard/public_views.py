"""The public portal: what anonymous visitors may read. Only records marked public, and no one's e-mail.

Every page of this blueprint works without signing in; each query filters on the public flag itself
(figures.Scope(public=True), public_recommendations_query, indicators(...public)), so a private
record cannot be reached by changing an id in the address.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from council.dashboard import cache, figures, links, portal, services
from council.dashboard.figures import Scope
from council.dashboard.portal import PublicFigures, PublicFilters
from council.directory.models import Council
from council.meetings.agenda import agenda_timeline
from council.timeutil import council_today
from council.tracker import queries
from council.tracker.models import Recommendation, RecommendationStatus
from council.tracker.rows import kept_total
from council.web import SEARCH_COUNT_LIMIT, arg_int, count_of, paginate

bp = Blueprint("portal", __name__, url_prefix="/public")

PUBLIC_LIST_FILTERS = {"recommendations": {"group", "country", "overdue", "status", "q"},
                       "commitments": {"group", "country", "overdue", "q"}}


@bp.url_value_preprocessor
def _council(endpoint: str | None, values: dict[str, Any] | None) -> None:
    slug = (values or {}).pop("slug", None)
    g.portal_council = portal.public_council(slug) if slug is not None else None


@bp.url_defaults
def _slug(endpoint: str, values: dict[str, Any]) -> None:
    council = g.get("portal_council")
    if council is not None and "slug" not in values and endpoint != "portal.index":
        values["slug"] = council.slug
    if endpoint == request.endpoint and request.view_args:  # the pager's links to the same page
        for key, value in request.view_args.items():
            values.setdefault(key, value)


def _list_url(kind: str, **args: Any) -> str:
    """Numbers on the portal lead to the public list of recommendations they are about."""
    allowed = PUBLIC_LIST_FILTERS.get(kind, set())
    return url_for("portal.recommendations", **{key: value for key, value in args.items()
                                                 if key in allowed and value not in (None, "", False)})


@bp.context_processor
def _links() -> dict[str, Any]:
    return {"list_url": _list_url, "council": g.get("portal_council"), "signed_in_view": False,
            **links.template_context(), **cache.template_context()}


def _portal() -> Council:
    """The council named in the address (its slug), found before the view runs; unknown ones are 404."""
    council: Council = g.portal_council
    return council


@bp.get("")
def index() -> Response | str:
    councils = portal.public_councils()
    if len(councils) == 1:
        return redirect(url_for(".council_page", slug=councils[0].slug))
    return render_template("dashboard/public/index.html", councils=councils)


@bp.get("/<slug>")
def council_page() -> str:
    council = _portal()
    return render_template("dashboard/public/council.html",
                           board=PublicFigures(Scope(council.id, public=True), council_today()))


@bp.get("/<slug>/groups/<int:group_id>")
def group(group_id: int) -> str:
    council = _portal()
    working_group = portal.public_group(council, group_id)
    today = council_today()
    query = portal.public_recommendations_query(council, PublicFilters(group_id=working_group.id), today)
    page = paginate(query, ids=query.with_only_columns(Recommendation.id))
    return render_template("dashboard/public/group.html", group=working_group, page=page,
                           board=PublicFigures(Scope(council.id, group_id=working_group.id, public=True),
                                               today))


@bp.get("/<slug>/recommendations")
def recommendations() -> str:
    council = _portal()
    filters = PublicFilters(group_id=arg_int("group"), status=request.args.get("status") or None,
                            country=request.args.get("country") or None,
                            overdue=request.args.get("overdue") == "1", text=request.args.get("q") or None)
    today = council_today()
    query = portal.public_recommendations_query(council, filters, today)
    # The page's ids first (sorted without each row's derived progress), then its 25 rows with it.
    ids = query.with_only_columns(Recommendation.id)
    count_limit = SEARCH_COUNT_LIMIT if filters.through_commitments else None
    page = paginate(query, ids=ids, count_limit=count_limit,
                    total=kept_total("public-recommendations", council.id, asdict(filters), today,
                                     lambda: count_of(ids, count_limit)))
    return render_template("dashboard/public/recommendations.html", page=page, filters=filters,
                           groups=portal.public_groups(council.id), statuses=list(RecommendationStatus),
                           countries=services.countries(council.id))


@bp.get("/<slug>/recommendations/<int:recommendation_id>")
def recommendation(recommendation_id: int) -> str:
    council = _portal()
    record = portal.public_recommendation(council, recommendation_id)
    today = council_today()
    view = queries.two_country_view(record, today, people=False)
    return render_template("dashboard/public/recommendation.html", recommendation=record, today=today,
                           view=view, countries=services.countries(council.id,
                                                                   [side.country for side in view.sides]))


@bp.get("/<slug>/indicators")
def indicators() -> str:
    council = _portal()
    return render_template("dashboard/public/indicators.html",
                           indicators=figures.indicators(Scope(council.id, public=True)))


@bp.get("/<slug>/minutes")
def minutes_list() -> str:
    return render_template("dashboard/public/minutes_list.html",
                           page=paginate(portal.public_minutes_query(_portal())))


@bp.get("/<slug>/minutes/<int:meeting_id>")
def minutes(meeting_id: int) -> str:
    meeting, revision = portal.public_minutes(_portal(), meeting_id)
    return render_template("dashboard/public/minutes.html", meeting=meeting, revision=revision,
                           slots=agenda_timeline(meeting))
