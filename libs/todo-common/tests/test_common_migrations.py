"""Waiting for PostgreSQL before migrating: bounded retries with backoff, and a database that starts late."""

from __future__ import annotations

import threading
import time

import pytest
from todo_common.database import sqlalchemy_url
from todo_common.migrations import wait_for_database
from todo_testing.private_postgres import PrivatePostgres
from todo_testing.processes import free_port


def test_gives_up_after_the_attempts_with_a_clear_error() -> None:
    url = sqlalchemy_url(f"postgresql://todo:todo@127.0.0.1:{free_port()}/todo")
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="database not reachable after 3 attempts"):
        wait_for_database(url, attempts=3)
    # Two backoff sleeps, 0.25 and 0.5 seconds.
    assert time.monotonic() - started >= 0.75


def test_waits_for_a_database_that_starts_later() -> None:
    with PrivatePostgres() as cluster:
        cluster.stop()
        outcome: list[BaseException | None] = []

        def wait() -> None:
            try:
                wait_for_database(sqlalchemy_url(cluster.url), attempts=10)
            except BaseException as exc:
                outcome.append(exc)
            else:
                outcome.append(None)

        waiter = threading.Thread(target=wait)
        waiter.start()
        time.sleep(1.0)
        assert waiter.is_alive()  # still polling while nothing listens
        cluster.start()
        waiter.join(timeout=30)
        assert outcome == [None]
