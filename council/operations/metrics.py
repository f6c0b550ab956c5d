"""Prometheus metrics at /metrics (prometheus_client): request latency by endpoint, the outbox by state,
deliveries and failures, the beat and the queue.

Request latency is measured in each process; under gunicorn set PROMETHEUS_MULTIPROC_DIR (an empty
directory, shared by the workers) so that one scrape sees every worker's requests. The outbox figures
are read from the database at each scrape (the workers that send are other processes).
The page answers only a bearer token (COUNCIL_METRICS_TOKEN) or an address of the allow-list
(COUNCIL_METRICS_ALLOW, addresses or networks; loopback by default); to anyone else it does not exist.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Iterator
from typing import Any

from flask import Flask, current_app, g, request
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from council.timeutil import utcnow

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REQUEST_LATENCY = Histogram("council_request_duration_seconds", "Time to answer a request, by endpoint.",
                            ["endpoint", "method", "status"], buckets=LATENCY_BUCKETS)


class CouncilCollector(Collector):
    """The outbox, the beat and the queue, read when Prometheus scrapes (from the app's database)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        from council.operations import status

        with self.app.app_context():
            figures = status.outbox_figures()
            rows = GaugeMetricFamily("council_outbox_emails", "E-mail rows of the outbox, by state.",
                                     labels=["state"])
            for state, count in figures.by_state.items():
                rows.add_metric([state.value], count)
            yield rows
            yield CounterMetricFamily("council_emails_delivered", "E-mails the SMTP server accepted.",
                                      value=figures.by_state[status.DeliveryState.SENT])
            yield CounterMetricFamily("council_emails_failed", "E-mails given up after the last attempt.",
                                      value=figures.by_state[status.DeliveryState.FAILED])
            yield CounterMetricFamily("council_emails_in_doubt_resent",
                                      "E-mails sent again because their first attempt was in doubt.",
                                      value=figures.in_doubt_sends)
            yield GaugeMetricFamily("council_emails_failed_last_day", "E-mails marked failed in 24 h.",
                                    value=figures.failed_last_day)
            age = (utcnow() - figures.oldest_pending).total_seconds() if figures.oldest_pending else 0.0
            yield GaugeMetricFamily("council_outbox_oldest_pending_seconds",
                                    "Age of the oldest pending e-mail (0 when none).", value=age)
            if self.app.config.get("REDIS_URL"):
                from council.notifications import outbox

                ticked = outbox.last_beat()
                yield GaugeMetricFamily("council_beat_last_tick_timestamp_seconds",
                                        "When the beat last ticked (0: never, or Redis unreadable).",
                                        value=ticked.timestamp() if ticked else 0.0)
                length = status.queue_length()
                if length is not None:
                    yield GaugeMetricFamily("council_celery_queue_length", "Tasks waiting for a worker.",
                                            value=length)


def registry_for(app: Flask) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(CouncilCollector(app))
    return registry


def may_scrape() -> bool:
    """A bearer token equal to METRICS_TOKEN, or a client address in METRICS_ALLOW."""
    token = current_app.config.get("METRICS_TOKEN")
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip(), token):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False)
               for network in current_app.config["METRICS_ALLOW"])


def exposition(app: Flask) -> bytes:
    return generate_latest(app.extensions["council_metrics"])


def register(app: Flask) -> None:
    app.extensions["council_metrics"] = registry_for(app)

    @app.before_request
    def start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def observe(response: Any) -> Any:
        started = g.get("request_started")
        if started is not None and request.endpoint != "static":
            REQUEST_LATENCY.labels(request.endpoint or "unknown", request.method,
                                   str(response.status_code)).observe(time.perf_counter() - started)
        return response
