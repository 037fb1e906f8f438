"""lint-chart and deploy (k3s, Minikube): images, helm and kubeconform commands, services, secrets."""

import dagger
import pytest
from dagger import dag
from dagger_chains import (
    REVISION,
    FakeEngine,
    base_image,
    bindings,
    calls,
    chain,
    containers_running,
    env,
    execs,
    flag_value,
    one,
    pipeline,
)
from todo import versions
from todo.catalog import SERVICES
from todo.main import Env

pytestmark = pytest.mark.anyio
TAG = REVISION[:12]


async def test_lint_chart_lints_and_renders_with_every_values_file(engine: FakeEngine) -> None:
    engine.globbed = ["values.yaml", "values-production.yaml", "values-minikube.yaml"]
    await pipeline().lint_chart()
    validated = list(containers_running(engine, []))
    assert len(validated) == 2
    # /rendered is a directory of the helm container: its query starts with that container's.
    helm = one(validated[0], "withMountedDirectory")["source"]
    assert base_image(helm) == versions.HELM_IMAGE
    helm_execs = [e for e in execs(helm) if e[0] == "helm"]
    for values in ("values-minikube.yaml", "values-production.yaml", "values.yaml"):
        assert ["helm", "lint", "/chart", "--strict", "--values", f"/chart/{values}"] in helm_execs
        assert [
            "helm",
            "template",
            "todo",
            "/chart",
            "--namespace",
            "todo",
            "--values",
            f"/chart/{values}",
        ] in (helm_execs)
    redirects = [
        str(c.get("redirectStdout")) for c in calls(helm, "withExec") if c["args"][:2] == ["helm", "template"]
    ]
    assert sorted(redirects) == [
        "/rendered/values-minikube.rendered.yaml",
        "/rendered/values-production.rendered.yaml",
        "/rendered/values.rendered.yaml",
    ]
    assert chain(helm)[-1] == ("directory", {"path": "/rendered"})


async def test_rendered_manifests_are_validated_strictly_on_kubernetes_1_30_and_newest(
    engine: FakeEngine,
) -> None:
    await pipeline().lint_chart()
    runs = list(containers_running(engine, []))
    versions_checked = []
    for ctr in runs:
        assert base_image(ctr) == versions.KUBECONFORM_IMAGE
        exec_call = calls(ctr, "withExec")[-1]
        assert exec_call["useEntrypoint"] is True
        argv = exec_call["args"]
        assert "-strict" in argv
        assert argv[-1] == "/rendered"
        versions_checked.append(flag_value(argv, "-kubernetes-version"))
    assert versions_checked == ["1.30.0", "master"]


async def test_lint_chart_refuses_a_chart_without_values_files(engine: FakeEngine) -> None:
    engine.globbed = []
    with pytest.raises(ValueError, match="no values"):
        await pipeline().lint_chart()


def started(engine: FakeEngine, image: str) -> dagger.Service:
    found = [svc for svc in engine.of("Service.start") if base_image(svc) == image]
    assert len(found) == 1, f"expected one started {image} service"
    service: dagger.Service = found[0]
    return service


def helm_run(engine: FakeEngine) -> dagger.Container:
    (ctr,) = containers_running(engine, ["helm", "test"])
    return ctr


async def test_deploy_k3s_pushes_the_built_images_into_an_in_engine_registry(engine: FakeEngine) -> None:
    await pipeline().deploy()
    registry = started(engine, versions.REGISTRY_IMAGE)
    pushes = list(containers_running(engine, ["skopeo", "copy"]))
    assert sorted(execs(p)[-1][-1] for p in pushes) == sorted(
        f"docker://registry:5000/{s.image}:{TAG}" for s in SERVICES
    )
    for push in pushes:
        assert base_image(push) == versions.SKOPEO_IMAGE
        assert execs(push)[-1][:4] == ["skopeo", "copy", "--dest-tls-verify=false", "oci-archive:/image.tar"]
        assert bindings(push)["registry"] is registry
        tarball = one(push, "withMountedFile")["source"]
        assert chain(tarball)[-1][0] == "asTarball"
    assert registry in engine.of("Service.stop")


