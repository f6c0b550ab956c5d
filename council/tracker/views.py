"""Tracker pages: recommendations, commitments, progress reports, initiatives and indicators.

Views parse the form, call one service, commit, flash and redirect. A refusal re-renders the page with
the message next to its field and the status that says why: 422 for bad input, 409 for a move the
record's status does not allow; 403 pages come from the error handler.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from council import spreadsheets
from council.auth.permissions import any_co_chairs, can, only, require, secretaries
from council.directory.models import Organisation, User, WorkingGroup
from council.directory.services import (
    AnyoneOf,
    active_groups,
    active_people_by_organisation,
    council_organisations,
    get_in_council,
    organisation_groups,
    person_label,
)
from council.errors import NotAllowed
from council.extensions import db
from council.forms import choice_needed, grouped_options, option, submit_form
from council.i18n import current_language, marked_localized, plain_localized
from council.timeutil import council_today
from council.tracker import evidence as evidence_files
from council.tracker import exports, queries, services
from council.tracker.filter_choices import filter_choices
from council.tracker.forms import (
    CommitmentForm,
    ProgressForm,
    RecommendationForm,
    StatusForm,
    VerificationForm,
)
from council.tracker.models import (
    COMMITMENT_NEEDS_REASON,
    RECOMMENDATION_CLOSED,
    Commitment,
    CommitmentStatus,
    Evidence,
    EvidenceKind,
    Initiative,
    Milestone,
    Recommendation,
    RecommendationStatus,
)
from council.tracker.permissions import NewCommitment
from council.tracker.rows import kept_total
from council.web import (
    SEARCH_COUNT_LIMIT,
    arg_int,
    count_of,
    current_council,
    ignore_argument,
    known_choice,
    paginate,
)

bp = Blueprint("tracker", __name__, url_prefix="/tracker")

COUNTRY = re.compile(r"^[A-Z]{2}$")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every tracker page is for signed-in people of the council; the public portal lives elsewhere."""
    require(current_user, "tracker.view", current_user.council_id)


# Template helpers ----------------------------------------------------------------------------------

FIELD_LABELS = {
    "code": _l("code"), "title": _l("title"), "text": _l("text"), "name": _l("name"),
    "description": _l("description"), "original_language": _l("original language"),
    "source": _l("source"), "source_reference": _l("source reference"), "priority": _l("priority"),
    "is_public": _l("public"), "organisation_id": _l("responsible organisation"),
    "start_date": _l("start date"), "due_date": _l("due date"), "counterpart_id": _l("counterpart"),
    "initiative_id": _l("initiative"), "group_id": _l("working group"), "unit": _l("unit"),
    "baseline_value": _l("baseline"), "baseline_date": _l("baseline date"),
    "target_value": _l("target"), "target_date": _l("target date"),
}
STATUS_ENUMS: dict[str, Any] = {"recommendation": RecommendationStatus, "commitment": CommitmentStatus}


@bp.app_template_global()
def status_label(subject: str, value: str | None) -> str:
    """The translated label of a status value stored in an event's payload."""
    try:
        return str(STATUS_ENUMS[subject](value).label)
    except (KeyError, ValueError):
        return value or ""


@bp.app_template_global()
def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


bp.add_app_template_global(council_today)


@bp.app_template_test("managed_by_me")
def _managed_by_me(group: WorkingGroup) -> bool:
    return can(current_user, "recommendation.manage", group)


@bp.app_template_test("allowed_move")
def _allowed_move(target: CommitmentStatus, commitment: Commitment) -> bool:
    """May the reader move the commitment to `target` with the status buttons?"""
    action = "commitment.manage" if target == CommitmentStatus.CANCELLED else "commitment.report"
    return can(current_user, action, commitment)


