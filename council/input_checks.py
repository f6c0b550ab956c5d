"""Input no database column can hold is refused at the door, for every route at once.

Two kinds reached the database and came back as a 500: ids beyond the integer range of a column
("Python int too large to convert to SQLite INTEGER", PostgreSQL's "integer out of range") and text with
a NUL byte (PostgreSQL stores no NUL in text). An id that large names nothing (404); a NUL in a query
argument, a form field or a JSON body is a 400 (422 on the API) naming the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, abort, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter, Map

from council.errors import DomainError, ValidationFailed

# The largest value of an integer column on PostgreSQL (ids, and every number a filter compares them to).
MAX_INT = 2_147_483_647
NUL = "\x00"


def numbers_up_to(limit: int) -> str:
    """A regular expression for the whole numbers 1..limit, written without leading zeros."""
    text = str(limit)
    options = [f"[1-9][0-9]{{0,{len(text) - 2}}}"] if len(text) > 1 else []
    for position, digit in enumerate(text):
        lowest = 1 if position == 0 else 0
        if int(digit) - 1 >= lowest:
            options.append(f"{text[:position]}[{lowest}-{int(digit) - 1}][0-9]{{{len(text) - position - 1}}}")
    return "(?:" + "|".join([*options, text]) + ")"


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a number an id column can hold. A larger one matches no route, so it is
    a 404 before any view or query runs.

    The bounds are in the pattern itself: Werkzeug matches a path by pattern first and checks a
    converter's bounds after, so `POST /commitments/0/progress-updates` matched the GET rule's pattern,
    failed the POST rule's bound, and was answered 405 ("use GET") for an address GET does not know."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = MAX_INT, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)
        if max is not None and not fixed_digits and not signed:
            self.regex = numbers_up_to(max) if min and min > 0 else f"(?:0|{numbers_up_to(max)})"


def bounded_int(name: str, value: str) -> int:
    """A whole number from a query argument, within the range of an integer column; else a 400 that
    names the argument."""
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not -MAX_INT <= number <= MAX_INT:
        raise DomainError(_("“%(name)s” must be a whole number no larger than %(max)s.", name=name,
                            max=format_decimal(MAX_INT)), field=name)
    return number


def _json_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every key and string of a JSON document, with the dotted name of the field it is in."""
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            yield name, str(key)
            yield from _json_strings(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item, path)
    elif isinstance(value, str):
        yield path, value


def _fields_with_nul() -> Iterator[tuple[str, bool]]:
    """(field name, is it the API) for each part of the request that holds a NUL byte."""
    api = request.path.startswith("/api/")
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            if NUL in name or NUL in value:
                yield name.replace(NUL, ""), api
    if api and request.is_json:
        for name, value in _json_strings(request.get_json(silent=True)):
            if NUL in value:
                yield name.replace(NUL, ""), api


def refuse_nul(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """No text with a NUL byte gets in: an address is not found, a field is named in the refusal."""
    if NUL in request.path or any(NUL in str(value) for value in (values or {}).values()):
        abort(404)
    for name, api in _fields_with_nul():
        error = ValidationFailed if api else DomainError
        raise error(_("“%(name)s” contains a NUL character, which cannot be saved. Remove it and "
                      "send again.", name=name), field=name)


def register_converters(app: Flask) -> None:
    """Before any blueprint: rules compile their converters when they are added."""
    app.url_map.converters["int"] = IdConverter


def register(app: Flask) -> None:
    # The application's URL value preprocessors run first of all, before a blueprint's (the portal's
    # loads its council from the address) and before any before_request.
    app.url_value_preprocessor(refuse_nul)
