"""Directory pages: the council, working groups, organisations and people."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from council.api.forms import token_section
from council.auth import services as auth_services
from council.auth.forms import InvitationForm, security_section
from council.auth.permissions import MemberChange, can, require
from council.directory import services
from council.directory.forms import (
    GroupForm,
    MemberRoleForm,
    MembershipForm,
    OrganisationForm,
    PersonRoleForm,
    ProfileForm,
)
from council.directory.models import (
    Country,
    GroupRole,
    Membership,
    Organisation,
    OrganisationKind,
    PlatformRole,
    Region,
    User,
    WorkingGroup,
)
from council.errors import DomainError, NotAllowed
from council.extensions import db
from council.forms import (
    choice_needed,
    form_page,
    grouped_options,
    option,
    refuse_form,
    show_error,
    submit_form,
)
from council.i18n import LANGUAGES, plain_localized
from council.web import arg_int, current_council, known_choice, paginate

bp = Blueprint("directory", __name__)


@bp.before_request
def _signed_in() -> Response | None:
    """Every directory page is for signed-in people; anonymous visitors to / see the public portal."""
    if not current_user.is_authenticated and request.endpoint == "directory.home":
        return redirect(url_for("portal.index"))
    return _login_required()


_login_required = login_required(lambda: None)


@bp.get("/")
def home() -> Response:
    """The signed-in start page is home: what needs the person now."""
    return redirect(url_for("home.home"))


# Working groups ---------------------------------------------------------------------------------


@bp.get("/groups")
def groups() -> str:
    groups = list(db.session.scalars(services.groups_query(current_user.council_id)))
    return render_template("directory/groups.html", cards=services.group_cards(groups))


@bp.get("/groups/<int:group_id>")
def group(group_id: int) -> str | tuple[str, int]:
    working_group = services.get_in_council(WorkingGroup, group_id, current_user.council_id)
    return _group_page(working_group, _membership_form(working_group))


def _group_page(working_group: WorkingGroup, form: MembershipForm) -> str | tuple[str, int]:
    """The group and its members; each row offers only the changes the reader may make to it."""
    changeable = {m.id for m in working_group.memberships if can(
        current_user, "membership.change", MemberChange(working_group, m.user, m.role, GroupRole.MEMBER))}
    role_form = MemberRoleForm(formdata=None)
    role_form.role.choices = _group_role_choices(working_group, role_form.role.choices)
    return form_page("directory/group.html", form, group=working_group, role_form=role_form,
                     changeable=changeable,
                     appoints=can(current_user, "membership.change", MemberChange(
                         working_group, current_user, None, GroupRole.CO_CHAIR)))


def _group_role_choices(working_group: WorkingGroup, choices: Any) -> list[Any]:
    """The co-chair role is offered to those who may appoint one: the council's secretaries."""
    if can(current_user, "membership.change",
           MemberChange(working_group, current_user, None, GroupRole.CO_CHAIR)):
        return list(choices)
    return [choice for choice in choices if choice.value != GroupRole.CO_CHAIR.value]


def _membership_form(working_group: WorkingGroup) -> MembershipForm:
    """People not yet in the group whom the reader may add: a co-chair, people of their side."""
    form = MembershipForm()
    member_ids = {m.user_id for m in working_group.memberships}
    people = db.session.scalars(select(User).where(
        User.council_id == working_group.council_id, User.active.is_(True))
        .options(selectinload(User.organisation)).order_by(User.name))
    form.user_id.choices = choice_needed([
        option(p.id, services.person_label(current_user, p)) for p in people
        if p.id not in member_ids and can(current_user, "membership.change",
                                          MemberChange(working_group, p, None, GroupRole.MEMBER))])
    form.role.choices = _group_role_choices(working_group, form.role.choices)
    return form


def _group_form_values(form: GroupForm) -> dict[str, object]:
    return dict(slug=(form.slug.data or "").strip(), code=(form.code.data or "").strip(),
                name=form.name.data, description=form.description.data,
                original_language=form.original_language.data)


@bp.route("/groups/new", methods=["GET", "POST"])
def new_group() -> Response | str | tuple[str, int]:
    council = current_council()
    require(current_user, "group.manage", council.id)
    form = GroupForm()
    return submit_form(
        form, lambda: render_template("directory/group_form.html", form=form, group=None),
        lambda: services.create_group(current_user, council, **_group_form_values(form)),  # type: ignore[arg-type]
        _("Working group created."), lambda created: url_for(".group", group_id=created.id))


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
def edit_group(group_id: int) -> Response | str | tuple[str, int]:
    working_group = services.get_in_council(WorkingGroup, group_id, current_user.council_id)
    require(current_user, "group.manage", working_group.council_id)
    form = GroupForm(obj=working_group)
    return submit_form(
        form, lambda: render_template("directory/group_form.html", form=form, group=working_group),
        lambda: services.update_group(current_user, working_group, active=form.active.data,
                                      **_group_form_values(form)),  # type: ignore[arg-type]
        _("Working group saved."), lambda _saved: url_for(".group", group_id=working_group.id))


