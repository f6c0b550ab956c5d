"""What every API change shares: one transaction committed after the answer is made, Idempotency-Key
on POST, If-Match on PATCH, and ids in bodies that name the field when they are wrong.

A change's view calls the service, then `saved()`; `@change` commits when the answer is a success and
rolls back otherwise, so nothing is half-saved. The answer is serialised from what the database holds
(`saved()` expires the session), so the ETag of a PATCH answer is the ETag a GET returns next.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from flask import g, jsonify, request
from flask_babel import gettext as _
from marshmallow import Schema
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException
from werkzeug.http import generate_etag
from werkzeug.wrappers import Response

from council.api.errors import json_error
from council.api.models import ApiToken, IdempotentRequest
from council.errors import Conflict, ValidationFailed
from council.extensions import db
from council.timeutil import utcnow

IDEMPOTENCY_HEADER = "Idempotency-Key"
KEY_LIFETIME = timedelta(hours=24)
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as a header carries it safely
REPLAYED_HEADER = "Idempotent-Replayed"


class PreconditionRequired(HTTPException):
    code = 428
    description = "If-Match required."


class PreconditionFailed(HTTPException):
    code = 412
    description = "The record has changed."


def saved() -> None:
    """After the service: write, then read back what the database holds (for the answer and its ETag)."""
    db.session.flush()
    db.session.expire_all()


def change(view: Callable[..., Any]) -> Callable[..., Any]:
    """A write operation: commit on success, roll back otherwise; a POST honours Idempotency-Key.

    Placed right under the route decorator, so it wraps the whole flask-smorest view (arguments
    parsed, answer serialised) and sees the finished response."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(IDEMPOTENCY_HEADER) if request.method == "POST" else None
        try:
            if key is None:
                return _committed(view(*args, **kwargs))
            return _idempotent(key, lambda: view(*args, **kwargs))
        except BaseException:
            db.session.rollback()  # a refusal raised by a service or by the arguments: nothing is kept
            raise

    return wrapped


def _committed(response: Response) -> Response:
    if response.status_code < 400:
        db.session.commit()
        if request.method == "PATCH" and response.status_code == 200:
            response.add_etag()
    else:
        db.session.rollback()
    return response


def _fingerprint() -> str:
    """The request as the key must find it again: method, path and the JSON body in canonical form."""
    body: Any = request.get_json(silent=True)
    text = json.dumps(body, sort_keys=True, ensure_ascii=False) if body is not None \
        else request.get_data(as_text=True)
    return hashlib.sha256(f"{request.method} {request.path}\n{text}".encode()).hexdigest()


def _stored(token: ApiToken, key: str) -> IdempotentRequest | None:
    row: IdempotentRequest | None = db.session.scalar(select(IdempotentRequest).where(
        IdempotentRequest.token_id == token.id, IdempotentRequest.key == key,
        IdempotentRequest.created_at >= utcnow() - KEY_LIFETIME))
    return row


def _replay(row: IdempotentRequest, fingerprint: str) -> Response:
    if row.fingerprint != fingerprint:
        return json_error(422, _("This Idempotency-Key was already used for a different request. Use "
                                 "a new key for a new request."), field=IDEMPOTENCY_HEADER)
    response = Response(row.body or "", status=row.status or 200, mimetype="application/json")
    if row.location:
        response.headers["Location"] = row.location
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _idempotent(key: str, run: Callable[[], Response], attempt: int = 1) -> Response:
    if not KEY_PATTERN.match(key):
        return json_error(422, _("Use 1–255 visible ASCII characters (no spaces) for the "
                                 "Idempotency-Key."), field=IDEMPOTENCY_HEADER)
    token: ApiToken = g.api_token
    fingerprint = _fingerprint()
    row = _stored(token, key)
    if row is not None:
        db.session.rollback()
        return _replay(row, fingerprint)
    # Claim the key first, in the change's transaction: a concurrent request with the same key waits
    # on the unique constraint until this one commits, then finds and replays this answer.
    db.session.execute(delete(IdempotentRequest).where(
        IdempotentRequest.token_id == token.id, IdempotentRequest.created_at < utcnow() - KEY_LIFETIME))
    claim = IdempotentRequest(token_id=token.id, key=key, fingerprint=fingerprint, created_at=utcnow())
    db.session.add(claim)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        row = _stored(token, key)
        db.session.rollback()
        if row is None and attempt == 1:  # the other request was refused meanwhile: run this one
            return _idempotent(key, run, attempt + 1)
        if row is None:
            raise Conflict(_("Another request with this Idempotency-Key is being made. Wait a moment and "
                             "send it again."), field=IDEMPOTENCY_HEADER) from None
        return _replay(row, fingerprint)
    response = run()
    if response.status_code >= 400:
        # A refusal is not kept: nothing was made, and the request may be corrected and sent again.
        db.session.rollback()
        return response
    claim.status = response.status_code
    claim.body = response.get_data(as_text=True)
    claim.location = (response.headers.get("Location") or "")[:500] or None
    db.session.commit()
    return response


def clear_expired_keys(now: datetime | None = None, batch_size: int = 1000) -> int:
    """Delete the Idempotency-Keys older than KEY_LIFETIME, every token's, in batches of `batch_size`
    rows each committed on its own (short transactions: a busy table is never locked for long).
    Beat runs it hourly (`council.api.clear_idempotency_keys`); returns how many were deleted."""
    cutoff = (now or utcnow()) - KEY_LIFETIME
    deleted = 0
    while True:
        ids = list(db.session.scalars(select(IdempotentRequest.id).where(
            IdempotentRequest.created_at < cutoff).order_by(IdempotentRequest.id).limit(batch_size)))
        if not ids:
            db.session.rollback()
            return deleted
        db.session.execute(delete(IdempotentRequest).where(IdempotentRequest.id.in_(ids))
                           .execution_options(synchronize_session=False))
        db.session.commit()
        deleted += len(ids)


def require_current(schema: type[Schema], representation: Any) -> None:
    """If-Match must name the ETag of the record as GET shows it now: 428 without it, 412 when the
    record changed since (someone else's edit is never overwritten unseen)."""
    if not request.headers.get("If-Match"):
        raise PreconditionRequired()
    current = generate_etag(jsonify(schema().dump(representation)).get_data())
    if not request.if_match.contains(current) and not request.if_match.star_tag:
        raise PreconditionFailed()


def referenced(model: type[Any], record_id: int | None, council_id: int, field: str,
               message: str) -> Any:
    """A record named by id in a body: one of the council's, or a 422 naming the field (not a 404:
    the address was right, the body was not)."""
    if record_id is None:
        return None
    record = db.session.get(model, record_id)
    if record is None or getattr(record, "council_id", council_id) != council_id:
        raise ValidationFailed(message, field=field)
    return record


def merged(current: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """PATCH: the fields sent replace the record's; the others keep their value."""
    return {name: args.get(name, value) for name, value in current.items()}
