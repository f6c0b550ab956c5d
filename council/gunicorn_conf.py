"""gunicorn's settings for the web processes:

    gunicorn -c python:council.gunicorn_conf --workers 2 'council:create_app()'

Each worker builds the app after it is forked, then sets its start-up objects aside from the garbage
collector (council/heap.py).
"""

from __future__ import annotations

from typing import Any

from council import heap


def post_worker_init(worker: Any) -> None:
    """gunicorn calls this in each worker once the app is loaded, before its first request."""
    heap.settle()
