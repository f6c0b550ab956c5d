"""The one place that answers "may this user do this to that".

Each domain registers its rules here by action name with @rule; views, services, the API and templates
all ask can() or require(). Administrators may do everything; inactive and anonymous users nothing
beyond what the public portal shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import select

from council.directory.models import GroupRole, Membership, PlatformRole, User
from council.errors import NotAllowed
from council.extensions import db

Rule = Callable[[User, Any], bool]
_rules: dict[str, Rule] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    def register(check: Rule) -> Rule:
        _rules[action] = check
        return check

    return register


def can(user: Any, action: str, target: Any = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role == PlatformRole.ADMIN:
        return True
    return _rules[action](user, target)


def require(user: Any, action: str, target: Any = None) -> None:
    """Raise NotAllowed (403) unless the user may do `action` to `target`."""
    if not can(user, action, target):
        raise NotAllowed(_("You do not have permission to do this."))


def registered_actions() -> list[str]:
    return sorted(_rules)


# Building blocks for rules ---------------------------------------------------------------------


def group_roles(user: User) -> dict[int, GroupRole]:
    """The user's role in each working group, read once per request."""
    cache_key = f"_group_roles_{user.id}"
    if has_request_context() and cache_key in g:
        return dict(g.get(cache_key))
    rows = db.session.execute(
        select(Membership.group_id, Membership.role).where(Membership.user_id == user.id))
    roles = {group_id: role for group_id, role in rows}
    if has_request_context():
        setattr(g, cache_key, roles)
    return roles


def forget_group_roles(user: User) -> None:
    if has_request_context():
        g.pop(f"_group_roles_{user.id}", None)


def is_secretary(user: User, council_id: int | None) -> bool:
    return user.role == PlatformRole.SECRETARY and user.council_id == council_id


def is_co_chair(user: User, group_id: int | None) -> bool:
    return group_id is not None and group_roles(user).get(group_id) == GroupRole.CO_CHAIR


def is_observer(user: User) -> bool:
    return user.role == PlatformRole.OBSERVER


def in_council(user: User, council_id: int | None) -> bool:
    return user.council_id == council_id


# Directory rules --------------------------------------------------------------------------------


@rule("directory.view")
def _view_directory(user: User, council_id: Any) -> bool:
    return council_id is None or in_council(user, council_id)


@rule("organisation.manage")
def _manage_organisations(user: User, council_id: Any) -> bool:
    return is_secretary(user, council_id)


@rule("group.manage")
def _manage_group(user: User, council_id: Any) -> bool:
    return is_secretary(user, council_id)


@rule("membership.manage")
def _manage_membership(user: User, group: Any) -> bool:
    return is_secretary(user, group.council_id) or is_co_chair(user, group.id)


@rule("person.invite")
def _invite_person(user: User, council_id: Any) -> bool:
    return is_secretary(user, council_id)


@rule("person.edit")
def _edit_person(user: User, person: Any) -> bool:
    return person.id == user.id or is_secretary(user, person.council_id)


@rule("person.see_email")
def _see_email(user: User, person: Any) -> bool:
    """An e-mail address is for the secretariat (and admins) and the person; to everyone else a person
    is a name, a position and an organisation."""
    return person.id == user.id or is_secretary(user, person.council_id)


@rule("person.manage")
def _manage_person(user: User, person: Any) -> bool:
    """Change someone's role, organisation or active flag: secretaries only, never themselves."""
    return is_secretary(user, person.council_id) and person.id != user.id
