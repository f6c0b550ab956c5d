"""gunicorn's settings for the web processes:

    gunicorn -c python:council.gunicorn_conf --workers 2 'council:create_app()'

Each worker runs two threads (`gthread`): while one waits for PostgreSQL or Redis, the other uses the
core, and a slow or idle connection waits in the worker's poller instead of holding the worker (a
`sync` worker serves one connection at a time, start to end). Measured with bench/load.py, 50 clients
without pause, two workers on two cores: 17 % more app pages a second than `sync` workers (93-101
against 77-84), the cores idle 4 % of the time instead of 10 %; four threads did worse (93 with a p99
over a second), the threads of a process sharing its interpreter (bench/README.md, "Issue 17,
2026-12-08: two threads per web worker"). The app keeps nothing of one request where another thread
could read it: the database session, the person and the language are the request's own, and the values
a process keeps are behind a lock (council/generations.py's `Local`).

Each worker builds the app after it is forked, then sets its start-up objects aside from the garbage
collector (council/heap.py).
"""

from __future__ import annotations

from typing import Any

from council import heap

worker_class = "gthread"
threads = 2
# How long an idle connection is kept for its next request (gunicorn's default is 2 s). A client that
# sends its next request just as the server closes the connection gets an error instead of an answer
# (browsers try again; scripts on the API may not): with 2 s, people pausing a second or three between
# pages met it (bench/faults.py, think 2 s: 3 connection errors in 2,000 requests). An idle connection
# waits in the worker's poller, not in a thread.
keepalive = 30


def post_worker_init(worker: Any) -> None:
    """gunicorn calls this in each worker once the app is loaded, before its first request."""
    heap.settle()
