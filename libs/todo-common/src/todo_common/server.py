"""How every Python service starts: settings, logging, then one uvicorn process that drains on SIGTERM."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable
from typing import TypeVar

import uvicorn
from starlette.types import ASGIApp

from .config import CommonSettings, ConfigurationError, load_settings
from .logging import configure_logging

S = TypeVar("S", bound=CommonSettings)


def run_service(service: str, settings_class: type[S], build_app: Callable[[S], ASGIApp]) -> None:
    try:
        settings = load_settings(settings_class)
    except ConfigurationError as exc:
        print(f"{service}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(service, settings.log_level, settings.log_format)
    logging.getLogger("todo").info("starting %s on %s:%d", service, settings.host, settings.port)
    app = build_app(settings)
    # Everything imported so far lives as long as the process: moved out of the collector's reach, a full
    # collection no longer walks it (a full collection was the tail latency of every request).
    gc.collect()
    gc.freeze()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
        timeout_keep_alive=30,
        # The compiled event loop and HTTP parser (pinned dependencies of todo-common), chosen explicitly so
        # that a missing one fails at start instead of silently falling back to the pure-Python ones.
        loop="uvloop",
        http="httptools",
    )
