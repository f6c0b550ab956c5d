"""The one place that answers "may this user do this to that".

Each domain registers its rules here by action name with @rule; views, services, the API and templates
all ask can() or require(). Administrators may do everything, except what a rule registered with
`binds_admins=True` refuses them too (four-eyes: nobody verifies their own report); inactive and
anonymous users nothing beyond what the public portal shows.

A refusal says who can, in one wording: "Only the council's secretaries or the co-chairs of the Trade
working group can do this." Each rule names, next to its check, `who` may (the people its check lets
through, named for this target); a rule whose refusal needs more than that (four eyes: "you reported
it yourself") registers its own `refusal` sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import select

from council.directory.models import GroupRole, Membership, PlatformRole, User
from council.errors import NotAllowed
from council.extensions import db
from council.i18n import plain_localized

Rule = Callable[[User, Any], bool]
# The refusal's words, made when refusing (in the reader's language): a sentence, or one per case.
Refusal = Callable[[User, Any], str]
# Who the rule lets through, for this target, each kind of person named in the reader's language.
Who = Callable[[Any], list[str]]
_rules: dict[str, Rule] = {}
_refusals: dict[str, Refusal] = {}
_binding_on_admins: set[str] = set()


def rule(action: str, *, who: Who | None = None, refusal: Refusal | None = None,
         binds_admins: bool = False) -> Callable[[Rule], Rule]:
    def register(check: Rule) -> Rule:
        _rules[action] = check
        if refusal is not None:
            _refusals[action] = refusal
        elif who is not None:
            _refusals[action] = lambda user, target: only(who(target))
        if binds_admins:
            _binding_on_admins.add(action)
        return check

    return register


def only(who: list[str]) -> str:
    """The one wording of a refusal: "Only A, B or C can do this." """
    return _("Only %(who)s can do this.", who=either(who))


def either(names: list[str]) -> str:
    """"A", "A or B", "A, B or C", in the reader's language."""
    if len(names) < 2:
        return "".join(names)
    return _("%(some)s or %(last)s", some=", ".join(names[:-1]), last=names[-1])


# Who may: the kinds of people rules let through, named as a refusal names them.


def secretaries(_target: Any = None) -> list[str]:
    return [_("the council's secretaries")]


def administrators(_target: Any = None) -> list[str]:
    return [_("the platform's administrators")]


def council_people(_target: Any = None) -> list[str]:
    return [_("the people of this council")]


def any_co_chairs(_target: Any = None) -> list[str]:
    return [_("the co-chairs of the working groups")]


def co_chairs_of(group: Any) -> str:
    return _("the co-chairs of the %(group)s working group",
             group=plain_localized(group.name, group.original_language))


