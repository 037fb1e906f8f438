"""Container system tests (marker `containers`): the images are built once per session through
scripts/build-images, then one hardened stack of containers is shared by the tests, each of which leaves it
healthy.

Environment:
  PYTHON_IMAGE / NODE_IMAGE   base images for the build (e.g. from airgap/offline-base-images); unset → the
                              Dockerfiles' pinned official images, which need a reachable registry
  POSTGRES_IMAGE              PostgreSQL image (default postgres:15-bookworm; offline: the stand-in)
  CONTAINER_TESTS_TAG         tag of the images under test (default containertest)
  CONTAINER_TESTS_SKIP_BUILD  1 → test the already built images with that tag
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from todo_testing.docker import build_images

from .limits import chart_limits
from .stack import ContainerStack, StackImages

HERE = Path(__file__).parent
STACK_KEY = pytest.StashKey[ContainerStack]()


# pytest-timeout counts fixture setup: the first test pays for building the images (minutes when cold).
SESSION_BUDGET_SECONDS = 2400


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.containers)
            item.add_marker(pytest.mark.timeout(SESSION_BUDGET_SECONDS))


@pytest.fixture(scope="session")
def images() -> StackImages:
    tag = os.environ.get("CONTAINER_TESTS_TAG", "containertest")
    if os.environ.get("CONTAINER_TESTS_SKIP_BUILD") != "1":
        build_images(tag)
    return StackImages(tag=tag, postgres=os.environ.get("POSTGRES_IMAGE", "postgres:15-bookworm"))


@pytest.fixture(scope="session")
def stack(images: StackImages, pytestconfig: pytest.Config) -> Iterator[ContainerStack]:
    running = ContainerStack(images=images, limits=chart_limits())
    pytestconfig.stash[STACK_KEY] = running
    try:
        running.start()
        yield running
    finally:
        running.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    running = config.stash.get(STACK_KEY, None)
    if running is None or not running.ready_seconds:
        return
    terminalreporter.section("container start to ready (s, every start in this session)")
    for service, seconds in running.ready_seconds.items():
        terminalreporter.write_line(f"{service:<11} " + " ".join(f"{s:.2f}" for s in seconds))
