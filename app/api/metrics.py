"""Prometheus metrics of one service process, served at ``GET /metrics``.

Each application has its own ``CollectorRegistry`` (two apps in one process, as in the tests,
never share counters). The figures are per process: scrape every replica (and run one worker
per replica) rather than a load balancer that answers from a different process each time.

* ``canonym_http_requests_total{method, route, status}``: requests answered; ``route`` is the
  route's template (``/v1/entities/{entity_id}``), never the raw path, so ids cannot multiply
  the series; requests that match no route count as ``unmatched``.
* ``canonym_http_request_duration_seconds{method, route}``: a histogram of answer times.
* ``canonym_http_requests_in_progress``: requests being answered.
* ``canonym_names_processed_total{operation}``: names normalized, compared (two per pair),
  clustered and resolved.
* ``canonym_ready``, ``canonym_index_entities``, ``canonym_index_aliases``,
  ``canonym_registry_version`` (the last change of the registry's log in this process's index),
  ``canonym_registry_sync_failures_total``, ``canonym_registry_last_sync_timestamp_seconds``:
  read from the registry when scraped.
* ``canonym_build_info{version}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from app import __version__

__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "ServiceFigures"]

# From a cached resolve (about a millisecond) to a large cluster or import request.
LATENCY_BUCKETS_SECONDS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
)


@dataclass(frozen=True, slots=True)
class ServiceFigures:
    """The state of the process's registry at the moment of a scrape."""

    ready: bool
    index_entities: int = 0
    index_aliases: int = 0
    registry_version: int = 0
    sync_failures: int = 0
    last_sync_timestamp_seconds: float | None = None


class _FiguresCollector(Collector):
    def __init__(self, figures: Callable[[], ServiceFigures]) -> None:
        self._figures = figures

    def collect(self) -> Iterator[Metric]:
        f = self._figures()
        yield GaugeMetricFamily(
            "canonym_ready", "1 once the matcher and the registry's index are loaded.", f.ready
        )
        yield GaugeMetricFamily(
            "canonym_index_entities", "Entities in this process's index.", f.index_entities
        )
        yield GaugeMetricFamily(
            "canonym_index_aliases", "Live aliases in this process's index.", f.index_aliases
        )
        yield GaugeMetricFamily(
            "canonym_registry_version",
            "Number of the last registry change this process's index reflects.",
            f.registry_version,
        )
        yield CounterMetricFamily(
            "canonym_registry_sync_failures",
            "Polls of the registry's change log that failed.",
            f.sync_failures,
        )
        if f.last_sync_timestamp_seconds is not None:
            yield GaugeMetricFamily(
                "canonym_registry_last_sync_timestamp_seconds",
                "Unix time of the last successful poll of the registry's change log.",
                f.last_sync_timestamp_seconds,
            )


class Metrics:
    """The metrics of one application (see the module docstring)."""

    def __init__(self, figures: Callable[[], ServiceFigures]) -> None:
        """Args:
        figures: reads the registry's state at scrape time.
        """
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "canonym_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "canonym_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ("method", "route"),
            buckets=LATENCY_BUCKETS_SECONDS,
            registry=self.registry,
        )
        self.in_progress = Gauge(
            "canonym_http_requests_in_progress",
            "HTTP requests being answered.",
            registry=self.registry,
        )
        self.names = Counter(
            "canonym_names_processed",
            "Names processed, by operation (a compared pair counts two).",
            ("operation",),
            registry=self.registry,
        )
        Info("canonym_build", "Version of the service.", registry=self.registry).info(
            {"version": __version__}
        )
        self.registry.register(_FiguresCollector(figures))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request and its duration."""
        self.requests.labels(method, route, str(status)).inc()
        self.request_seconds.labels(method, route).observe(seconds)

    def count_names(self, operation: str, count: int) -> None:
        """Count names processed by ``operation``."""
        self.names.labels(operation).inc(count)

    def render(self) -> bytes:
        """The metrics in Prometheus' text format."""
        return generate_latest(self.registry)
