"""/healthz: the database answers, and Redis too when it is configured; the answer names what is down."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import literal, select
from werkzeug.wrappers import Response

from council.extensions import db, limiter

bp = Blueprint("health", __name__)


def dependency_checks() -> dict[str, str]:
    """Each dependency: "ok", or "error: <kind>" (what an operator needs to know first)."""
    checks: dict[str, str] = {}
    try:
        # Built, not written as text: a health check every few seconds leaves the connection's
        # prepared statements alone (council/read_transactions.py).
        db.session.execute(select(literal(1)))
        checks["database"] = "ok"
    except Exception as error:  # any failure means unhealthy, and the reason is what operators need
        checks["database"] = f"error: {error.__class__.__name__}"
    finally:
        try:
            db.session.rollback()
        except Exception:  # a dead connection has nothing to roll back
            db.session.close()
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except redis.RedisError as error:
            checks["redis"] = f"error: {error.__class__.__name__}"
    return checks


@bp.get("/healthz")
@limiter.exempt
def healthz() -> tuple[Response, int, dict[str, str]]:
    checks = dependency_checks()
    down = sorted(name for name, value in checks.items() if value != "ok")
    headers = {"Retry-After": str(int(current_app.config["DATABASE_RETRY_AFTER_SECONDS"]))} if down else {}
    return jsonify(status="error" if down else "ok", down=down, checks=checks), 503 if down else 200, headers