def can(user: Any, action: str, target: Any = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role == PlatformRole.ADMIN and action not in _binding_on_admins:
        return True
    return _rules[action](user, target)


def refusal(user: Any, action: str, target: Any = None) -> str:
    """Why `action` is refused, saying who can; a general sentence for rules without their own."""
    explain = _refusals.get(action)
    if explain is None or user is None or not getattr(user, "is_authenticated", False):
        return _("You do not have permission to do this.")
    return explain(user, target)


def require(user: Any, action: str, target: Any = None) -> None:
    """Raise NotAllowed (403) unless the user may do `action` to `target`."""
    if not can(user, action, target):
        raise NotAllowed(refusal(user, action, target))


# Asked for, and registered ------------------------------------------------------------------------

# can(user, "action", …), require(…) and refusal(…) in Python; can('action', …) in templates.
_ASKED_IN_CODE = re.compile(
    r"""\b(?:can|require|refusal)\(\s*[\w.]+(?:\(\))?,\s*["']([a-z_]+\.[a-z_.]+)["']""")
_ASKED_IN_TEMPLATES = re.compile(r"""\bcan\(\s*["']([a-z_]+\.[a-z_.]+)["']""")


@cache
def asked_actions(code: Path, templates: Path) -> frozenset[str]:
    """Every action the code and the templates ask about by name (read once per process)."""
    asked: set[str] = set()
    for path in code.rglob("*.py"):
        asked.update(_ASKED_IN_CODE.findall(path.read_text(encoding="utf-8")))
    for path in templates.rglob("*.html"):
        asked.update(_ASKED_IN_TEMPLATES.findall(path.read_text(encoding="utf-8")))
    return frozenset(asked)


def check_registered(asked: Iterable[str]) -> None:
    """Stop the start-up when an action is asked about that no rule answers: otherwise the first page
    that asks would fail with a KeyError (a 500)."""
    missing = sorted(set(asked) - _rules.keys())
    if missing:
        raise RuntimeError(f"Permission asked for but no rule registered: {', '.join(missing)}")


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


def in_council(user: User, council_id: int | None) -> bool:
    return user.council_id == council_id


# Directory rules --------------------------------------------------------------------------------


@rule("directory.view", who=council_people)
def _view_directory(user: User, council_id: Any) -> bool:
    return council_id is None or in_council(user, council_id)


@rule("organisation.manage", who=secretaries)
def _manage_organisations(user: User, council_id: Any) -> bool:
    return is_secretary(user, council_id)


@rule("group.manage", who=secretaries)
def _manage_group(user: User, council_id: Any) -> bool:
    return is_secretary(user, council_id)


@rule("membership.manage", refusal=lambda user, group: _(
    "Only the council's secretaries and the group's co-chairs can manage its members."))
def _manage_membership(user: User, group: Any) -> bool:
    """Open the group's member list for changes: its secretaries, and its co-chairs (for their side)."""
    return is_secretary(user, group.council_id) or (in_council(user, group.council_id)
                                                    and is_co_chair(user, group.id))


@dataclass(frozen=True)
class MemberChange:
    """A change to one person's place in a group: adding, changing the role, removing."""

    group: Any  # WorkingGroup
    person: User
    role: GroupRole | None  # the person's role now (None: not a member yet)
    new_role: GroupRole | None  # the role asked for (None: removing)


def _member_change_refusal(user: User, change: MemberChange) -> str:
    if GroupRole.CO_CHAIR in (change.role, change.new_role):
        return _("Only the council's secretaries can appoint or replace a co-chair.")
    return _("A co-chair manages the members from their own side only; the council's secretaries "
             "manage both sides.")


@rule("membership.change", refusal=_member_change_refusal)
def _change_member(user: User, change: MemberChange) -> bool:
    """Parity: a co-chair manages the members of their own side only, and never a co-chair's seat;
    appointing or replacing a co-chair is for the council's secretaries."""
    group = change.group
    if is_secretary(user, group.council_id):
        return True
    if GroupRole.CO_CHAIR in (change.role, change.new_role):
        return False
    return in_council(user, group.council_id) and is_co_chair(user, group.id) \
        and user.country_code is not None and user.country_code == change.person.country_code


@rule("person.invite", who=secretaries)
def _invite_person(user: User, council_id: Any) -> bool:
    return is_secretary(user, council_id)


def _secretary_may_change(user: User, person: User) -> bool:
    """A secretary changes anyone of the council but an administrator or the other country's secretary."""
    if not is_secretary(user, person.council_id) or person.role == PlatformRole.ADMIN:
        return False
    return person.role != PlatformRole.SECRETARY or (
        person.country_code is not None and person.country_code == user.country_code)


def _person_refusal(user: User, person: User) -> str:
    if person.role == PlatformRole.ADMIN:
        return _("Only an administrator can change an administrator's account.")
    if person.role == PlatformRole.SECRETARY and person.id != user.id:
        return _("Only an administrator or a secretary of the same country can change a secretary's "
                 "account.")
    return _("Only the council's secretaries can change a person's role, organisation or access.")


@rule("person.edit", refusal=_person_refusal)
def _edit_person(user: User, person: Any) -> bool:
    return person.id == user.id or _secretary_may_change(user, person)


@rule("person.see_email")
def _see_email(user: User, person: Any) -> bool:
    """An e-mail address is for the secretariat (and admins) and the person; to everyone else a person
    is a name, a position and an organisation."""
    return person.id == user.id or is_secretary(user, person.council_id)


@rule("person.manage", refusal=_person_refusal)
def _manage_person(user: User, person: Any) -> bool:
    """Change someone's role, organisation or active flag: secretaries only, never themselves."""
    return person.id != user.id and _secretary_may_change(user, person)


@rule("admin.grant", refusal=lambda user, target: _(
    "Only an administrator can grant or remove administrator rights."))
def _grant_admin(user: User, target: Any) -> bool:
    """Make, invite, demote or deactivate an administrator: administrators only (can() lets them)."""
    return False