async def test_deploy_k3s_runs_a_privileged_k3s_server_that_pulls_from_the_registry(
    engine: FakeEngine,
) -> None:
    await pipeline().deploy()
    server = started(engine, versions.K3S_IMAGE)
    service = one(server, "asService")
    assert service["insecureRootCapabilities"] is True
    assert service["noInit"] is True
    argv = service["args"]
    assert argv[:2] == ["sh", "-c"]
    assert 'exec "$@"' in argv[2]
    assert argv[4:6] == ["k3s", "server"]
    assert {"--tls-san=k3s", "--disable=traefik", "--private-registry=/etc/todo/registries.yaml"} <= set(argv)
    registries = one(server, "withNewFile")
    assert registries["path"] == "/etc/todo/registries.yaml"
    assert '"registry:5000"' in registries["contents"]
    assert '- "http://registry:5000"' in registries["contents"]
    assert bindings(server)["registry"] is started(engine, versions.REGISTRY_IMAGE)
    assert calls(server, "withExposedPort")[0]["port"] == 6443
    assert server in engine.of("Service.stop")


async def test_deploy_k3s_installs_with_wait_and_rollback_then_runs_helm_test(engine: FakeEngine) -> None:
    out = await pipeline().deploy()
    helm = helm_run(engine)
    assert base_image(helm) == versions.HELM_IMAGE
    assert bindings(helm)["k3s"] is started(engine, versions.K3S_IMAGE)
    assert env(helm)["HELM_KUBEAPISERVER"] == "https://k3s:6443"
    argv = next(e for e in execs(helm) if e[:2] == ["helm", "upgrade"])
    assert argv[2:5] == ["--install", "todo", "/chart"]
    assert flag_value(argv, "--namespace") == "todo"
    assert {"--create-namespace", "--wait", "--rollback-on-failure"} <= set(argv)
    assert flag_value(argv, "--values") == "/chart/values-minikube.yaml"
    sets = [argv[i + 1] for i, a in enumerate(argv) if a == "--set"]
    assert sets == ["global.image.registry=registry:5000", f"global.image.tag={TAG}"]
    assert execs(helm)[-1] == ["helm", "test", "todo", "--namespace", "todo", "--logs", "--timeout", "5m"]
    assert execs(helm).index(argv) < len(execs(helm)) - 1
    assert out == f"output of {execs(helm)[-1]}"


async def test_deploy_tags_the_images_with_the_given_tag(engine: FakeEngine) -> None:
    await pipeline().deploy(tag="dev")
    assert "global.image.tag=dev" in execs(helm_run(engine))[-2]
    assert {execs(p)[-1][-1] for p in containers_running(engine, ["skopeo"])} == {
        f"docker://registry:5000/{s.image}:dev" for s in SERVICES
    }


async def test_each_deploy_is_a_new_run_for_the_engine(engine: FakeEngine) -> None:
    """Every command with a side effect carries the deploy's run id from its first exec on."""
    await pipeline().deploy()
    await pipeline().deploy()
    helms = list(containers_running(engine, ["helm", "test"]))
    pushes = list(containers_running(engine, ["skopeo", "copy"]))
    run_ids = [env(ctr)["TODO_RUN_ID"] for ctr in helms]
    assert len(set(run_ids)) == 2
    assert {env(p)["TODO_RUN_ID"] for p in pushes} == set(run_ids)
    for ctr in [*helms, *pushes]:
        fields = [name for name, _ in chain(ctr)]
        run_id_at = next(i for i, (name, args) in enumerate(chain(ctr)) if args.get("name") == "TODO_RUN_ID")
        assert run_id_at < fields.index("withExec")


