"""The Celery app bound to the Flask app (Flask's own Celery pattern) and its beat schedule.

With COUNCIL_REDIS_URL unset, tasks run in-process (eager) through the same code paths, so a newcomer
needs no broker. With it set, Redis is the broker and a real worker runs them (workers/celery_app.py).
Beat's times are UTC; RedBeat stores the schedule in Redis. Digests and reminders run often and decide
for themselves who is due (07:00 in each person's time zone, the dates of commitments and meetings);
their records make a second run send nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    """Bind a Celery app to the Flask app (app.extensions["celery"]); its tasks run in an app context."""

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
    # The entry points live in workers/ (they call services; nothing here imports them): Celery's own
    # `imports` setting loads them, here for web processes too, which run them in-process without Redis.
    celery.loader.import_default_modules()

    app.extensions["celery"] = celery
    return celery


def beat_schedule(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "outbox-sweep": {"task": "council.notifications.sweep",
                         "schedule": float(config["OUTBOX_SWEEP_SECONDS"])},
        "webhook-sweep": {"task": "council.webhooks.sweep",
                          "schedule": float(config["OUTBOX_SWEEP_SECONDS"])},
        "digests": {"task": "council.digests.plan", "schedule": crontab(minute="*/15")},
        # Keys are answered for 24 hours; older ones are cleared whether or not their token comes back.
        "idempotency-keys": {"task": "council.api.clear_idempotency_keys", "schedule": crontab(minute=23)},
        "reminders": {"task": "council.reminders.send", "schedule": crontab(minute="7,37")},
        # 02:00 UTC on the first day of a quarter: 07:00 in Aktau and Ashgabat.
        "quarterly-reports": {"task": "council.reports.quarterly", "schedule": crontab(
            minute=0, hour=2, day_of_month=1, month_of_year="1,4,7,10")},
    }
