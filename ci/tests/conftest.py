"""Offline tests of the Dagger module: the PyPI dagger-io (root `delivery` group) stands in for ci/sdk."""

import sys
from pathlib import Path

import pytest

CI_DIR = Path(__file__).resolve().parents[1]
# The module's package (`todo`, as the Dagger runtime installs it) and the helpers next to the tests.
for path in (CI_DIR / "src", CI_DIR / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from dagger_chains import FakeEngine  # noqa: E402


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine()
    fake.install(monkeypatch)
    return fake
