"""Who may generate the progress report: the council's secretaries for the council or any group, a
co-chair for their own working group. A version is read by whoever may generate its scope."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from council.auth.permissions import can, in_council, is_co_chair, is_secretary, rule
from council.directory.models import User, WorkingGroup
from council.tracker.permissions import co_chaired_groups


def _refusal(user: User, target: Any) -> str:
    return _("Only the council's secretaries, or a working group's co-chairs for their group, can "
             "generate the progress report.")


@rule("report.generate", refusal=_refusal)
def _generate(user: User, target: Any) -> bool:
    """`target`: a working group, or a council id for the council-wide report (secretaries)."""
    if isinstance(target, WorkingGroup):
        return is_secretary(user, target.council_id) or (
            in_council(user, target.council_id) and is_co_chair(user, target.id))
    return is_secretary(user, target)


def may_generate_any(user: User) -> bool:
    """Whether the report's pages are for this person: a secretary, an administrator or a co-chair."""
    return can(user, "report.generate", user.council_id) or (
        user.is_authenticated and user.active and bool(co_chaired_groups(user)))


@rule("report.publish", refusal=lambda user, target: _(
    "Only the council's secretaries can publish a report on the public portal."))
def _publish(user: User, council_id: Any) -> bool:
    return is_secretary(user, council_id)