# Status moves that stop the work on a record: drawn as warnings and confirmed before they are made.
STOPPING = frozenset({RecommendationStatus.REJECTED, RecommendationStatus.WITHDRAWN,
                      RecommendationStatus.SUPERSEDED, CommitmentStatus.BLOCKED, CommitmentStatus.CANCELLED})


@bp.app_template_test("needs_reason")
def _needs_reason(target: RecommendationStatus | CommitmentStatus) -> bool:
    """Does this move ask for a reason (the services insist on one)?"""
    return target in RECOMMENDATION_CLOSED or target in COMMITMENT_NEEDS_REASON


@bp.app_template_test("stops_work")
def _stops_work(target: RecommendationStatus | CommitmentStatus) -> bool:
    return target in STOPPING


@bp.app_template_test("milestone_overdue")
def _milestone_overdue(milestone: Milestone, today: date) -> bool:
    return milestone.is_overdue(today)


# Shared pieces -----------------------------------------------------------------------------------------


def _filters(statuses: Any, sorts: dict[str, Any]) -> queries.Filters:
    """The list's filters from the address; a value not understood is left out, with a notice."""
    due_within = arg_int("due_within")
    if due_within is not None and not 0 <= due_within <= queries.MAX_DUE_WITHIN:
        ignore_argument("due_within")
        due_within = None
    country = (request.args.get("country") or "").upper()
    return queries.Filters(
        group_id=arg_int("group"), country=known_choice("country", country, COUNTRY.fullmatch),
        organisation_id=arg_int("organisation"), owner_id=arg_int("owner"),
        status=known_choice("status", request.args.get("status"), {s.value for s in statuses}.__contains__),
        overdue=request.args.get("overdue") == "1",
        due_within=due_within, text=(request.args.get("q") or "").strip() or None,
        sort=known_choice("sort", request.args.get("sort"), sorts.__contains__) or "")


def _filter_choices(council_id: int, *, with_groups: bool = False) -> dict[str, Any]:
    """Options of the filter bar (council/tracker/filter_choices.py, from the cache but for a change);
    `with_groups`, the council's groups as records too (the recommendations list asks which the reader
    manages). Otherwise the groups are read only when the options are written anew."""
    def groups() -> Sequence[WorkingGroup]:
        return db.session.scalars(select(WorkingGroup).where(WorkingGroup.council_id == council_id)
                                  .order_by(WorkingGroup.code)).all()

    if not with_groups:
        return filter_choices(council_id, groups)
    read = groups()
    return dict(groups=read, **filter_choices(council_id, lambda: read))


# Options already written, by the identity of their choices (which the cache hands out as the same
# objects until they change: council/generations.py), none of them chosen.
_WRITTEN_OPTIONS: dict[int, tuple[Any, str]] = {}


@bp.app_template_global()
def select_options(choices: list[tuple[Any, str]] | dict[str, list[tuple[Any, str]]],
                   selected: Any) -> Markup:
    """A select's <option>s for (value, label) pairs, the one equal to `selected` chosen, each group of
    a {heading: pairs} mapping in its <optgroup>: written once per list of choices (a filter bar has
    hundreds), then the chosen one marked."""
    written = _WRITTEN_OPTIONS.get(id(choices))
    if written is None or written[0] is not choices:
        if len(_WRITTEN_OPTIONS) >= 64:
            _WRITTEN_OPTIONS.clear()
        written = _WRITTEN_OPTIONS[id(choices)] = (choices, _options(choices))
    html = written[1]
    if selected is not None and selected != "":
        option = f'<option value="{escape(selected)}">'
        html = html.replace(option, f'<option value="{escape(selected)}" selected>', 1)
    return Markup(html)  # noqa: S704  (every value, label and heading is escaped in _options)


def _options(choices: list[tuple[Any, str]] | dict[str, list[tuple[Any, str]]]) -> str:
    if isinstance(choices, dict):
        return "".join(f'<optgroup label="{escape(heading)}">{_options(pairs)}</optgroup>'
                       for heading, pairs in choices.items())
    return "".join(f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in choices)


