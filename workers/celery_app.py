"""The Celery app, configured from the Flask config (Flask's own Celery pattern).

With COUNCIL_REDIS_URL unset, tasks run in-process (eager) through the same code paths, so a newcomer
needs no broker. With it set, Redis is the broker and a real worker runs them.
Start a worker with: celery -A workers.celery_app worker --loglevel=info
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    from council.outages import DATABASE_ERRORS, OUTAGE, forget_transaction

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                try:
                    return self.run(*args, **kwargs)
                except DATABASE_ERRORS as error:
                    # The database is away: every task is safe to run again and the outbox keeps its
                    # rows, so the sweep picks them up once it is back. One log line per outage.
                    OUTAGE.refuse(error, "tasks are skipped until it is back; the outbox sweep catches up")
                    forget_transaction()
                    return "database unavailable"

    from workers.schedule import beat_schedule

    redis_url = app.config.get("REDIS_URL")
    celery = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=redis_url or "memory://localhost/",
        result_backend=None,
        task_always_eager=not redis_url,
        task_eager_propagates=False,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # On a lost broker connection, stop what runs: its unacknowledged message is delivered again,
        # and every task is safe to run twice (Celery 6's default, and no warning on each reconnect).
        worker_cancel_long_running_tasks_on_connection_loss=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 3600},
        timezone="UTC",
        imports=["workers.tasks"],
        task_default_queue=app.config.get("CELERY_QUEUE") or "celery",
        # RedBeat keeps the schedule and its lock in Redis: a second beat waits for the lock instead of
        # sending twice, and takes over within the lock's timeout if the first one dies. Ours also leaves
        # a heartbeat there for the admins' outbox page.
        redbeat_redis_url=redis_url,
        redbeat_redis_options={},  # not the broker's visibility timeout (RedBeat warns it will stop)
        redbeat_lock_timeout=app.config["BEAT_LOCK_SECONDS"],
        beat_max_loop_interval=app.config["BEAT_MAX_LOOP_SECONDS"],
        beat_scheduler="workers.beat:CouncilScheduler",
        beat_schedule=beat_schedule(app.config),
    )
    celery.conf.update(app.config.get("CELERY", {}))
    celery.set_default()
    import workers.tasks  # noqa: F401  (registers the shared tasks with this app, web processes too)

    app.extensions["celery"] = celery
    return celery


def _celery_from_factory() -> Celery:
    from council import create_app

    celery: Celery = create_app().extensions["celery"]
    return celery


celery_app: Celery | None = None


def __getattr__(name: str) -> Any:
    """`celery -A workers.celery_app` finds `celery` here; the Flask app is built on first use."""
    global celery_app
    if name == "celery":
        if celery_app is None:
            celery_app = _celery_from_factory()
        return celery_app
    raise AttributeError(name)