@pytest.mark.parametrize(("release", "namespace"), [("Todo", "todo"), ("todo", "a_b"), ("todo", "x" * 60)])
async def test_deploy_validates_release_and_namespace(
    engine: FakeEngine, release: str, namespace: str
) -> None:
    with pytest.raises(ValueError, match="invalid"):
        await pipeline().deploy(release=release, namespace=namespace)
    assert engine.of("Service.start") == []


async def test_deploy_minikube_needs_kubeconfig_and_api_server(engine: FakeEngine) -> None:
    with pytest.raises(ValueError, match="needs --kubeconfig and --kube-api"):
        await pipeline().deploy(env=Env.MINIKUBE)
    with pytest.raises(ValueError, match="needs --docker-socket"):
        await pipeline().deploy(
            env=Env.MINIKUBE, kubeconfig=dag.set_secret("kc", "x"), kube_api=dag.container().as_service()
        )


async def test_deploy_minikube_uses_the_kubeconfig_secret_and_the_api_server_service(
    engine: FakeEngine,
) -> None:
    kubeconfig = dag.set_secret("kubeconfig", "apiVersion: v1")
    kube_api = dag.host().service([dagger.PortForward(backend=8443, frontend=8443)], host="192.168.49.2")
    docker = dag.host().unix_socket("/var/run/docker.sock")
    await pipeline().deploy(env=Env.MINIKUBE, kubeconfig=kubeconfig, kube_api=kube_api, docker_socket=docker)
    helm = helm_run(engine)
    secret = one(helm, "withMountedSecret")
    assert secret["source"] is kubeconfig
    assert env(helm)["KUBECONFIG"] == secret["path"]
    assert bindings(helm)["kubernetes"] is kube_api
    assert env(helm)["HELM_KUBEAPISERVER"] == "https://kubernetes:8443"
    argv = next(e for e in execs(helm) if e[:2] == ["helm", "upgrade"])
    sets = [argv[i + 1] for i, a in enumerate(argv) if a == "--set"]
    assert sets == ["global.image.registry=", f"global.image.tag={TAG}"]
    assert "apiVersion" not in str(chain(helm))  # the kubeconfig's content never enters the query
    assert engine.of("Service.start") == []


async def test_deploy_minikube_loads_each_image_into_the_node_through_the_docker_socket(
    engine: FakeEngine,
) -> None:
    docker = dag.host().unix_socket("/var/run/docker.sock")
    await pipeline().deploy(
        env=Env.MINIKUBE,
        kubeconfig=dag.set_secret("kubeconfig", "x"),
        kube_api=dag.container().as_service(),
        docker_socket=docker,
        minikube_profile="dev-cluster",
    )
    loads = list(containers_running(engine, ["sh", "-c"]))
    assert sorted(env(c)["REF"] for c in loads) == sorted(f"{s.image}:{TAG}" for s in SERVICES)
    for load in loads:
        assert base_image(load) == versions.DOCKER_CLI_IMAGE
        assert one(load, "withUnixSocket") == {"path": "/var/run/docker.sock", "source": docker}
        assert env(load)["PROFILE"] == "dev-cluster"
        assert 'docker exec -i "$PROFILE" docker load < /image.tar' in execs(load)[-1][2]
    with pytest.raises(ValueError, match="invalid Minikube profile"):
        await pipeline().deploy(
            env=Env.MINIKUBE,
            kubeconfig=dag.set_secret("kubeconfig", "x"),
            kube_api=dag.container().as_service(),
            docker_socket=docker,
            minikube_profile="$(reboot)",
        )


async def test_ci_runs_every_stage_and_deploys_to_k3s(engine: FakeEngine) -> None:
    out = await pipeline().ci()
    assert [line for line in out.splitlines() if line.startswith("== ")] == [
        "== lint",
        "== test",
        "== build-all",
        "== scan",
        "== lint-chart",
        "== deploy",
    ]
    ran = {tuple(execs(c)[-1][:2]) for c in containers_running(engine, []) if execs(c)}
    assert {("scripts/test", "lint"), ("scripts/test", "python"), ("trivy", "image"), ("helm", "test")} <= ran
    assert started(engine, versions.K3S_IMAGE)
