"""Tracker pages: recommendations, commitments, progress reports, initiatives and indicators.

Views parse the form, call one service, commit, flash and redirect. A refusal re-renders the page with
the message next to its field and the status that says why: 422 for bad input, 409 for a move the
record's status does not allow; 403 pages come from the error handler.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from council import spreadsheets
from council.auth.permissions import can, require
from council.directory.models import Organisation, User, WorkingGroup
from council.directory.services import AnyoneOf, get_in_council
from council.errors import DomainError, NotAllowed, NotFound
from council.extensions import db
from council.forms import option, show_error
from council.i18n import current_language, marked_localized, plain_localized
from council.tracker import evidence as evidence_files
from council.tracker import exports, imports, queries, services
from council.tracker.forms import (
    CommitmentForm,
    ImportConfirmForm,
    ImportForm,
    IndicatorForm,
    InitiativeForm,
    MilestoneDoneForm,
    MilestoneForm,
    ObservationForm,
    ProgressForm,
    RecommendationForm,
    StatusForm,
    VerificationForm,
)
from council.tracker.models import (
    Commitment,
    CommitmentStatus,
    Evidence,
    EvidenceKind,
    Indicator,
    Initiative,
    Milestone,
    Priority,
    ProgressUpdate,
    Recommendation,
    RecommendationSource,
    RecommendationStatus,
)
from council.web import UNPROCESSABLE, arg_int, current_council, paginate

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


@bp.app_template_global()
def council_today() -> date:
    return services.council_today()


@bp.app_template_test("managed_by_me")
def _managed_by_me(group: WorkingGroup) -> bool:
    return can(current_user, "recommendation.manage", group)


@bp.app_template_test("allowed_move")
def _allowed_move(target: CommitmentStatus, commitment: Commitment) -> bool:
    """May the reader move the commitment to `target` with the status buttons?"""
    action = "commitment.manage" if target == CommitmentStatus.CANCELLED else "commitment.report"
    return can(current_user, action, commitment)


@bp.app_template_test("milestone_overdue")
def _milestone_overdue(milestone: Milestone, today: date) -> bool:
    return milestone.is_overdue(today)


# Shared pieces -----------------------------------------------------------------------------------------


def _filters(statuses: Any, sorts: dict[str, Any]) -> queries.Filters:
    status = request.args.get("status") or None
    country = (request.args.get("country") or "").upper() or None
    due_within = arg_int("due_within")
    if due_within is not None and not 0 <= due_within <= queries.MAX_DUE_WITHIN:
        abort(400)
    sort = request.args.get("sort", "")
    return queries.Filters(
        group_id=arg_int("group"), country=country if country and COUNTRY.match(country) else None,
        organisation_id=arg_int("organisation"), owner_id=arg_int("owner"),
        status=status if status in {s.value for s in statuses} else None,
        overdue=request.args.get("overdue") == "1",
        due_within=due_within, text=(request.args.get("q") or "").strip() or None,
        sort=sort if sort in sorts else "")


def _filter_choices(council_id: int) -> dict[str, Any]:
    """Options of the filter bar: groups, organisations and owners (three queries, bounded)."""
    return dict(
        groups=db.session.scalars(select(WorkingGroup).where(WorkingGroup.council_id == council_id)
                                  .order_by(WorkingGroup.code)).all(),
        organisations=db.session.scalars(select(Organisation).where(
            Organisation.council_id == council_id).order_by(Organisation.country_code,
                                                            Organisation.code)).all(),
        owners=queries.owners_with_commitments(council_id))


def _refused(error: DomainError, form: FlaskForm, page: Callable[[], str]) -> tuple[str, int]:
    """Undo the change, show the message next to its field, and answer with the error's status."""
    db.session.rollback()
    if isinstance(error, NotAllowed | NotFound):
        raise error
    show_error(form, error)
    return page(), error.status_code


def _submit(form: FlaskForm, page: Callable[[], str], save: Callable[[], Any],
            message: str | Callable[[Any], str], target: Callable[[Any], str]) -> Any:
    """The flow every tracker form shares: show it, refuse with the field's message, or save it.

    `save` calls one service; after the commit, the flash `message` (or what it makes of the saved
    record) and the redirect `target` come from what it returned.
    """
    if not form.validate_on_submit():
        return (page(), UNPROCESSABLE) if form.is_submitted() else page()
    try:
        saved = save()
    except DomainError as error:
        return _refused(error, form, page)
    db.session.commit()
    flash(message if isinstance(message, str) else message(saved), "success")
    return redirect(target(saved))


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
                     download_name=f"{kind}-{services.council_today().isoformat()}.{fmt}")


