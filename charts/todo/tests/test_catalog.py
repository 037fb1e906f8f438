"""The component catalog (components.yaml) as the test suites read it (todo_testing.catalog): it loads,
agrees with the chart it sits in, and a broken catalog fails with a message that says what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from todo_testing import catalog

from .chart import CHART_DIR, default_values, render, user_values

VALID = yaml.safe_load((CHART_DIR / "components.yaml").read_text())


def test_the_catalog_names_each_component_of_the_chart_once_with_its_service_port() -> None:
    components = catalog.components()
    rendered = render(user_values())
    assert len({c.name for c in components}) == len(components)
    for component in components:
        assert component.values_key in default_values()
        service = rendered.component("Service", component.name)
        assert [p["port"] for p in service["spec"]["ports"]] == [component.port]


def test_the_migrations_run_in_catalog_order() -> None:
    assert catalog.migrations() == ("todo_mcp_server.migrate", "todo_backend.migrate")


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "components.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_a_missing_catalog_is_named(tmp_path: Path) -> None:
    with pytest.raises(catalog.CatalogError, match="cannot read the component catalog"):
        catalog.load(tmp_path / "components.yaml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c[0].update(port="8001"), "'port' must be a port number"),
        (lambda c: c[0].pop("valuesKey"), "'valuesKey' must be a non-empty string"),
        (lambda c: c[0].update(runtime="ruby"), "'runtime' must be python or node"),
        (lambda c: c.append(dict(c[0])), "'mcp-server' is listed twice"),
        (lambda c: c.reverse(), "which must be listed before it"),
    ],
)
def test_an_invalid_catalog_says_what_is_wrong(
    tmp_path: Path, change: Callable[[list[dict[str, Any]]], object], message: str
) -> None:
    entries = [dict(entry) for entry in VALID["components"]]
    change(entries)
    with pytest.raises(catalog.CatalogError, match=message):
        catalog.load(write(tmp_path, {"components": entries}))
