"""The Celery app for `celery -A workers.celery_app worker` and `beat`: the Flask app's own, built by
create_app (Flask's Celery pattern; council/celery.py configures it).
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import worker_init, worker_process_init

from council import create_app, heap

celery: Celery = create_app().extensions["celery"]


@worker_init.connect
@worker_process_init.connect
def _settle_heap(**_signal: Any) -> None:
    """The app is built: its objects are set aside from the garbage collector (council/heap.py), in the
    worker's main process and again in each pool process, before the first task."""
    heap.settle()
