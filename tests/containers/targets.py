"""The images' targets: bytes an image may add above its base, seconds from `docker run` to ready."""

from __future__ import annotations

from todo_testing.catalog import components

# By runtime: Node (the web app) or Python.
MAX_BYTES_ABOVE_BASE = {c.name: 100 * 10**6 if c.python else 60 * 10**6 for c in components()}
MAX_SECONDS_TO_READY = {c.name: 3.0 if c.python else 2.0 for c in components()}