def _export(kind: str, fmt: str, keys: list[str], rows: Any) -> Response:
    header = exports.header_cells(keys)
    if fmt == "csv":
        out = exports.spooled(lambda file: spreadsheets.write_csv(file, header, rows))
        mimetype = "text/csv"
    else:
        out = exports.spooled(lambda file: spreadsheets.write_xlsx(
            file, kind, header, rows, widths=exports.column_widths(keys)))
        mimetype = spreadsheets.XLSX_TYPE
    return send_file(out, mimetype=mimetype, as_attachment=True,
                     download_name=f"{kind}-{council_today().isoformat()}.{fmt}")


def _too_many(query: Any, fmt: str, endpoint: str, filters: queries.Filters) -> Response | None:
    """Back to the list with a message when the export would be too long to build in one request."""
    limit = exports.MAX_ROWS[fmt]
    if count_of(query, limit) <= limit:
        return None
    flash(_("An export holds at most %(count)s rows: narrow the filters, or choose CSV.",
            count=format_decimal(limit)), "error")
    return redirect(url_for(endpoint, **filters.as_args()))  # type: ignore[return-value]


def _group_choices(council_id: int, empty: bool = False, managed: bool = False) -> list[Any]:
    """Active groups of the council; with `managed`, only those where the reader may recommend."""
    found = [option(g.id, f"{g.code} · {plain_localized(g.name, g.original_language)}")
             for g in active_groups(council_id)
             if not managed or can(current_user, "recommendation.manage", g)]
    return [option("", "—"), *found] if empty else found


def _initiative_choices(council_id: int) -> list[Any]:
    initiatives = db.session.scalars(select(Initiative).where(Initiative.council_id == council_id)
                                     .order_by(Initiative.code))
    return [option("", "—")] + [option(i.id, f"{i.code} · {marked_localized(i.name, i.original_language)}")
                                for i in initiatives]


# Recommendations ----------------------------------------------------------------------------------------


@bp.get("/")
def home() -> Response:
    return redirect(url_for(".recommendations"))  # type: ignore[return-value]


@bp.get("/recommendations")
def recommendations() -> str:
    council = current_council()
    today = council_today()
    filters = _filters(RecommendationStatus, queries.RECOMMENDATION_SORTS)
    query = queries.recommendations_query(council.id, filters, today)
    ids = query.with_only_columns(Recommendation.id)
    count_limit = SEARCH_COUNT_LIMIT if filters.text or filters.through_commitments else None
    page = paginate(select(Recommendation).where(Recommendation.council_id == council.id)
                    .options(selectinload(Recommendation.group)), count_limit=count_limit, ids=ids,
                    total=kept_total("recommendations", council.id, filters.narrowing_args(), today,
                                     lambda: count_of(ids, count_limit)))
    return render_template("tracker/recommendations.html", page=page, filters=filters,
                           statuses=list(RecommendationStatus),
                           **_filter_choices(council.id, with_groups=True))


@bp.get("/recommendations/export.<fmt>")
def export_recommendations(fmt: str) -> Response:
    if fmt not in exports.MAX_ROWS:
        abort(404)
    filters = _filters(RecommendationStatus, queries.RECOMMENDATION_SORTS)
    today = council_today()
    refused = _too_many(queries.recommendations_query(current_user.council_id, filters, today), fmt,
                        ".recommendations", filters)
    if refused is not None:
        return refused
    rows = queries.recommendation_export_rows(current_user.council_id, filters, today)
    language = current_language()
    return _export("recommendations", fmt, exports.RECOMMENDATION_COLUMNS + exports.RECOMMENDATION_READ_ONLY,
                   (exports.recommendation_cells(row, language) for row in rows))