@bp.post("/groups/<int:group_id>/members")
def add_member(group_id: int) -> Response | str | tuple[str, int]:
    working_group = services.get_in_council(WorkingGroup, group_id, current_user.council_id)
    require(current_user, "membership.manage", working_group)
    form = _membership_form(working_group)
    person = db.session.get(User, form.user_id.data) if form.validate_on_submit() else None
    try:
        if person is None:
            form.user_id.errors = [*form.user_id.errors, _("Choose a person.")]
            raise _FormRefused
        services.add_member(current_user, working_group, person, GroupRole(form.role.data))
    except NotAllowed:
        db.session.rollback()
        raise
    except (DomainError, _FormRefused) as error:
        db.session.rollback()
        if isinstance(error, DomainError):
            show_error(form, error)
        return _group_page(working_group, form)
    db.session.commit()
    flash(_("Member added."), "success")
    return redirect(url_for(".group", group_id=working_group.id))


class _FormRefused(Exception):
    """The form itself was invalid before any service was asked."""


def _membership(group_id: int, membership_id: int) -> Membership:
    working_group = services.get_in_council(WorkingGroup, group_id, current_user.council_id)
    membership = db.get_or_404(Membership, membership_id)
    if membership.group_id != working_group.id:
        abort(404)
    return membership


@bp.post("/groups/<int:group_id>/members/<int:membership_id>/role")
def change_member_role(group_id: int, membership_id: int) -> Response:
    membership = _membership(group_id, membership_id)
    require(current_user, "membership.manage", membership.group)
    form = MemberRoleForm()
    try:
        if not form.validate_on_submit():
            raise DomainError(_("Choose a role."), field="role")
        services.change_member_role(current_user, membership, GroupRole(form.role.data))
        db.session.commit()
        flash(_("Role changed."), "success")
    except NotAllowed:
        db.session.rollback()
        raise
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".group", group_id=group_id), code=303)
    return redirect(url_for(".group", group_id=group_id))


@bp.post("/groups/<int:group_id>/members/<int:membership_id>/remove")
def remove_member(group_id: int, membership_id: int) -> Response:
    membership = _membership(group_id, membership_id)
    services.remove_member(current_user, membership)
    db.session.commit()
    flash(_("Member removed."), "success")
    return redirect(url_for(".group", group_id=group_id))


# Organisations ----------------------------------------------------------------------------------


def _organisation_form(obj: Organisation | None = None) -> OrganisationForm:
    form = OrganisationForm(obj=obj)
    countries = db.session.scalars(select(Country).order_by(Country.code))
    form.country_code.choices = choice_needed([option(c.code, plain_localized(c.name)) for c in countries])
    regions = db.session.scalars(select(Region).order_by(Region.country_code, Region.code))
    form.region_id.choices = [option("", "—")] + [option(r.id, plain_localized(r.name)) for r in regions]
    return form


@bp.get("/organisations")
def organisations() -> str:
    council = current_council()
    filters = dict(country=request.args.get("country") or None, region_id=arg_int("region"),
                   kind=known_choice("kind", request.args.get("kind"),
                                     {kind.value for kind in OrganisationKind}.__contains__),
                   text=request.args.get("q") or None)
    page = paginate(services.organisations_query(council.id, **filters)  # type: ignore[arg-type]
                    .options(selectinload(Organisation.region)))
    return render_template("directory/organisations.html", page=page, filters=filters,
                           countries=db.session.scalars(select(Country)).all(),
                           regions=db.session.scalars(select(Region).order_by(Region.code)).all(),
                           kinds=list(OrganisationKind))


@bp.get("/organisations/<int:organisation_id>")
def organisation(organisation_id: int) -> str:
    record = services.get_in_council(Organisation, organisation_id, current_user.council_id)
    people = db.session.scalars(select(User).where(User.organisation_id == record.id)
                                .order_by(User.name)).all()
    return render_template("directory/organisation.html", organisation=record, people=people)


def _organisation_values(form: OrganisationForm) -> dict[str, object]:
    return dict(code=(form.code.data or "").strip(), kind=OrganisationKind(form.kind.data),
                country_code=form.country_code.data, region_id=form.region_id.data,
                name=form.name.data, original_language=form.original_language.data,
                website=form.website.data)


