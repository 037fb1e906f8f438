"""Running independent engine calls concurrently (the engine schedules the work; we only await it)."""

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import anyio

T = TypeVar("T")


async def gather(calls: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    """The results of `calls`, in order, run concurrently; the first exception cancels the others."""
    results: dict[int, T] = {}

    async def run(index: int, call: Callable[[], Awaitable[T]]) -> None:
        results[index] = await call()

    try:
        async with anyio.create_task_group() as group:
            for index, call in enumerate(calls):
                group.start_soon(run, index, call)
    except ExceptionGroup as failed:
        # One failure (the usual case) is reported as itself, not wrapped in a group.
        if len(failed.exceptions) == 1 and isinstance(failed.exceptions[0], Exception):
            raise failed.exceptions[0] from None
        raise
    return [results[index] for index in range(len(calls))]
