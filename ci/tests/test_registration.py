"""The module registers as the Dagger runtime loads it: every function, argument, type, default and doc."""

import functools
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CI_DIR = Path(__file__).resolve().parents[1]
Chain = list[dict[str, Any]]

FUNCTIONS = {
    "build",
    "build_all",
    "image_tarballs",
    "export_images",
    "lint",
    "test",
    "scan",
    "scan_report",
    "lint_chart",
    "deploy",
    "publish",
    "ci",
}
SIDE_EFFECTS = {"export_images", "scan", "scan_report", "deploy", "publish", "ci"}


@dataclass
class Arg:
    type: str
    description: str | None
    default: Any = None
    default_path: str | None = None
    ignore: list[str] | None = None


@dataclass
class Function:
    returns: str
    description: str | None = None
    cache: str | None = None
    args: dict[str, Arg] = field(default_factory=dict)


def type_name(chain: Chain) -> str:
    """`STRING_KIND`, `Container`, `Env`, ...; `?` marks an optional type, `[...]` a list."""
    name, optional = "?", False
    for call in chain:
        args = call["args"]
        match call["field"]:
            case "withKind":
                name = args["kind"]
            case "withObject" | "withEnum":
                name = args["name"]
            case "withListOf":
                name = f"[{type_name(args['elementType'])}]"
            case "withOptional":
                optional = args["optional"]
    return f"{name}?" if optional else name


def parse_function(chain: Chain) -> tuple[str, Function]:
    head = chain[0]["args"]
    fn = Function(returns=type_name(head["returnType"]))
    for call in chain[1:]:
        args = call["args"]
        match call["field"]:
            case "withDescription":
                fn.description = args["description"]
            case "withCachePolicy":
                fn.cache = args["policy"]
            case "withArg":
                default = json.loads(args["defaultValue"]) if "defaultValue" in args else None
                fn.args[args["name"]] = Arg(
                    type_name(args["typeDef"]),
                    args.get("description"),
                    default,
                    args.get("defaultPath"),
                    args.get("ignore"),
                )
    return head["name"], fn


@dataclass
class Registered:
    description: str
    objects: dict[str, dict[str, Function]]
    enums: dict[str, dict[str, str]]


