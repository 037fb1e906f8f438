"""Building the service images from their own Dockerfiles, and naming them."""

import re
from dataclasses import dataclass

import dagger

from .catalog import Catalog, ServiceSpec
from .references import mirrored, validate_registry
from .versions import NODE_BASE_IMAGE, PYTHON_BASE_IMAGE

_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_REVISION = re.compile(r"[0-9a-f]{7,64}")


def validate_tag(tag: str) -> str:
    if not _TAG.fullmatch(tag):
        msg = f"invalid image tag {tag!r}: 1-128 characters of [A-Za-z0-9_.-], not starting with '.' or '-'"
        raise ValueError(msg)
    return tag


@dataclass(frozen=True)
class BuildInfo:
    """What identifies one build of the images: the OCI labels and the tag."""

    version: str
    revision: str
    tag: str
    source_url: str = ""

    @classmethod
    def resolve(cls, *, revision: str, version: str = "", tag: str = "", source_url: str = "") -> "BuildInfo":
        """Defaults: the tag is the version when given, else the first 12 characters of the git revision."""
        if not _REVISION.fullmatch(revision):
            msg = f"invalid git revision {revision!r}: expected a hexadecimal commit id"
            raise ValueError(msg)
        short = revision[:12]
        return cls(
            version=version or f"0.0.0-dev+{short}",
            revision=revision,
            tag=validate_tag(tag or version or short),
            source_url=source_url,
        )


def image_ref(spec: ServiceSpec, tag: str, registry: str = "") -> str:
    name = f"{spec.image}:{validate_tag(tag)}"
    return f"{validate_registry(registry)}/{name}" if registry else name


def build_image(
    source: dagger.Directory,
    spec: ServiceSpec,
    info: BuildInfo,
    *,
    python_image: str = "",
    node_image: str = "",
    mirror: str = "",
) -> dagger.Container:
    """The image of one service: its recipe and the catalog's build args, with the repository root as context.

    The base image is the Dockerfile's default unless given; with a mirror, that default is taken from it.
    """
    args = [
        dagger.BuildArg(name="VERSION", value=info.version),
        dagger.BuildArg(name="REVISION", value=info.revision),
    ]
    if info.source_url:
        args.append(dagger.BuildArg(name="SOURCE_URL", value=info.source_url))
    args += [dagger.BuildArg(name=name, value=value) for name, value in spec.build_args().items()]
    if spec.runtime == "python":
        base_image = python_image or (mirrored(PYTHON_BASE_IMAGE, mirror) if mirror else "")
    else:
        base_image = node_image or (mirrored(NODE_BASE_IMAGE, mirror) if mirror else "")
    if base_image:
        args.append(dagger.BuildArg(name=spec.base_image_arg, value=base_image))
    return source.docker_build(dockerfile=spec.dockerfile, build_args=args)


def docker_archive(image: dagger.Container) -> dagger.File:
    """The image as `docker load` of any Docker version takes it: Docker media types, gzip layers (the engine
    would reuse zstd blobs it has cached, which Docker before 23 cannot unpack: "invalid tar header")."""
    return image.as_tarball(
        media_types=dagger.ImageMediaTypes.DockerMediaTypes,
        forced_compression=dagger.ImageLayerCompression.Gzip,
    )


def build_all(
    source: dagger.Directory,
    catalog: Catalog,
    info: BuildInfo,
    *,
    python_image: str = "",
    node_image: str = "",
    mirror: str = "",
) -> dict[ServiceSpec, dagger.Container]:
    """Every service's image (lazily: the engine builds them in parallel when they are used)."""
    return {
        spec: build_image(source, spec, info, python_image=python_image, node_image=node_image, mirror=mirror)
        for spec in catalog
    }
