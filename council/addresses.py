"""Absolute links into the app, always from COUNCIL_BASE_URL.

Never from the request's Host header: a request made with `Host: evil.example` must not make the app
e-mail a valid password-reset link to evil.example. Works without a request too (a worker).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme or "http")
    return str(adapter.build(endpoint, values, force_external=True))
