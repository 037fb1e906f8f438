"""The chart README documents every value (its reference table cannot drift from values.yaml)."""

from __future__ import annotations

import re

from .chart import CHART_DIR, COMPONENTS, default_values


def documented_keys() -> set[str]:
    """Keys in the first column of the README's tables; `a.{b,c}` and `x, y` forms expanded."""
    keys: set[str] = set()
    for cell in re.findall(r"^\| (`[^|]+`) \|", (CHART_DIR / "README.md").read_text(), flags=re.MULTILINE):
        for key in re.findall(r"`([^`]+)`", cell):
            braces = re.fullmatch(r"(.*)\.\{([^}]+)\}", key)
            keys |= {f"{braces[1]}.{part}" for part in braces[2].split(",")} if braces else {key}
    return keys


def leaf_paths(node: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(node, dict) and node:
        return [leaf for key, value in node.items() for leaf in leaf_paths(value, (*path, str(key)))]
    return [path]


def test_every_value_is_in_the_readme_reference() -> None:
    """Each leaf value is documented by its own row or by a row for one of its parents."""
    documented = documented_keys()
    missing = set()
    for path in leaf_paths(default_values()):
        shown = ("<component>", *path[1:]) if path[0] in COMPONENTS else path
        if not any(".".join(shown[:length]) in documented for length in range(1, len(shown) + 1)):
            missing.add(".".join(shown))
    assert sorted(missing) == []


def test_every_component_has_the_same_keys() -> None:
    values = default_values()
    shapes = {key: sorted(values[key]) for key in COMPONENTS}
    assert len({tuple(shape) for shape in shapes.values()}) == 1, shapes
