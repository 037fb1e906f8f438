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
        errors = _leaves(failed)
        # One failure (the usual case) is reported as itself, not wrapped in a group.
        if len(errors) == 1:
            raise errors[0] from None
        # Several: each one's own text (the CLI would only say "unhandled errors in a TaskGroup").
        report = "\n\n".join(f"[{n}/{len(errors)}] {type(e).__name__}: {e}" for n, e in enumerate(errors, 1))
        raise RuntimeError(f"{len(errors)} parallel steps failed:\n\n{report}") from failed
    return [results[index] for index in range(len(calls))]


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    """The exceptions of a (possibly nested) group, in order."""
    found: list[BaseException] = []
    for error in group.exceptions:
        found.extend(_leaves(error) if isinstance(error, BaseExceptionGroup) else [error])
    return found
