"""A trivial signed-in page of the app's layout, the yardstick the page targets are ratios of.

`GET /bench/trivial` signs nobody in and asks for nothing: it is base.html (navigation, language
switcher, the reader's name, the session and CSRF cookie work, the security headers) around one heading,
for a signed-in person. What a real page costs beyond it is what that page does. Added by the benches
only (bench/run.py in-process, bench/stack.py's gunicorn through `bench.trivial:create_app()`), never by
the app itself.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_login import login_required

import council
from bench import cpu

PATH = "/bench/trivial"
_SOURCE = ('{% extends "base.html" %}{% block title %}Bench{% endblock %}'
           '{% block content %}<h1>{{ current_user.name }}</h1>{% endblock %}')


def add_trivial_page(app: Flask) -> Flask:
    template = app.jinja_env.from_string(_SOURCE)  # compiled once, as a template file would be

    @login_required
    def trivial() -> str:
        context: dict[str, Any] = {}
        app.update_template_context(context)
        return template.render(context)

    app.add_url_rule(PATH, "bench_trivial", trivial)
    return app


def create_app() -> Flask:
    """The app as gunicorn runs it in bench/stack.py, with the trivial page; with BENCH_WEB_CPU_FOLDER
    set, each worker also writes there what each request cost it (bench/cpu.py's WebCpu)."""
    app = add_trivial_page(council.create_app())
    if folder := os.environ.get("BENCH_WEB_CPU_FOLDER"):
        app.wsgi_app = cpu.WebCpu(app.wsgi_app, Path(folder))  # type: ignore[method-assign]
    return app
