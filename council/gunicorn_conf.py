"""gunicorn's settings for the web processes:

    gunicorn -c python:council.gunicorn_conf --workers 2 'council:create_app()'

Each worker runs two threads (`gthread`): while one waits for PostgreSQL or Redis (ten-odd round trips
a page, longer when they are on another host), the other uses the core, and a client sending its
request slowly holds one thread, not the worker. A worker takes a connection only when a thread is free
to serve it, and closes it after the answer, as a `sync` worker does: connections then go to whichever
worker is free. Left to take every waiting connection and keep it, one worker took 40 to 48 of 50
clients and kept them: half the pages came in 0.1 s and the rest in 1.1-1.5 s. Measured with
bench/load.py, 50 clients without pause, two workers on two cores, PostgreSQL and Redis on the same
machine, against `sync` workers, on average: 7 % more pages a second, p95 740 ms against 810, p99 950
against 1,060 (bench/README.md, "Issue 17, 2026-12-08: two threads per web worker").

The app keeps nothing of one request where another thread could read it: the database session, the
person and the language are the request's own, and the values a process keeps are behind a lock
(council/generations.py's `Local`). Each worker builds the app after it is forked, then sets its
start-up objects aside from the garbage collector (council/heap.py).
"""

from __future__ import annotations

from typing import Any

from council import heap

worker_class = "gthread"
threads = 2
worker_connections = threads  # a connection only when a thread is free for it
# "Connection: close" after each answer. Kept connections stay with the worker that took them, however
# busy it is; and one closed after a few idle seconds meets the next request of a client that paused
# that long (bench/faults.py, pauses of 1-3 s and gunicorn's 2 s: 3 connection errors in 2,000 requests).
keepalive = 0


def post_worker_init(worker: Any) -> None:
    """gunicorn calls this in each worker once the app is loaded, before its first request."""
    heap.settle()