@bp.route("/organisations/new", methods=["GET", "POST"])
def new_organisation() -> Response | str | tuple[str, int]:
    council = current_council()
    require(current_user, "organisation.manage", council.id)
    form = _organisation_form()
    return submit_form(
        form, lambda: render_template("directory/organisation_form.html", form=form, organisation=None),
        lambda: services.create_organisation(current_user, council,
                                             **_organisation_values(form)),  # type: ignore[arg-type]
        _("Organisation created."), lambda created: url_for(".organisation", organisation_id=created.id))


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
def edit_organisation(organisation_id: int) -> Response | str | tuple[str, int]:
    record = services.get_in_council(Organisation, organisation_id, current_user.council_id)
    require(current_user, "organisation.manage", record.council_id)
    form = _organisation_form(record)
    return submit_form(
        form, lambda: render_template("directory/organisation_form.html", form=form, organisation=record),
        lambda: services.update_organisation(current_user, record,
                                             **_organisation_values(form)),  # type: ignore[arg-type]
        _("Organisation saved."), lambda _saved: url_for(".organisation", organisation_id=record.id))


# People -----------------------------------------------------------------------------------------


@bp.get("/people")
def people() -> str:
    council = current_council()
    filters = dict(organisation_id=arg_int("organisation"),
                   country=request.args.get("country") or None, text=request.args.get("q") or None)
    page = paginate(services.people_query(
        council.id, **filters,  # type: ignore[arg-type]
        search_emails=can(current_user, "person.see_email", services.AnyoneOf(council.id)))
        .options(selectinload(User.organisation)))
    return render_template("directory/people.html", page=page, filters=filters,
                           countries=db.session.scalars(select(Country)).all())


@bp.get("/people/<int:person_id>")
def person(person_id: int) -> str:
    record = services.get_in_council(User, person_id, current_user.council_id)
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == record.id)
                                     .options(selectinload(Membership.group))).all()
    return render_template("directory/person.html", person=record, memberships=memberships,
                           form=_person_role_form(record))


def _role_choices(form_role: Any) -> None:
    """Only administrators are offered the administrator role; a forged choice is refused by the
    service with a 403 that says who can (the field accepts any platform role, see the forms)."""
    if not can(current_user, "admin.grant", current_user.council_id):
        form_role.choices = [choice for choice in form_role.choices
                             if choice.value != PlatformRole.ADMIN.value]


def _organisation_options(council_id: int) -> list[Any]:
    """A person's organisation: none, or one by country, the international ones apart."""
    return [option("", "—"), *grouped_options(services.organisation_groups(
        services.council_organisations(council_id)))]


def _person_role_form(record: User) -> PersonRoleForm:
    form = PersonRoleForm(obj=record)
    if record.role != PlatformRole.ADMIN:
        _role_choices(form.role)
    form.organisation_id.choices = _organisation_options(record.council_id)
    return form


@bp.post("/people/<int:person_id>/role")
def change_person(person_id: int) -> Response | str | tuple[str, int]:
    record = services.get_in_council(User, person_id, current_user.council_id)
    require(current_user, "person.manage", record)
    form = _person_role_form(record)
    try:
        if not form.validate_on_submit():
            raise DomainError(_("Check the highlighted fields."))
        services.update_person_role(current_user, record, role=PlatformRole(form.role.data),
                                    organisation_id=form.organisation_id.data,
                                    active=form.active.data)
    except DomainError as error:
        return refuse_form(form, error, lambda: render_template("directory/person.html", form=form,
                                                                person=record, memberships=[]))
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".person", person_id=record.id))


@bp.route("/people/invite", methods=["GET", "POST"])
def invite() -> Response | str | tuple[str, int]:
    council = current_council()
    require(current_user, "person.invite", council.id)
    form = InvitationForm()
    form.organisation_id.choices = _organisation_options(council.id)
    _role_choices(form.role)
    # The invitation e-mail leaves through the outbox once the flow commits.
    return submit_form(
        form, lambda: render_template("directory/invite.html", form=form),
        lambda: auth_services.invite_person(
            current_user, council, email=form.email.data or "", name=form.name.data or "",
            organisation_id=form.organisation_id.data, role=PlatformRole(form.role.data),
            language=form.language.data or LANGUAGES[0]),
        lambda invited: _("Invitation sent to %(email)s.", email=invited.email),
        lambda invited: url_for(".person", person_id=invited.id))


@bp.route("/profile", methods=["GET", "POST"])
def profile() -> Response | str | tuple[str, int]:
    form = ProfileForm(obj=current_user)
    return submit_form(
        form, lambda: render_template("directory/profile.html", form=form, **token_section(),
                                      **security_section(current_user)),
        lambda: services.update_profile(current_user, current_user, name=form.name.data or "",
                                        position=form.position.data, language=form.language.data or "",
                                        time_zone=form.time_zone.data or ""),
        _("Profile saved."), lambda _saved: url_for(".profile"))
