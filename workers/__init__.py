"""Celery: the app bound to Flask's config, its beat schedule and task entry points."""
