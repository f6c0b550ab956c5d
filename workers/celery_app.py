"""The Celery app for `celery -A workers.celery_app worker` and `beat`: the Flask app's own, built by
create_app (Flask's Celery pattern; council/celery.py configures it).
"""

from __future__ import annotations

from celery import Celery

from council import create_app

celery: Celery = create_app().extensions["celery"]
