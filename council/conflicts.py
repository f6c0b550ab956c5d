"""Duplicates the database refused, told as the services tell them: 409 and the field at fault.

Services check for a duplicate before they insert, but two requests can pass that check at the same
moment; the second one's INSERT then hits the unique constraint. `flush()` and the app's error handler
turn that IntegrityError into the same `Conflict` the pre-check raises, after rolling the session back,
so the person sees their form again with the message on the field instead of a 500.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from council.errors import Conflict
from council.extensions import db

# Constraint names as the naming convention spells them (see the migrations); field = the form field.
CONSTRAINTS: dict[str, tuple[str | None, LazyString]] = {
    "uq_organisation_council_id": ("code", _l("Another organisation already uses this code.")),
    "uq_working_group_council_id": ("slug", _l("Another working group already uses this value.")),
    "uq_user_email": ("email", _l("A person with this e-mail address is already registered.")),
    "uq_membership_group_id": ("user_id", _l("This person is already in the group.")),
    "uq_recommendation_council_id": ("code", _l("This code is already used.")),
    "uq_commitment_council_id": ("code", _l("This code is already used.")),
    "uq_initiative_council_id": ("code", _l("This code is already used.")),
    "uq_indicator_council_id": ("code", _l("This code is already used.")),
    "uq_observation_indicator_id": ("observed_on", _l("There is already a value for this date.")),
    "uq_invitation_meeting_user": ("invite_user_ids", _l("This person is already invited to the meeting.")),
    "uq_invitation_meeting_organisation": (
        "invite_organisation_ids", _l("This organisation is already invited to the meeting.")),
    "uq_attendance_meeting_user": ("present", _l("Attendance of this person is already recorded.")),
    "uq_minutes_approval_user": (None, _l("You have already approved this revision.")),
    "uq_minutes_approval_country": (
        None, _l("This revision already has an approval from this country.")),
}

# Any other unique constraint (numbers counted from the last one, random tokens): still a 409.
SAVED_MEANWHILE = _l("Someone has just saved the same record. Reload the page and check what is "
                     "there now.")

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)")


def _sqlite_constraint(message: str) -> str | None:
    """SQLite names the columns ("organisation.council_id, organisation.code"), not the constraint."""
    found = _SQLITE_UNIQUE.search(message)
    if not found:
        return None
    columns = [part.strip() for part in found.group(1).split(",")]
    table_name = columns[0].split(".", 1)[0]
    wanted = {column.split(".", 1)[-1] for column in columns}
    table = db.metadata.tables.get(table_name)
    if table is None:
        return ""
    for constraint in table.constraints:
        names = {column.name for column in getattr(constraint, "columns", ())}
        if names == wanted and constraint.name and str(constraint.name).startswith("uq_"):
            return str(constraint.name)
    return ""


def constraint_name(error: IntegrityError) -> str | None:
    """The unique constraint an IntegrityError broke; "" if unique but unnamed; None if not unique."""
    original: Any = error.orig
    diag = getattr(original, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg): 23505 is unique_violation
        if getattr(original, "sqlstate", None) != "23505":
            return None
        return str(diag.constraint_name or "")
    return _sqlite_constraint(str(original))


def conflict_for(error: IntegrityError) -> Conflict | None:
    """The Conflict a duplicate stands for, or None when the error is not a duplicate (a bug)."""
    name = constraint_name(error)
    if name is None:
        return None
    field, message = CONSTRAINTS.get(name, (None, SAVED_MEANWHILE))
    return Conflict(str(message), field=field)


def flush() -> None:
    """Flush; a duplicate another request saved meanwhile becomes a Conflict, the session rolled back
    (or, inside a savepoint, left for the caller to roll back to it)."""
    try:
        db.session.flush()
    except IntegrityError as error:
        # Inside a savepoint (a row of an import) the caller rolls back just that savepoint.
        if not db.session().in_nested_transaction():
            db.session.rollback()
        conflict = conflict_for(error)
        if conflict is None:
            raise
        raise conflict from error
