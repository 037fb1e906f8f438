"""What the suite needs from its environment, and what happens when it is missing.

By default a missing prerequisite (no cluster, no helm, no second image tag, no metrics API) skips the tests
that need it, saying why. With TODO_K8S_REQUIRED=1 (CI, `dagger call deploy`) it fails them instead: there,
a missing prerequisite is a broken setup, and a skipped suite must never pass for a proven deployment.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def required() -> bool:
    return os.environ.get("TODO_K8S_REQUIRED") == "1"


def unavailable(reason: str) -> NoReturn:
    if required():
        pytest.fail(f"{reason} (TODO_K8S_REQUIRED=1: a missing prerequisite fails the suite)", pytrace=False)
    pytest.skip(reason)
