"""Domain errors raised by services; views and the API turn them into 4xx answers with the message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """A request the rules refuse. `field` names the form field at fault, when there is one;
    `problems` holds every field error a service found in one pass (see `Problems`)."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems: list[DomainError] = [self]


class ValidationFailed(DomainError):
    status_code = 422


class NotAllowed(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    """The record is not in a state that allows this (a transition that is not allowed, a duplicate)."""

    status_code = 409


class Problems:
    """Every field error of one submission, raised once: a person fixes them all in one go instead of
    meeting them one round trip at a time.

        problems = Problems()
        code = problems.check(_code, code)            # None if refused; the refusal is kept
        problems.add(_("Enter the due date."), "due_date")
        problems.raise_any()                           # the first problem, carrying all of them

    Only errors about a field are collected; a refusal of permission or a missing record stops at once.
    """

    def __init__(self) -> None:
        self.found: list[DomainError] = []

    def add(self, message: str, field: str | None, kind: type[DomainError] = ValidationFailed) -> None:
        self.found.append(kind(message, field=field))

    def check(self, rule: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """The value `rule` returns, or None when it refuses a field (the refusal is kept)."""
        try:
            return rule(*args, **kwargs)
        except (ValidationFailed, Conflict) as error:
            if error.field is None:
                raise
            self.found.extend(error.problems)
            return None

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_any(self) -> None:
        """Raise the first problem found, with every other one attached; nothing if all is well."""
        if not self.found:
            return
        first = self.found[0]
        # A wrong field makes the submission unprocessable (422) even when another one clashes (409).
        error = next((p for p in self.found if isinstance(p, ValidationFailed)), first)
        error.problems = list(self.found)
        raise error
