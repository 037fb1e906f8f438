"""The images' targets: bytes an image may add above its base, seconds from `docker run` to ready."""

from __future__ import annotations

from .docker import PYTHON_SERVICES

MAX_BYTES_ABOVE_BASE = {"frontend": 60 * 10**6, **dict.fromkeys(PYTHON_SERVICES, 100 * 10**6)}
MAX_SECONDS_TO_READY = {"frontend": 2.0, **dict.fromkeys(PYTHON_SERVICES, 3.0)}
