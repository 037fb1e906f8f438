"""parallel.gather: results in order, one failure as itself, several failures reported together."""

import anyio
import pytest
from todo.parallel import gather

pytestmark = pytest.mark.anyio


async def test_results_come_back_in_the_order_of_the_calls() -> None:
    async def after(delay: float, value: str) -> str:
        await anyio.sleep(delay)
        return value

    assert await gather([lambda: after(0.02, "a"), lambda: after(0, "b")]) == ["a", "b"]


async def test_one_failure_is_raised_as_itself() -> None:
    async def ok() -> str:
        return "ok"

    async def broken() -> str:
        raise ValueError("chart has no values files")

    with pytest.raises(ValueError, match=r"^chart has no values files$"):
        await gather([ok, broken])


async def test_several_failures_are_one_error_naming_each() -> None:
    async def fails(error: Exception) -> str:
        raise error

    async def fails_twice() -> str:
        raise ExceptionGroup("nested", [KeyError("registry"), OSError("disk full")])

    with pytest.raises(RuntimeError) as failed:
        await gather(
            [
                lambda: fails(ValueError("suite lint failed")),
                lambda: fails(RuntimeError("suite python failed")),
                fails_twice,
            ]
        )
    message = str(failed.value)
    assert message.startswith("4 parallel steps failed:")
    for text in (
        "ValueError: suite lint failed",
        "RuntimeError: suite python failed",
        "KeyError: 'registry'",
        "OSError: disk full",
    ):
        assert text in message
    assert not isinstance(failed.value, BaseExceptionGroup)
