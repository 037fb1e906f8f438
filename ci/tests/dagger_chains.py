"""Reading the lazily built query of a Dagger object, and a recording stand-in for the engine.

Every API object keeps the GraphQL fields selected so far (`obj._ctx.selections`: Field(type_name, name,
args)). Nothing runs until a leaf is awaited (`sync`, `stdout`, `start`, `publish`...): `FakeEngine` replaces
exactly those leaves, records which object was awaited, and answers with canned values, or, as the engine
does, raises `dagger.ExecError` when the object's last exec failed without `expect: ANY`. Everything the
pipeline code builds before that point is the real SDK.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import dagger
import gql
import pytest
from dagger import dag
from dagger._exceptions import _query_error_from_transport
from dagger.client.base import Type
from gql.transport.exceptions import TransportQueryError
from todo import catalog
from todo.main import Todo

REPO_ROOT = Path(__file__).resolve().parents[2]
CATALOG_TEXT = (REPO_ROOT / catalog.CATALOG_PATH).read_text()
# The repository's services, as the pipeline reads them from the source it is given.
SERVICES = catalog.parse(CATALOG_TEXT).services
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


def file_path(file: dagger.File) -> str:
    """The path a File was taken from (`container.file(path)`, `directory.file(path)`)."""
    name, args = chain(file)[-1]
    assert name == "file", f"not a file of a container or directory: {chain(file)}"
    return str(args["path"])


EMPTY_SARIF = '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Trivy"}}, "results": []}]}'


def canned_output(ctr: Type) -> str:
    return f"output of {execs(ctr)[-1] if execs(ctr) else 'nothing'}"


def canned_contents(file: dagger.File) -> str:
    """The repository's component catalog; for a clean scan, its exit-code file (`scanning.recorded`) holds 0,
    any other file an empty SARIF log."""
    path = file_path(file)
    if path == catalog.CATALOG_PATH:
        return CATALOG_TEXT
    return "0\n" if path.endswith(".exit-code") else EMPTY_SARIF


def exec_error(obj: Type, exit_code: int, stdout: str, stderr: str) -> dagger.ExecError:
    """The error the SDK raises for the engine's answer to a failed exec (the GraphQL error's extensions)."""
    argv = execs(obj)[-1]
    message = f"process {' '.join(argv)!r} did not complete successfully: exit code: {exit_code}"
    extensions = {
        "_type": "EXEC_ERROR",
        "cmd": argv,
        "exitCode": exit_code,
        "stdout": stdout,
        "stderr": stderr,
    }
    answer = TransportQueryError(message, errors=[{"message": message, "extensions": extensions}])
    error = _query_error_from_transport(answer, gql.GraphQLRequest("{ container { id } }"))
    assert isinstance(error, dagger.ExecError), error
    return error


def expects_any(obj: Type) -> bool:
    return bool(calls(obj, "withExec")[-1].get("expect") == dagger.ReturnType.ANY.value)


@dataclass
class FakeEngine:
    """Records the awaited leaves. `exit_code` decides the exit code of the awaited object's last exec;
    `output` and `stderr` its output. A non-zero code fails the await with `dagger.ExecError` unless the exec
    expects ANY (then only `exit_code()` tells). `contents` answers `File.contents`."""

    awaited: list[tuple[str, Any, tuple[Any, ...]]] = field(default_factory=list)
    exit_code: Callable[[Type], int] = lambda _obj: 0
    output: Callable[[Type], str] = canned_output
    stderr: Callable[[Type], str] = lambda _obj: ""
    contents: Callable[[dagger.File], str] = canned_contents
    user: str = "10001:10001"
    globbed: list[str] = field(default_factory=lambda: ["values.yaml", "values-minikube.yaml"])

    def of(self, method: str) -> list[Any]:
        return [obj for name, obj, _ in self.awaited if name == method]

    def args_of(self, method: str) -> list[tuple[Any, ...]]:
        return [args for name, _, args in self.awaited if name == method]

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def record(method: str, result: Callable[..., Any]) -> Callable[..., Any]:
            async def leaf(obj: Any, *args: Any, **kwargs: Any) -> Any:
                self.awaited.append((method, obj, args + tuple(kwargs.values())))
                if isinstance(obj, dagger.Container | dagger.File) and execs(obj) and not expects_any(obj):
                    code = self.exit_code(obj)
                    if code != 0:
                        raise exec_error(obj, code, self.output(obj), self.stderr(obj))
                return result(obj, *args, **kwargs)

            return leaf

        def output(ctr: dagger.Container) -> str:
            return self.output(ctr)

        def contents(file: dagger.File) -> str:
            return self.contents(file)

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
            (dagger.File, "contents"): contents,
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


@dataclass(frozen=True)
class TrivyScan:
    """One awaited scan: the exit-code file `run_scan` read (its query is the scan container's) and the Trivy
    command line inside the `scanning.recorded` wrapper."""

    file: dagger.File
    argv: list[str]


def trivy_scans(engine: FakeEngine) -> dict[str, TrivyScan]:
    """Every awaited Trivy scan, keyed by the target's name (`image-todo-backend`, `config-chart`...)."""
    scans = {}
    for file in engine.of("File.contents"):
        if not execs(file):
            continue
        wrapper = execs(file)[-1]
        if wrapper[:2] == ["sh", "-c"] and wrapper[3:4] == ["trivy-scan"]:
            name = file_path(file).rsplit("/", 1)[-1].removesuffix(".exit-code")
            scans[name] = TrivyScan(file, ["trivy", *wrapper[5:]])
    return scans
