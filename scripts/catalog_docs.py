"""Writes the component tables of docs/architecture.md from charts/todo/components.yaml (Markdown cannot read
the catalog). `--check` only compares, for CI: it exits 1 and names the command when the docs are stale.

    uv run python scripts/catalog_docs.py [--check]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "charts" / "todo" / "components.yaml"
DOC = ROOT / "docs" / "architecture.md"
BLOCK = re.compile(r"(<!-- generated from (\w+) -->\n).*?(<!-- end -->)", re.DOTALL)


def _recipe(c: dict[str, Any]) -> str:
    if c["runtime"] == "python":
        return f"`services/python.Dockerfile` (`PACKAGE={c['package']}`)"
    return f"`services/{c['name']}/Dockerfile`"


def _calls(c: dict[str, Any]) -> str:
    flows = [f"{call['component']} (`{call['env']}`)" for call in c["calls"]]
    if c["database"]:
        flows.append("PostgreSQL (`DATABASE_URL`)")
    return ", ".join(flows) or "—"


def components_table(components: list[dict[str, Any]]) -> str:
    rows = [
        "| component | port | image | recipe | calls | health (liveness, readiness, metrics) |",
        "|---|---|---|---|---|---|",
    ]
    for c in components:
        health = ", ".join(f"`{c['health'][k]}`" for k in ("liveness", "readiness", "metrics"))
        rows.append(f"| {c['name']} | {c['port']} | {c['image']} | {_recipe(c)} | {_calls(c)} | {health} |")
    return "\n".join(rows) + "\n"


TABLES = {"components": components_table}


def render(doc: str, components: list[dict[str, Any]]) -> str:
    def block(match: re.Match[str]) -> str:
        return f"{match.group(1)}{TABLES[match.group(2)](components)}{match.group(3)}"

    return BLOCK.sub(block, doc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 when the docs are stale")
    args = parser.parse_args()
    components = yaml.safe_load(CATALOG.read_text())["components"]
    doc = DOC.read_text()
    current = render(doc, components)
    if current == doc:
        return 0
    if args.check:
        print(
            f"{DOC.relative_to(ROOT)} is stale: run `uv run python scripts/catalog_docs.py`", file=sys.stderr
        )
        return 1
    DOC.write_text(current)
    return 0


if __name__ == "__main__":
    sys.exit(main())
