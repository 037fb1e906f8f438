"""Registers the module the way the Dagger runtime does, without an engine, and prints what it would send.

The runtime imports the main object through `dagger.mod.cli.load_module()` (package from
DAGGER_DEFAULT_PYTHON_PACKAGE, class from DAGGER_MAIN_OBJECT) and then builds the module's type definitions
with the API. The only call that needs an engine is the final `Module.id()`: here it captures the lazily built
query instead, which is printed as JSON (one object per GraphQL field call, nested objects expanded).
Run by test_registration.py in a subprocess, with those variables set before `dagger.mod` is imported.
"""

import enum
import json
import sys
from typing import Any

import anyio
import dagger
from dagger.client.base import Type
from dagger.mod.cli import load_module

_captured: list[dagger.Module] = []


async def _capture_id(self: dagger.Module) -> str:
    _captured.append(self)
    return "module-id"


def plain(value: Any) -> Any:
    """The lazy query of an API object as JSON-ready data: [{"field": ..., "args": {...}}, ...]."""
    if isinstance(value, Type):
        return [{"field": f.name, "args": plain(f.args)} for f in value._ctx.selections]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def main() -> None:
    setattr(dagger.Module, "id", _capture_id)  # noqa: B010 - the one engine round-trip, replaced
    module = load_module()
    anyio.run(module._typedefs)
    json.dump(plain(_captured[0]), sys.stdout)


if __name__ == "__main__":
    main()