def _recommendation_form(obj: Recommendation | None = None) -> RecommendationForm:
    form = RecommendationForm(obj=obj)
    form.group_id.choices = choice_needed(_group_choices(current_user.council_id, managed=True))
    if obj is None and request.method == "GET":
        form.group_id.data = arg_int("group")
    return form


def _recommendation_values(form: RecommendationForm) -> dict[str, Any]:
    return dict(code=form.code.data or "", title=form.title.data, text=form.text.data,
                original_language=form.original_language.data, source=form.source.data,
                source_reference=form.source_reference.data, priority=form.priority.data,
                is_public=form.is_public.data)


@bp.route("/recommendations/new", methods=["GET", "POST"])
def new_recommendation() -> Any:
    form = _recommendation_form()
    if len(form.group_id.choices) < 2:  # neither a secretary nor a co-chair of any group
        raise NotAllowed(only([*secretaries(), *any_co_chairs()]))

    def page() -> str:
        return render_template("tracker/recommendation_form.html", form=form, recommendation=None)

    return submit_form(form, page, lambda: services.create_recommendation(
        current_user, get_in_council(WorkingGroup, form.group_id.data, current_user.council_id),
        **_recommendation_values(form)),
        lambda created: _("Recommendation %(code)s recorded.", code=created.code),
        lambda created: url_for(".recommendation", recommendation_id=created.id))


@bp.get("/recommendations/<int:recommendation_id>")
def recommendation(recommendation_id: int) -> str:
    return _recommendation_page(get_in_council(Recommendation, recommendation_id, current_user.council_id))


def _recommendation_page(record: Recommendation, status_form: StatusForm | None = None) -> str:
    today = council_today()
    return render_template("tracker/recommendation.html", recommendation=record,
                           view=queries.two_country_view(record, today), today=today,
                           history=queries.history_of("recommendation", record.id, arg_int("history")),
                           status_form=status_form or StatusForm(formdata=None))


@bp.route("/recommendations/<int:recommendation_id>/edit", methods=["GET", "POST"])
def edit_recommendation(recommendation_id: int) -> Any:
    record = get_in_council(Recommendation, recommendation_id, current_user.council_id)
    require(current_user, "recommendation.manage", record)
    form = _recommendation_form(record)
    del form.group_id  # a recommendation stays in its group: its code and commitments belong there

    def page() -> str:
        return render_template("tracker/recommendation_form.html", form=form, recommendation=record)

    return submit_form(form, page, lambda: services.update_recommendation(
        current_user, record, **_recommendation_values(form)),
        _("Recommendation saved."), lambda saved: url_for(".recommendation", recommendation_id=record.id))


@bp.post("/recommendations/<int:recommendation_id>/status")
def change_recommendation_status(recommendation_id: int) -> Any:
    record = get_in_council(Recommendation, recommendation_id, current_user.council_id)
    form = StatusForm()
    return submit_form(form, lambda: _recommendation_page(record, form),
                   lambda: services.change_recommendation_status(current_user, record, form.status.data,
                                                                 form.reason.data),
                   lambda saved: _("The recommendation is now “%(status)s”.", status=saved.status.label),
                   lambda saved: url_for(".recommendation", recommendation_id=record.id))


# Commitments ----------------------------------------------------------------------------------------------


@bp.get("/commitments")
def commitments() -> str:
    council = current_council()
    filters = _filters(CommitmentStatus, queries.COMMITMENT_SORTS)
    today = council_today()
    ids = queries.commitment_ids(council.id, filters, today)
    count_limit = SEARCH_COUNT_LIMIT if filters.text else None
    total = (kept_total("commitments", council.id, filters.narrowing_args(), today,
                        lambda: count_of(ids, count_limit))
             if filters.narrowed else queries.commitment_total(council.id))
    page = paginate(queries.commitments_with_joins(council.id), count_limit=count_limit, total=total,
                    ids=queries.commitment_order(ids, filters))
    return render_template("tracker/commitments.html", page=page, filters=filters,
                           statuses=list(CommitmentStatus), **_filter_choices(council.id))


