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


def test_every_value_is_in_the_readme_reference() -> None:
    documented = documented_keys()
    values = default_values()
    missing = []
    for top, node in values.items():
        if not isinstance(node, dict) or not node:
            missing += [] if top in documented else [top]
            continue
        for key in node:
            prefix = f"<component>.{key}" if top in COMPONENTS else f"{top}.{key}"
            if prefix not in documented and not any(d.startswith(prefix + ".") for d in documented):
                missing.append(prefix)
    assert missing == []


def test_every_component_has_the_same_keys() -> None:
    values = default_values()
    shapes = {key: sorted(values[key]) for key in COMPONENTS}
    assert len({tuple(shape) for shape in shapes.values()}) == 1, shapes
