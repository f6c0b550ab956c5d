"""What a person is told about an HTTP error, in their language: the pages and the API say the same."""

from __future__ import annotations

from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


def standard_message(status: int, error: HTTPException | None = None) -> str:
    """What a person is told about an HTTP error, in their language."""
    messages = {
        400: _("The request could not be understood."),
        401: _("Sign in first: send a personal access token as 'Authorization: Bearer <token>'."),
        403: _("You do not have permission to see this page."),
        404: _("There is nothing at this address."),
        405: _("This action is not available here."),
        410: _("This link is no longer valid."),
        412: _("The record has changed since you read it. Read it again (GET), then send your change "
               "with its new ETag in If-Match."),
        413: _("The file is too large."),
        415: _("Send the request body as JSON."),
        428: _("Send the record's ETag (from GET) in the If-Match header, so that nobody else's change "
               "is overwritten."),
        429: _("Too many attempts. Wait a minute and try again."),
    }
    if status in messages:
        return messages[status]
    return (error.description if error is not None else None) or _("Something went wrong.")


def standard_title(status: int) -> str:
    """The heading of an error page (werkzeug's `error.name` is English only)."""
    titles = {
        400: _("Bad request"),
        401: _("Sign-in required"),
        403: _("You do not have permission"),
        404: _("Page not found"),
        405: _("Not available"),
        410: _("Link no longer valid"),
        413: _("File too large"),
        415: _("Wrong format"),
        429: _("Too many attempts"),
    }
    return titles.get(status, _("Something went wrong"))


def missing_record(table: str) -> str:
    """What a missing (or hidden) record's page says: which kind of record does not exist."""
    messages = {
        "commitment": _("This commitment does not exist."),
        "recommendation": _("This recommendation does not exist."),
        "initiative": _("This initiative does not exist."),
        "milestone": _("This milestone does not exist."),
        "indicator": _("This indicator does not exist."),
        "observation": _("This value of the indicator does not exist."),
        "evidence": _("This evidence file does not exist."),
        "meeting": _("This session or meeting does not exist."),
        "organisation": _("This organisation does not exist."),
        "working_group": _("This working group does not exist."),
        "user": _("This person is not in the council's directory."),
    }
    return messages.get(table, _("There is nothing at this address."))
