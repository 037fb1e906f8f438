"""Writes kubeconform's schemas for a machine that cannot download them, from the JSON schemas that the
kubernetes-validate package bundles (PyPI): for each Kubernetes version given, a
`v<version>-standalone-strict/<kind>-<group>-<apiversion>.json` per top-level kind, every `$ref` inlined
(kubeconform's loader cannot follow kubernetes-validate's `/api/_definitions.json` references).

    python kube_schemas.py OUT_DIR 1.30.0 master=1.37.0
"""

import json
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate

BUNDLED = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
# How a kind's file, and the definitions among themselves, refer to a definition.
PREFIXES = ("/api/_definitions.json#/$defs/", "#/$defs/")


def inline(node: Any, definitions: dict[str, Any], stack: tuple[str, ...] = ()) -> Any:
    """`node` with every reference replaced by its definition; a recursive one (JSONSchemaProps) by `{}`."""
    if isinstance(node, list):
        return [inline(item, definitions, stack) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(PREFIXES):
        name = ref.split("/$defs/", 1)[1]
        return {} if name in stack else inline(definitions[name], definitions, (*stack, name))
    return {key: inline(value, definitions, stack) for key, value in node.items()}


def write(out: Path, label: str, version: str) -> int:
    source = BUNDLED / f"v{version}-local-strict"
    definitions = json.loads((source / "_definitions.json").read_text())["$defs"]
    target = out / f"{label}-standalone-strict"
    target.mkdir(parents=True, exist_ok=True)
    written = 0
    for path in sorted(source.glob("*.json")):
        schema = json.loads(path.read_text())
        if "kind" not in schema.get("properties", {}) or path.name.startswith("_"):
            continue
        (target / path.name).write_text(json.dumps(inline(schema, definitions)))
        written += 1
    return written


def main() -> None:
    out, versions = Path(sys.argv[1]), sys.argv[2:]
    for spec in versions:
        label, _, version = spec.partition("=")
        count = write(out, label if version else f"v{label}", version or label)
        print(f"{out}/{label}: {count} kinds", file=sys.stderr)


if __name__ == "__main__":
    main()
