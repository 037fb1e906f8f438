"""Pulling the images the pipeline runs, from their registries or from a mirror (`--image-mirror`)."""

import dagger
from dagger import dag

from .references import mirrored


def pull(ref: str, mirror: str = "") -> dagger.Container:
    """The image `ref` (versions.py), taken by tag from `mirror` when one is given."""
    return dag.container().from_(mirrored(ref, mirror))
