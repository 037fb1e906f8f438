"""build, build-all, image-tarballs, export-images and publish: what the engine would be asked to do."""

import dagger
import pytest
from dagger import dag
from dagger_chains import REVISION, SERVICES, FakeEngine, calls, chain, env, one, pipeline
from todo.catalog import ServiceSpec

pytestmark = pytest.mark.anyio
SHORT = REVISION[:12]


def repo() -> dagger.Directory:
    """A recognisable stand-in for the repository root."""
    return dag.directory().with_new_file("README.md", "repository root")


def build_args(ctr: dagger.Container) -> dict[str, str]:
    return {a["name"]: a["value"] for a in one(ctr, "dockerBuild").get("buildArgs", [])}


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
async def test_build_uses_the_service_dockerfile_with_the_repository_root_as_context(
    engine: FakeEngine, spec: ServiceSpec
) -> None:
    name = spec.name
    ctr = await pipeline(repo()).build(name)
    # The build runs on the repository directory itself (no `.directory(...)` in between): context = root.
    assert chain(ctr)[:2] == chain(repo())
    assert [field for field, _ in chain(ctr)][2:] == ["dockerBuild"]
    assert one(ctr, "dockerBuild")["dockerfile"] == spec.dockerfile
    assert build_args(ctr) == {"VERSION": f"0.0.0-dev+{SHORT}", "REVISION": REVISION, **spec.build_args()}


def test_python_services_share_one_recipe_told_which_package_to_run() -> None:
    python = [s for s in SERVICES if s.runtime == "python"]
    assert {s.dockerfile for s in python} == {"services/python.Dockerfile"}
    backend = next(s for s in python if s.name == "backend")
    assert backend.build_args() == {
        "SERVICE": "backend",
        "PROJECT": "todo-backend",
        "PACKAGE": "todo_backend",
        "PORT": "8000",
        "DESCRIPTION": "Evolution of Todo: REST API, auth and chat endpoint",
    }


async def test_build_passes_base_image_overrides_to_the_right_services(engine: FakeEngine) -> None:
    todo = pipeline(
        repo(), python_image="local/python:3.12", node_image="local/node:24", source_url="https://x.invalid/r"
    )
    for spec in SERVICES:
        args = build_args(await todo.build(spec.name, version="1.2.0"))
        expected = {
            "VERSION": "1.2.0",
            "REVISION": REVISION,
            "SOURCE_URL": "https://x.invalid/r",
            **spec.build_args(),
        }
        if spec.name == "frontend":
            expected["NODE_IMAGE"] = "local/node:24"
        else:
            expected["PYTHON_IMAGE"] = "local/python:3.12"
        assert args == expected, spec.name


async def test_build_rejects_an_unknown_service_naming_the_valid_ones(engine: FakeEngine) -> None:
    with pytest.raises(
        ValueError, match="unknown service 'web': expected one of mcp-server, agent, backend, frontend"
    ):
        await pipeline(repo()).build("web")


async def test_build_all_builds_every_image_and_tags_them_with_the_revision(engine: FakeEngine) -> None:
    summary = await pipeline(repo()).build_all()
    built = engine.of("Container.sync")
    assert sorted(one(c, "dockerBuild")["dockerfile"] for c in built) == sorted(
        s.dockerfile for s in SERVICES
    )
    assert summary.splitlines() == [f"{s.image}:{SHORT}  (user 10001:10001)" for s in SERVICES]


async def test_build_all_tag_defaults_to_the_version_and_can_be_given(engine: FakeEngine) -> None:
    assert "todo-agent:1.2.0 " in await pipeline(repo()).build_all(version="1.2.0")
    assert "todo-agent:nightly " in await pipeline(repo()).build_all(tag="nightly", version="1.2.0")
    with pytest.raises(ValueError, match="invalid image tag"):
        await pipeline(repo()).build_all(tag="-bad/tag")


async def test_build_all_fails_when_an_image_does_not_run_as_uid_10001(engine: FakeEngine) -> None:
    engine.user = "root"
    with pytest.raises(ValueError, match=f"{SERVICES[0].image} runs as user 'root'"):
        await pipeline(repo()).build_all()


async def test_image_tarballs_holds_one_oci_tarball_per_image(engine: FakeEngine) -> None:
    out = await pipeline(repo()).image_tarballs(tag="t1")
    files = calls(out, "withFile")
    assert [f["path"] for f in files] == [f"{s.image}_t1.tar" for s in SERVICES]
    for f in files:
        assert [field for field, _ in chain(f["source"])][-1] == "asTarball"


async def test_export_images_loads_each_image_into_the_docker_engine_of_the_socket(
    engine: FakeEngine,
) -> None:
    docker = dag.host().unix_socket("/var/run/docker.sock")
    refs = await pipeline(repo()).export_images(docker, tag="dev")
    assert refs.splitlines() == [f"{s.image}:dev" for s in SERVICES]
    loads = [c for c in engine.of("Container.sync") if "REF" in env(c)]
    assert sorted(env(c)["REF"] for c in loads) == sorted(refs.splitlines())
    for load in loads:
        assert env(load)["NODE"] == ""
        assert one(load, "withUnixSocket") == {"path": "/var/run/docker.sock", "source": docker}


async def test_publish_pushes_every_image_with_registry_credentials_as_a_secret(engine: FakeEngine) -> None:
    token = dag.set_secret("registry-token", "not-a-real-token")
    out = await pipeline(repo()).publish("ghcr.io/acme", tag="1.2.0", username="bot", password=token)
    published = engine.of("Container.publish")
    assert sorted(args[0] for args in engine.args_of("Container.publish")) == sorted(
        f"ghcr.io/acme/{s.image}:1.2.0" for s in SERVICES
    )
    for ctr in published:
        auth = one(ctr, "withRegistryAuth")
        assert (auth["address"], auth["username"]) == ("ghcr.io", "bot")
        assert auth["secret"] is token
    assert all(line.endswith("@sha256:" + "ab" * 32) for line in out.splitlines())


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"registry": "GHCR.io/Acme"}, "invalid registry"),
        ({"registry": "ghcr.io/acme", "username": "bot"}, "--username and --password go together"),
        ({"registry": "ghcr.io/acme", "tag": "a b"}, "invalid image tag"),
    ],
)
async def test_publish_validates_its_input(engine: FakeEngine, kwargs: dict[str, str], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        await pipeline(repo()).publish(**kwargs)
    assert engine.of("Container.publish") == []