def _too_many(query: Any, fmt: str, endpoint: str, filters: queries.Filters) -> Response | None:
    """Back to the list with a message when the export would be too long to build in one request."""
    limit = exports.MAX_ROWS[fmt]
    if queries.count_rows(query) <= limit:
        return None
    flash(_("An export holds at most %(count)s rows: narrow the filters, or choose CSV.",
            count=format_decimal(limit)), "error")
    return redirect(url_for(endpoint, **filters.as_args()))  # type: ignore[return-value]


def _group_choices(council_id: int, empty: bool = False, managed: bool = False) -> list[Any]:
    """Active groups of the council; with `managed`, only those where the reader may recommend."""
    groups = db.session.scalars(select(WorkingGroup).where(
        WorkingGroup.council_id == council_id, WorkingGroup.active.is_(True)).order_by(WorkingGroup.code))
    found = [option(g.id, f"{g.code} · {plain_localized(g.name, g.original_language)}") for g in groups
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
    today = services.council_today()
    filters = _filters(RecommendationStatus, queries.RECOMMENDATION_SORTS)
    page = paginate(queries.recommendations_query(council.id, filters, today)
                    .options(selectinload(Recommendation.group)))
    counts = queries.commitment_counts([r.id for r in page.items], today)
    return render_template("tracker/recommendations.html", page=page, filters=filters, counts=counts,
                           statuses=list(RecommendationStatus), **_filter_choices(council.id))


@bp.get("/recommendations/export.<fmt>")
def export_recommendations(fmt: str) -> Response:
    if fmt not in exports.MAX_ROWS:
        abort(404)
    filters = _filters(RecommendationStatus, queries.RECOMMENDATION_SORTS)
    today = services.council_today()
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
    form.group_id.choices = _group_choices(current_user.council_id, managed=True)
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
    if not form.group_id.choices:  # neither a secretary nor a co-chair of any group
        abort(403)

    def page() -> str:
        return render_template("tracker/recommendation_form.html", form=form, recommendation=None)

    return _submit(form, page, lambda: services.create_recommendation(
        current_user, get_in_council(WorkingGroup, form.group_id.data, current_user.council_id),
        **_recommendation_values(form)),
        lambda created: _("Recommendation %(code)s recorded.", code=created.code),
        lambda created: url_for(".recommendation", recommendation_id=created.id))


@bp.get("/recommendations/<int:recommendation_id>")
def recommendation(recommendation_id: int) -> str:
    return _recommendation_page(get_in_council(Recommendation, recommendation_id, current_user.council_id))


def _recommendation_page(record: Recommendation, status_form: StatusForm | None = None) -> str:
    today = services.council_today()
    return render_template("tracker/recommendation.html", recommendation=record,
                           view=queries.two_country_view(record, today), today=today,
                           history=queries.history_of("recommendation", record.id),
                           status_form=status_form or StatusForm(formdata=None))


@bp.route("/recommendations/<int:recommendation_id>/edit", methods=["GET", "POST"])
def edit_recommendation(recommendation_id: int) -> Any:
    record = get_in_council(Recommendation, recommendation_id, current_user.council_id)
    require(current_user, "recommendation.manage", record)
    form = _recommendation_form(record)
    del form.group_id  # a recommendation stays in its group: its code and commitments belong there

    def page() -> str:
        return render_template("tracker/recommendation_form.html", form=form, recommendation=record)

    return _submit(form, page, lambda: services.update_recommendation(
        current_user, record, **_recommendation_values(form)),
        _("Recommendation saved."), lambda saved: url_for(".recommendation", recommendation_id=record.id))


@bp.post("/recommendations/<int:recommendation_id>/status")
def change_recommendation_status(recommendation_id: int) -> Any:
    record = get_in_council(Recommendation, recommendation_id, current_user.council_id)
    form = StatusForm()
    return _submit(form, lambda: _recommendation_page(record, form),
                   lambda: services.change_recommendation_status(current_user, record, form.status.data,
                                                                 form.reason.data),
                   lambda saved: _("The recommendation is now “%(status)s”.", status=saved.status.label),
                   lambda saved: url_for(".recommendation", recommendation_id=record.id))


# Commitments ----------------------------------------------------------------------------------------------


@bp.get("/commitments")
def commitments() -> str:
    council = current_council()
    filters = _filters(CommitmentStatus, queries.COMMITMENT_SORTS)
    page = paginate(queries.commitments_query(council.id, filters, services.council_today()))
    return render_template("tracker/commitments.html", page=page, filters=filters,
                           statuses=list(CommitmentStatus), **_filter_choices(council.id))


@bp.get("/commitments/export.<fmt>")
def export_commitments(fmt: str) -> Response:
    if fmt not in exports.MAX_ROWS:
        abort(404)
    filters = _filters(CommitmentStatus, queries.COMMITMENT_SORTS)
    today = services.council_today()
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
    organisations = db.session.scalars(select(Organisation).where(Organisation.council_id == council_id)
                                       .order_by(Organisation.country_code, Organisation.code))
    form.organisation_id.choices = [
        option(o.id, f"{o.country_code} · {plain_localized(o.name, o.original_language)}")
        for o in organisations]
    people = db.session.execute(
        select(User.id, User.name, Organisation.code)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(User.council_id == council_id, User.active.is_(True))
        .order_by(Organisation.code, User.name))
    form.owner_id.choices = [option("", "—")] + [option(uid, f"{name} ({code})")
                                                 for uid, name, code in people]
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

    return _submit(form, page, lambda: services.create_commitment(
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

    return _submit(form, page, lambda: services.update_commitment(
        current_user, record, **_commitment_values(form, record.council_id)),
        _("Commitment saved."), lambda saved: url_for(".commitment", commitment_id=record.id))


def _commitment_page(record: Commitment, **forms: Any) -> str:
    updates = db.session.scalars(
        select(ProgressUpdate).where(ProgressUpdate.commitment_id == record.id)
        .options(selectinload(ProgressUpdate.evidence), selectinload(ProgressUpdate.author))
        .order_by(ProgressUpdate.id.desc())).all()
    forms.setdefault("progress_form", ProgressForm(formdata=None, progress=record.progress))
    forms.setdefault("verification_form", VerificationForm(formdata=None))
    forms.setdefault("status_form", StatusForm(formdata=None))
    return render_template("tracker/commitment.html", commitment=record, updates=updates,
                           today=services.council_today(),
                           history=queries.history_of("commitment", record.id), **forms)


@bp.get("/commitments/<int:commitment_id>")
def commitment(commitment_id: int) -> str:
    return _commitment_page(get_in_council(Commitment, commitment_id, current_user.council_id))


@bp.post("/commitments/<int:commitment_id>/progress")
def report_progress(commitment_id: int) -> Any:
    record = get_in_council(Commitment, commitment_id, current_user.council_id)
    require(current_user, "commitment.report", record)
    form = ProgressForm()
    return _submit(form, lambda: _commitment_page(record, progress_form=form),
                   lambda: services.report_progress(
                       current_user, record, progress=form.progress.data,
                       status=form.status.data or None, note=form.note.data,
                       files=[f for f in form.files.data or [] if f and f.filename],
                       links=(form.links.data or "").splitlines()),
                   _("Progress reported."), lambda saved: url_for(".commitment", commitment_id=record.id))


def _verification(commitment_id: int, act: Callable[[Commitment, str | None], Any], done: str) -> Any:
    record = get_in_council(Commitment, commitment_id, current_user.council_id)
    form = VerificationForm()
    return _submit(form, lambda: _commitment_page(record, verification_form=form),
                   lambda: act(record, form.comment.data), done,
                   lambda saved: url_for(".commitment", commitment_id=record.id))


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
    return _submit(form, lambda: _commitment_page(record, status_form=form),
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


# Initiatives --------------------------------------------------------------------------------------------


@bp.get("/initiatives")
def initiatives() -> str:
    council = current_council()
    text = (request.args.get("q") or "").strip()
    query = select(Initiative).where(Initiative.council_id == council.id)
    if text:
        query = query.where(Initiative.search_text.contains(text.casefold(), autoescape=True))
    page = paginate(query.options(selectinload(Initiative.milestones), selectinload(Initiative.group))
                    .order_by(Initiative.code))
    return render_template("tracker/initiatives.html", page=page, text=text,
                           today=services.council_today())


def _initiative_form(obj: Initiative | None = None) -> InitiativeForm:
    form = InitiativeForm(obj=obj)
    form.group_id.choices = _group_choices(current_user.council_id, empty=True)
    return form


def _initiative_values(form: InitiativeForm) -> dict[str, Any]:
    group = get_in_council(WorkingGroup, form.group_id.data, current_user.council_id) \
        if form.group_id.data else None
    return dict(code=form.code.data or "", name=form.name.data, description=form.description.data,
                original_language=form.original_language.data, group=group)


@bp.route("/initiatives/new", methods=["GET", "POST"])
def new_initiative() -> Any:
    council = current_council()
    require(current_user, "initiative.manage", council.id)
    form = _initiative_form()

    def page() -> str:
        return render_template("tracker/initiative_form.html", form=form, initiative=None)

    return _submit(form, page, lambda: services.create_initiative(
        current_user, council, **_initiative_values(form)),
        _("Initiative created."), lambda created: url_for(".initiative", initiative_id=created.id))


@bp.route("/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
def edit_initiative(initiative_id: int) -> Any:
    record = get_in_council(Initiative, initiative_id, current_user.council_id)
    require(current_user, "initiative.manage", record.council_id)
    form = _initiative_form(record)

    def page() -> str:
        return render_template("tracker/initiative_form.html", form=form, initiative=record)

    return _submit(form, page, lambda: services.update_initiative(
        current_user, record, **_initiative_values(form)),
        _("Initiative saved."), lambda saved: url_for(".initiative", initiative_id=record.id))


def _initiative_page(record: Initiative, **forms: Any) -> str:
    today = services.council_today()
    page = paginate(select(Commitment).where(Commitment.initiative_id == record.id)
                    .options(selectinload(Commitment.organisation), selectinload(Commitment.owner),
                             selectinload(Commitment.recommendation))
                    .order_by(Commitment.due_date, Commitment.id))
    forms.setdefault("milestone_form", MilestoneForm(formdata=None))
    forms.setdefault("done_form", MilestoneDoneForm(formdata=None, completed_on=today))
    return render_template("tracker/initiative.html", initiative=record, page=page, today=today,
                           history=queries.history_of("initiative", record.id), **forms)


@bp.get("/initiatives/<int:initiative_id>")
def initiative(initiative_id: int) -> str:
    return _initiative_page(get_in_council(Initiative, initiative_id, current_user.council_id))


@bp.post("/initiatives/<int:initiative_id>/milestones")
def add_milestone(initiative_id: int) -> Any:
    record = get_in_council(Initiative, initiative_id, current_user.council_id)
    require(current_user, "initiative.manage", record.council_id)
    form = MilestoneForm()
    return _submit(form, lambda: _initiative_page(record, milestone_form=form),
                   lambda: services.add_milestone(
                       current_user, record, title=form.title.data,
                       original_language=form.original_language.data, due_date=form.due_date.data,
                       completed_on=form.completed_on.data),
                   _("Milestone added."), lambda saved: url_for(".initiative", initiative_id=record.id))


@bp.post("/initiatives/<int:initiative_id>/milestones/<int:milestone_id>/done")
def milestone_done(initiative_id: int, milestone_id: int) -> Any:
    record = get_in_council(Initiative, initiative_id, current_user.council_id)
    milestone = db.get_or_404(Milestone, milestone_id)
    if milestone.initiative_id != record.id:
        abort(404)
    form = MilestoneDoneForm()
    return _submit(form, lambda: _initiative_page(record, done_form=form),
                   lambda: services.complete_milestone(current_user, milestone, form.completed_on.data),
                   _("Milestone saved."), lambda saved: url_for(".initiative", initiative_id=record.id))


# Indicators -------------------------------------------------------------------------------------------


@bp.get("/indicators")
def indicators() -> str:
    council = current_council()
    page = paginate(select(Indicator).where(Indicator.council_id == council.id)
                    .options(selectinload(Indicator.group)).order_by(Indicator.code))
    latest = queries.latest_observations([i.id for i in page.items])
    return render_template("tracker/indicators.html", page=page, latest=latest)


def _indicator_form(obj: Indicator | None = None) -> IndicatorForm:
    form = IndicatorForm(obj=obj)
    form.group_id.choices = _group_choices(current_user.council_id, empty=True)
    form.initiative_id.choices = _initiative_choices(current_user.council_id)
    return form


def _indicator_values(form: IndicatorForm) -> dict[str, Any]:
    council_id = current_user.council_id
    return dict(
        code=form.code.data or "", name=form.name.data, description=form.description.data,
        original_language=form.original_language.data, unit=form.unit.data or "",
        baseline_value=form.baseline_value.data, baseline_date=form.baseline_date.data,
        target_value=form.target_value.data, target_date=form.target_date.data,
        group=get_in_council(WorkingGroup, form.group_id.data, council_id) if form.group_id.data else None,
        initiative=get_in_council(Initiative, form.initiative_id.data, council_id)
        if form.initiative_id.data else None)


@bp.route("/indicators/new", methods=["GET", "POST"])
def new_indicator() -> Any:
    council = current_council()
    require(current_user, "indicator.manage", council.id)
    form = _indicator_form()

    def page() -> str:
        return render_template("tracker/indicator_form.html", form=form, indicator=None)

    return _submit(form, page, lambda: services.create_indicator(
        current_user, council, **_indicator_values(form)),
        _("Indicator created."), lambda created: url_for(".indicator", indicator_id=created.id))


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
def edit_indicator(indicator_id: int) -> Any:
    record = get_in_council(Indicator, indicator_id, current_user.council_id)
    require(current_user, "indicator.manage", record.council_id)
    form = _indicator_form(record)

    def page() -> str:
        return render_template("tracker/indicator_form.html", form=form, indicator=record)

    return _submit(form, page, lambda: services.update_indicator(
        current_user, record, **_indicator_values(form)),
        _("Indicator saved."), lambda saved: url_for(".indicator", indicator_id=record.id))


def _indicator_page(record: Indicator, **forms: Any) -> str:
    forms.setdefault("observation_form", ObservationForm(formdata=None))
    return render_template("tracker/indicator.html", indicator=record,
                           observations=record.observations[:200],
                           history=queries.history_of("indicator", record.id), **forms)


@bp.get("/indicators/<int:indicator_id>")
def indicator(indicator_id: int) -> str:
    return _indicator_page(get_in_council(Indicator, indicator_id, current_user.council_id))


@bp.post("/indicators/<int:indicator_id>/observations")
def record_observation(indicator_id: int) -> Any:
    record = get_in_council(Indicator, indicator_id, current_user.council_id)
    require(current_user, "indicator.observe", record)
    form = ObservationForm()
    return _submit(form, lambda: _indicator_page(record, observation_form=form),
                   lambda: services.record_observation(
                       current_user, record, observed_on=form.observed_on.data, value=form.value.data,
                       source=form.source.data or "", note=form.note.data),
                   _("Value recorded."), lambda saved: url_for(".indicator", indicator_id=record.id))


# Import ---------------------------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
def import_file() -> Any:
    council = current_council()
    require(current_user, "tracker.import", council.id)
    form = ImportForm()

    def page() -> str:
        return render_template("tracker/import.html", form=form, report=None, confirm=None,
                               columns=_import_columns())

    if not form.validate_on_submit():
        return (page(), UNPROCESSABLE) if form.is_submitted() else page()
    upload = form.file.data
    data = upload.read()
    report = imports.run_import(current_user, council, form.kind.data, upload.filename or "", data,
                                save=False)
    db.session.rollback()
    confirm = None
    if report.ok:
        confirm = ImportConfirmForm(formdata=None, kind=form.kind.data,
                                    token=imports.stash(current_user.id, upload.filename or "", data))
    page_text = render_template("tracker/import.html", form=form, report=report, confirm=confirm,
                                columns=_import_columns())
    return page_text if report.ok else (page_text, UNPROCESSABLE)


@bp.post("/import/confirm")
def confirm_import() -> Any:
    council = current_council()
    require(current_user, "tracker.import", council.id)
    form = ImportConfirmForm()
    stashed = imports.unstash(current_user.id, form.token.data or "") if form.validate_on_submit() else None
    if stashed is None:
        flash(_("The uploaded file is no longer available; upload it again."), "error")
        return redirect(url_for(".import_file"))
    filename, data = stashed
    report = imports.run_import(current_user, council, form.kind.data or "", filename, data, save=True)
    if not report.saved:
        db.session.rollback()
        return render_template("tracker/import.html", form=ImportForm(formdata=None), report=report,
                               confirm=None, columns=_import_columns()), UNPROCESSABLE
    db.session.commit()
    imports.discard(current_user.id, form.token.data or "")
    flash(_("Import saved: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
            created=report.count("create"), updated=report.count("update"),
            unchanged=report.count("unchanged")), "success")
    return redirect(url_for(".recommendations" if report.kind == "recommendations" else ".commitments"))


def _import_columns() -> dict[str, Any]:
    return {"recommendations": (exports.RECOMMENDATION_COLUMNS, sorted(imports.REQUIRED["recommendations"])),
            "commitments": (exports.COMMITMENT_COLUMNS, sorted(imports.REQUIRED["commitments"])),
            "sources": [s.value for s in RecommendationSource],
            "priorities": [p.value for p in Priority],
            "statuses": [s.value for s in RecommendationStatus]}