@bp.get("/commitments/export.<fmt>")
def export_commitments(fmt: str) -> Response:
    if fmt not in exports.MAX_ROWS:
        abort(404)
    filters = _filters(CommitmentStatus, queries.COMMITMENT_SORTS)
    today = council_today()
    refused = _too_many(queries.commitments_query(current_user.council_id, filters, today), fmt,
                        ".commitments", filters)
    if refused is not None:
        return refused
    rows = queries.commitment_export_rows(current_user.council_id, filters, today)
    language = current_language()

    def email_shown(owner_id: int | None) -> bool:
        return can(current_user, "person.see_email", AnyoneOf(current_user.council_id, owner_id))

    return _export("commitments", fmt, exports.COMMITMENT_COLUMNS + exports.COMMITMENT_READ_ONLY,
                   (exports.commitment_cells(row, language, email_shown) for row in rows))


def _commitment_form(recommendation: Recommendation, obj: Commitment | None = None) -> CommitmentForm:
    form = CommitmentForm(obj=obj)
    council_id = recommendation.council_id
    # Parity: the organisations the reader may take a commitment on for (a co-chair: their own
    # country's; an edited commitment keeps its own), grouped by country, the international ones apart;
    # a long list gets a search box.
    form.organisation_id.choices = choice_needed(grouped_options(organisation_groups([
        o for o in council_organisations(council_id)
        if (obj is not None and o.id == obj.organisation_id)
        or can(current_user, "commitment.create", NewCommitment(recommendation, o))])))
    form.owner_id.choices = [option("", "—")] + [
        option(person.id, person_label(current_user, person))
        for person, _organisation in active_people_by_organisation(council_id)]
    others = select(Commitment).where(Commitment.recommendation_id == recommendation.id).options(
        selectinload(Commitment.organisation)).order_by(Commitment.code)
    if obj is not None:
        others = others.where(Commitment.id != obj.id)
    form.counterpart_id.choices = [option("", "—")] + [
        option(c.id, f"{c.code} · {c.organisation.country_code} · "
                     f"{plain_localized(c.organisation.name, c.organisation.original_language)}")
        for c in db.session.scalars(others)]
    form.initiative_id.choices = _initiative_choices(council_id)
    return form


def _commitment_values(form: CommitmentForm, council_id: int) -> dict[str, Any]:
    def record(model: type[Any], record_id: int | None) -> Any:
        return get_in_council(model, record_id, council_id) if record_id else None

    owner = record(User, form.owner_id.data)
    return dict(organisation=record(Organisation, form.organisation_id.data), owner=owner,
                description=form.description.data, original_language=form.original_language.data,
                start_date=form.start_date.data, due_date=form.due_date.data,
                counterpart=record(Commitment, form.counterpart_id.data),
                initiative=record(Initiative, form.initiative_id.data))


@bp.route("/recommendations/<int:recommendation_id>/commitments/new", methods=["GET", "POST"])
def new_commitment(recommendation_id: int) -> Any:
    parent = get_in_council(Recommendation, recommendation_id, current_user.council_id)
    require(current_user, "commitment.manage", parent)
    form = _commitment_form(parent)

    def page() -> str:
        return render_template("tracker/commitment_form.html", form=form, recommendation=parent,
                               commitment=None)

    return submit_form(form, page, lambda: services.create_commitment(
        current_user, parent, code=form.code.data or None, **_commitment_values(form, parent.council_id)),
        lambda created: _("Commitment %(code)s created.", code=created.code),
        lambda created: url_for(".commitment", commitment_id=created.id))