@functools.cache
def registered() -> Registered:
    env = {
        **os.environ,
        "DAGGER_MAIN_OBJECT": "Todo",
        "DAGGER_DEFAULT_PYTHON_PACKAGE": "todo",
        "PYTHONPATH": str(CI_DIR / "src"),
    }
    done = subprocess.run(
        [sys.executable, str(CI_DIR / "tests" / "introspect.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    module: Chain = json.loads(done.stdout)
    result = Registered("", {}, {})
    for call in module:
        args = call["args"]
        if call["field"] == "withDescription":
            result.description = args["description"]
        elif call["field"] == "withObject":
            typedef = args["object"]
            name = typedef[1]["args"]["name"]
            functions: dict[str, Function] = {}
            for member in typedef[2:]:
                if member["field"] in ("withFunction", "withConstructor"):
                    fn_name, fn = parse_function(member["args"]["function"])
                    functions[fn_name or "<constructor>"] = fn
            result.objects[name] = functions
        elif call["field"] == "withEnum":
            typedef = args["enum"]
            result.enums[typedef[1]["args"]["name"]] = {
                m["args"]["name"]: m["args"]["value"] for m in typedef[2:] if m["field"] == "withEnumMember"
            }
    return result


def todo() -> dict[str, Function]:
    return registered().objects["Todo"]


def test_module_has_one_object_todo_with_the_pipeline_functions() -> None:
    assert set(registered().objects) == {"Todo"}
    assert set(todo()) == FUNCTIONS | {"<constructor>"}
    assert "pipeline" in registered().description.lower()


def test_every_function_and_argument_is_documented() -> None:
    for name, fn in todo().items():
        assert fn.description, f"{name} has no description"
        for arg_name, arg in fn.args.items():
            assert arg.description, f"{name}({arg_name}) has no description"


def test_functions_with_side_effects_opt_out_of_the_function_cache() -> None:
    uncached = {name for name, fn in todo().items() if fn.cache == "Never"}
    assert uncached == SIDE_EFFECTS
    assert all(fn.cache is None for name, fn in todo().items() if name not in SIDE_EFFECTS)


def test_constructor_loads_the_repository_and_its_git_head_from_the_context() -> None:
    args = todo()["<constructor>"].args
    assert list(args) == ["source", "git", "python_image", "node_image", "source_url", "image_mirror"]
    source = args["source"]
    assert (source.type, source.default_path) == ("Directory", "/")
    assert source.ignore is not None
    for ignored in (".git", "**/node_modules", "**/.venv", "**/.next", "ci/sdk", "artifacts"):
        assert ignored in source.ignore
    assert (args["git"].type, args["git"].default_path) == ("GitRef", "./.git")
    for name in ("python_image", "node_image", "source_url", "image_mirror"):
        assert (args[name].type, args[name].default) == ("STRING_KIND", "")


@pytest.mark.parametrize(
    ("function", "returns", "args"),
    [
        ("build", "Container", {"service": ("STRING_KIND", None), "version": ("STRING_KIND", "")}),
        ("build_all", "STRING_KIND", {"tag": ("STRING_KIND", ""), "version": ("STRING_KIND", "")}),
        ("image_tarballs", "Directory", {"tag": ("STRING_KIND", ""), "version": ("STRING_KIND", "")}),
        (
            "export_images",
            "STRING_KIND",
            {"docker_socket": ("Socket", None), "tag": ("STRING_KIND", ""), "version": ("STRING_KIND", "")},
        ),
        ("lint", "STRING_KIND", {}),
        ("test", "STRING_KIND", {"suite": ("[STRING_KIND]?", None)}),
        (
            "scan",
            "STRING_KIND",
            {"version": ("STRING_KIND", ""), "vulnerabilities": ("BOOLEAN_KIND", True)},
        ),
        (
            "scan_report",
            "Directory",
            {"version": ("STRING_KIND", ""), "vulnerabilities": ("BOOLEAN_KIND", True)},
        ),
        ("lint_chart", "STRING_KIND", {"schemas": ("Directory?", None)}),
        (
            "deploy",
            "STRING_KIND",
            {
                "env": ("Env", "K3S"),
                "tag": ("STRING_KIND", ""),
                "version": ("STRING_KIND", ""),
                "release": ("STRING_KIND", "todo"),
                "namespace": ("STRING_KIND", "todo"),
                "kubeconfig": ("Secret?", None),
                "kube_api": ("Service?", None),
                "kube_api_port": ("INTEGER_KIND", 8443),
                "docker_socket": ("Socket?", None),
                "minikube_profile": ("STRING_KIND", "minikube"),
                "load_images": ("BOOLEAN_KIND", True),
                "values": ("File?", None),
                "suite": ("BOOLEAN_KIND", True),
            },
        ),
        (
            "publish",
            "STRING_KIND",
            {
                "registry": ("STRING_KIND", None),
                "tag": ("STRING_KIND", ""),
                "version": ("STRING_KIND", ""),
                "username": ("STRING_KIND", ""),
                "password": ("Secret?", None),
            },
        ),
        (
            "ci",
            "STRING_KIND",
            {
                "version": ("STRING_KIND", ""),
                "tag": ("STRING_KIND", ""),
                "vulnerabilities": ("BOOLEAN_KIND", True),
                "schemas": ("Directory?", None),
                "env": ("Env", "K3S"),
                "kubeconfig": ("Secret?", None),
                "kube_api": ("Service?", None),
                "kube_api_port": ("INTEGER_KIND", 8443),
                "docker_socket": ("Socket?", None),
                "minikube_profile": ("STRING_KIND", "minikube"),
                "load_images": ("BOOLEAN_KIND", True),
                "values": ("File?", None),
            },
        ),
    ],
)
def test_function_signature(function: str, returns: str, args: dict[str, tuple[str, Any]]) -> None:
    fn = todo()[function]
    assert fn.returns == returns
    assert {name: (arg.type, arg.default) for name, arg in fn.args.items()} == args


def test_deploy_env_is_an_enum_of_k3s_and_minikube() -> None:
    assert registered().enums == {"Env": {"K3S": "k3s", "MINIKUBE": "minikube"}}


def env_setting_problem(name: str, value: str) -> str | None:
    """Why `dagger call` would not apply NAME=value from .env (None: it applies).

    Dagger reads FUNCTION_ARGUMENT (ARGUMENT alone: a constructor argument) case-insensitively against the
    GraphQL names, which have no underscores (`--kube-api` is kubeApi: DEPLOY_KUBEAPI). Its .env parser takes
    one level of quotes off a value; an enum's value is then read as JSON naming the member (`'"MINIKUBE"'`).
    Both rules as seen on an engine v0.21.8 (`minikube`: "not valid JSON", `'"minikube"'`: "invalid enum
    member").
    """
    function, _, argument = name.lower().rpartition("_")
    fn_by_name = {
        fn_name.replace("_", ""): fn for fn_name, fn in todo().items() if fn_name != "<constructor>"
    }
    fn = fn_by_name.get(function) if function else todo()["<constructor>"]
    if fn is None:
        return f"{name}: no function {function!r} (names without underscores: {sorted(fn_by_name)})"
    args = {arg_name.replace("_", ""): arg for arg_name, arg in fn.args.items()}
    arg = args.get(argument)
    if arg is None:
        return f"{name}: no argument {argument!r} (names without underscores: {sorted(args)})"
    members = registered().enums.get(arg.type)
    if members is not None:
        unquoted = value[1:-1] if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"" else value
        try:
            chosen = json.loads(unquoted)
        except json.JSONDecodeError:
            return f"{name}: an enum is read as JSON, {unquoted!r} is not (write it as '\"NAME\"')"
        if chosen not in members:
            return f"{name}: {chosen!r} is not one of {sorted(members)}"
    return None


def test_env_example_sets_only_arguments_that_exist() -> None:
    lines = (CI_DIR.parent / ".env.example").read_text().splitlines()
    settings = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    assert len(settings) >= 4
    for name, value in settings:
        assert env_setting_problem(name, value) is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEPLOY_KUBE_API", "tcp://192.168.49.2:8443"),  # the argument's underscore: never matched
        ("DEPLOY_DOCKER_SOCKET", "/var/run/docker.sock"),
        ("DEPLOY_ENV", "minikube"),  # not JSON
        ("DEPLOY_ENV", '"minikube"'),  # the .env parser strips these quotes: not JSON either
        ("DEPLOY_ENV", "'\"minikube\"'"),  # JSON, but a member's value, not its name
        ("DEPLOY_ENV", "'\"MINICUBE\"'"),
        ("DEPLOY_CLUSTER", "x"),
        ("DEPLY_ENV", '"k3s"'),
        ("LINT_CHART_SCHEMAS", "./schemas"),
        ("MIRROR", "registry.internal:5000"),
    ],
)
def test_env_settings_that_dagger_would_ignore_or_refuse_are_caught(name: str, value: str) -> None:
    assert env_setting_problem(name, value) is not None


def test_env_settings_of_multi_word_functions_and_of_the_constructor_are_recognised() -> None:
    assert env_setting_problem("LINTCHART_SCHEMAS", "./schemas") is None
    assert env_setting_problem("SCANREPORT_VULNERABILITIES", "false") is None
    assert env_setting_problem("IMAGEMIRROR", "registry.internal:5000") is None


def documented_calls() -> list[str]:
    """Every `dagger call ...` in docs/pipeline.md and the workflow, continuation lines joined."""
    root = CI_DIR.parent
    texts = [(root / path).read_text() for path in ("docs/pipeline.md", ".github/workflows/ci.yml")]
    calls: list[str] = []
    for text in texts:
        joined = re.sub(r"\\\n\s*", " ", text)
        calls += [m.strip() for m in re.findall(r"dagger call ([^`\n#&|]*)", joined)]
        calls += [m.strip() for m in re.findall(r"args: (?:>-\n\s*)?([a-z][^\n]*(?:\n {12}[^\n]+)*)", joined)]
    return [c for c in calls if c and not c.startswith(("…", "<", "..."))]


def test_documented_calls_use_real_functions_and_arguments() -> None:
    calls = documented_calls()
    assert len(calls) > 20
    constructor = todo()["<constructor>"].args
    for call in calls:
        tokens = shlex.split(call)
        while tokens and tokens[0].startswith("--"):
            assert tokens.pop(0)[2:].split("=")[0].replace("-", "_") in constructor, call
        if not tokens or tokens[0] in ("…", "..."):
            continue  # constructor options for any function
        function = tokens.pop(0).replace("-", "_")
        assert function in todo(), call
        for token in tokens:
            if not token.startswith("--"):
                break  # a core API call chained on the result (export, export-image, terminal)
            assert token[2:].split("=")[0].replace("-", "_") in todo()[function].args, call
