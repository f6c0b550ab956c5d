"""A process's long-lived objects, put out of the garbage collector's sight once the process is ready.

A web or worker process builds the app before its first request or task: some 300,000 objects (modules,
the app, SQLAlchemy's mappers and Jinja's templates) that live as long as the process. CPython's
collector walks every one of them at each full collection, which comes whenever the objects that
survived earlier collections have grown by a quarter: a pause of 150–250 ms on these processes, in the
middle of someone's request or of a digest batch (bench/README.md, "Issue 17, 2026-12-07 morning").
gc.freeze() moves what exists at that moment into a generation the collector leaves alone; what is made
later is collected as before. Called by gunicorn's workers (council/gunicorn_conf.py) and Celery's
(workers/celery_app.py), never by create_app: tests build hundreds of apps in one process.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect what is garbage now, then freeze the rest (the process's start-up objects)."""
    gc.collect()
    gc.freeze()
