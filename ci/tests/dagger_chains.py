"""Reading the lazily built query of a Dagger object, and a recording stand-in for the engine.

Every API object keeps the GraphQL fields selected so far (`obj._ctx.selections`: Field(type_name, name,
args)). Nothing runs until a leaf is awaited (`sync`, `stdout`, `start`, `publish`...): `FakeEngine` replaces
exactly those leaves, records which object was awaited, and answers with canned values. Everything the
pipeline code builds before that point is the real SDK.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import dagger
import pytest
from dagger import dag
from dagger.client.base import Type
from todo.main import Todo

REVISION = "0123456789abcdef0123456789abcdef01234567"

Call = tuple[str, dict[str, Any]]


def pipeline(source: dagger.Directory | None = None, **options: str) -> Any:
    """A `Todo` as the engine would construct it (typed Any: the SDK's decorators hide its fields and
    its functions' return types from mypy)."""
    git = dag.git("https://example.invalid/todo.git").head()
    return cast(Any, Todo)(source=source or dag.directory(), git=git, **options)


def chain(obj: Type) -> list[Call]:
    """The fields selected on `obj`, oldest first: [("from", {"address": ...}), ("withExec", {...}), ...]."""
    return [(f.name, f.args) for f in obj._ctx.selections]


def calls(obj: Type, name: str) -> list[dict[str, Any]]:
    return [args for field_name, args in chain(obj) if field_name == name]


def one(obj: Type, name: str) -> dict[str, Any]:
    found = calls(obj, name)
    assert len(found) == 1, f"expected one {name} in {chain(obj)}"
    return found[0]


def execs(obj: Type) -> list[list[str]]:
    return [args["args"] for args in calls(obj, "withExec")]


def base_image(obj: Type) -> str:
    return str(one(obj, "from")["address"])


def env(obj: Type) -> dict[str, str]:
    return {a["name"]: a["value"] for a in calls(obj, "withEnvVariable")}


def bindings(obj: Type) -> dict[str, Any]:
    return {a["alias"]: a["service"] for a in calls(obj, "withServiceBinding")}


def flag_value(argv: list[str], flag: str) -> str:
    assert flag in argv, f"{flag} missing from {argv}"
    return argv[argv.index(flag) + 1]


def canned_output(ctr: dagger.Container) -> str:
    return f"output of {execs(ctr)[-1] if execs(ctr) else 'nothing'}"


@dataclass
class FakeEngine:
    """Records the awaited leaves; `exit_code` decides each exec's exit code from its container, `output` its
    stdout and combined output."""

    awaited: list[tuple[str, Any, tuple[Any, ...]]] = field(default_factory=list)
    exit_code: Callable[[dagger.Container], int] = lambda _ctr: 0
    output: Callable[[dagger.Container], str] = canned_output
    user: str = "10001:10001"
    globbed: list[str] = field(default_factory=lambda: ["values.yaml", "values-minikube.yaml"])
    sarif: str = '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Trivy"}}, "results": []}]}'

    def of(self, method: str) -> list[Any]:
        return [obj for name, obj, _ in self.awaited if name == method]

    def args_of(self, method: str) -> list[tuple[Any, ...]]:
        return [args for name, _, args in self.awaited if name == method]

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def record(method: str, result: Callable[..., Any]) -> Callable[..., Any]:
            async def leaf(obj: Any, *args: Any, **kwargs: Any) -> Any:
                self.awaited.append((method, obj, args + tuple(kwargs.values())))
                return result(obj, *args, **kwargs)

            return leaf

        def output(ctr: dagger.Container) -> str:
            return self.output(ctr)

        patches: dict[tuple[type, str], Callable[..., Any]] = {
            (dagger.GitRef, "commit"): lambda _ref: REVISION,
            (dagger.Container, "sync"): lambda ctr: ctr,
            (dagger.Container, "exit_code"): lambda ctr: self.exit_code(ctr),
            (dagger.Container, "stdout"): output,
            (dagger.Container, "combined_output"): output,
            (dagger.Container, "user"): lambda _ctr: self.user,
            (dagger.Container, "export_image"): lambda _ctr, _name: None,
            (dagger.Container, "publish"): lambda _ctr, address: f"{address}@sha256:{'ab' * 32}",
            (dagger.Service, "start"): lambda svc: svc,
            (dagger.Service, "stop"): lambda svc: svc,
            (dagger.Directory, "glob"): lambda _dir, _pattern: list(self.globbed),
            (dagger.File, "contents"): lambda _file: self.sarif,
        }
        for (cls, method), result in patches.items():
            monkeypatch.setattr(cls, method, record(f"{cls.__name__}.{method}", result))


def containers_running(engine: FakeEngine, argv_prefix: list[str]) -> Iterator[dagger.Container]:
    """Every awaited container whose last exec starts with `argv_prefix` (one per await, deduplicated)."""
    seen: set[int] = set()
    for name, obj, _ in engine.awaited:
        if (
            name.startswith("Container.")
            and id(obj) not in seen
            and execs(obj)
            and execs(obj)[-1][: len(argv_prefix)] == argv_prefix
        ):
            seen.add(id(obj))
            yield obj
