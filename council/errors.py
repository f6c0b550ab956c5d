"""Domain errors raised by services; views and the API turn them into 4xx answers with the message."""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse. `field` names the form field at fault, when there is one."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    status_code = 422


class NotAllowed(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    """The record is not in a state that allows this (a transition that is not allowed, a duplicate)."""

    status_code = 409