@bp.route("/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
def edit_commitment(commitment_id: int) -> Any:
    record = get_in_council(Commitment, commitment_id, current_user.council_id)
    require(current_user, "commitment.manage", record)
    form = _commitment_form(record.recommendation, record)
    del form.code

    def page() -> str:
        return render_template("tracker/commitment_form.html", form=form,
                               recommendation=record.recommendation, commitment=record)

    return submit_form(form, page, lambda: services.update_commitment(
        current_user, record, **_commitment_values(form, record.council_id)),
        _("Commitment saved."), lambda saved: url_for(".commitment", commitment_id=record.id))


def _commitment_page(record: Commitment, **forms: Any) -> str:
    forms.setdefault("progress_form", ProgressForm(formdata=None, progress=record.progress))
    forms.setdefault("verification_form", VerificationForm(formdata=None))
    forms.setdefault("status_form", StatusForm(formdata=None))
    return render_template("tracker/commitment.html", commitment=record,
                           reports=queries.progress_reports(record.id, arg_int("reports")),
                           today=council_today(),
                           history=queries.history_of("commitment", record.id, arg_int("history")), **forms)


@bp.get("/commitments/<int:commitment_id>")
def commitment(commitment_id: int) -> str:
    return _commitment_page(get_in_council(Commitment, commitment_id, current_user.council_id,
                                           *queries.COMMITMENT_PAGE_LOADS))


@bp.post("/commitments/<int:commitment_id>/progress")
def report_progress(commitment_id: int) -> Any:
    # The recommendation's title goes into the report's event: read with the commitment.
    record = get_in_council(Commitment, commitment_id, current_user.council_id,
                            joinedload(Commitment.recommendation))
    require(current_user, "commitment.report", record)
    form = ProgressForm()
    return submit_form(form, lambda: _commitment_page(record, progress_form=form),
                   lambda: services.report_progress(
                       current_user, record, progress=form.progress.data,
                       status=form.status.data or None, note=form.note.data,
                       files=[f for f in form.files.data or [] if f and f.filename],
                       links=(form.links.data or "").splitlines()),
                   _("Progress reported."), lambda saved: url_for(".commitment", commitment_id=commitment_id))


def _verification(commitment_id: int, act: Callable[[Commitment, str | None], Any], done: str) -> Any:
    record = get_in_council(Commitment, commitment_id, current_user.council_id)
    form = VerificationForm()
    return submit_form(form, lambda: _commitment_page(record, verification_form=form),
                   lambda: act(record, form.comment.data), done,
                   lambda saved: url_for(".commitment", commitment_id=commitment_id))


@bp.post("/commitments/<int:commitment_id>/verify")
def verify(commitment_id: int) -> Any:
    return _verification(commitment_id, lambda c, comment: services.verify_commitment(
        current_user, c, comment), _("Commitment verified."))


@bp.post("/commitments/<int:commitment_id>/send-back")
def send_back(commitment_id: int) -> Any:
    return _verification(commitment_id, lambda c, comment: services.send_back(
        current_user, c, comment), _("The report was sent back to the owner."))


@bp.post("/commitments/<int:commitment_id>/status")
def change_commitment_status(commitment_id: int) -> Any:
    record = get_in_council(Commitment, commitment_id, current_user.council_id)
    form = StatusForm()
    return submit_form(form, lambda: _commitment_page(record, status_form=form),
                   lambda: services.change_commitment_status(current_user, record, form.status.data,
                                                             form.reason.data),
                   lambda saved: _("The commitment is now “%(status)s”.", status=saved.status.label),
                   lambda saved: url_for(".commitment", commitment_id=record.id))


@bp.get("/evidence/<int:evidence_id>")
def evidence(evidence_id: int) -> Any:
    """A stored evidence file, for signed-in readers of the council only."""
    item = db.get_or_404(Evidence, evidence_id)
    get_in_council(Commitment, item.commitment_id, current_user.council_id)
    if item.kind != EvidenceKind.FILE or not item.stored_name:
        abort(404)
    path = evidence_files.path_of(item.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=item.content_type, as_attachment=True,
                         download_name=item.filename or path.name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
