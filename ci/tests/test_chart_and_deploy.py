"""lint-chart and deploy (k3s, Minikube): images, helm and kubeconform commands, services, secrets."""

import dagger
import pytest
from dagger import dag
from dagger.client.base import Type
from dagger_chains import (
    REVISION,
    SERVICES,
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
    trivy_scans,
)
from todo import cluster, k8s_suite, versions
from todo.main import Env

pytestmark = pytest.mark.anyio
TAG = REVISION[:12]
NEXT_TAG = f"{TAG}-next"


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


def is_suite(ctr: Type) -> bool:
    return bool(execs(ctr)) and execs(ctr)[-1] == ["sh", "-c", k8s_suite.RUN_SCRIPT]


def suite_runs(engine: FakeEngine) -> list[dagger.Container]:
    return list(containers_running(engine, ["sh", "-c", k8s_suite.RUN_SCRIPT]))


def suite_run(engine: FakeEngine) -> dagger.Container:
    (ctr,) = suite_runs(engine)
    return ctr


def minikube_args() -> dict[str, object]:
    return {
        "env": Env.MINIKUBE,
        "kubeconfig": dag.set_secret("kubeconfig", "apiVersion: v1"),
        "kube_api": dag.host().service(
            [dagger.PortForward(backend=8443, frontend=8443)], host="192.168.49.2"
        ),
        "docker_socket": dag.host().unix_socket("/var/run/docker.sock"),
    }


async def test_deploy_k3s_pushes_the_built_images_into_an_in_engine_registry(engine: FakeEngine) -> None:
    await pipeline().deploy()
    registry = started(engine, versions.REGISTRY_IMAGE)
    pushes = list(containers_running(engine, ["skopeo", "copy"]))
    # Each image under the deployed tag and, for k8s-tests' rolling upgrade, a second tag.
    assert sorted(execs(p)[-1][-1] for p in pushes) == sorted(
        f"docker://registry:5000/{s.image}:{t}" for s in SERVICES for t in (TAG, NEXT_TAG)
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
    # k3s's bundled metrics-server serves the metrics API that k8s-tests' HPA test needs.
    assert not [a for a in argv if "metrics-server" in a]
    registries = one(server, "withNewFile")
    assert registries["path"] == "/etc/todo/registries.yaml"
    assert '"registry:5000"' in registries["contents"]
    assert '- "http://registry:5000"' in registries["contents"]
    assert bindings(server)["registry"] is started(engine, versions.REGISTRY_IMAGE)
    assert calls(server, "withExposedPort")[0]["port"] == 6443
    assert server in engine.of("Service.stop")


async def test_the_k3s_node_is_not_evicted_from_a_ci_runner_with_a_fairly_full_disk(
    engine: FakeEngine,
) -> None:
    await pipeline().deploy()
    argv = one(started(engine, versions.K3S_IMAGE), "asService")["args"]
    (eviction,) = [a.split("=", 2)[2] for a in argv if a.startswith("--kubelet-arg=eviction-hard=")]
    thresholds = dict(item.split("<") for item in eviction.split(","))
    # The kubelet's defaults (imagefs.available<15%) taint the node on a runner whose disk is 85 % full.
    for signal in ("imagefs.available", "nodefs.available"):
        assert thresholds[signal].endswith("%"), thresholds
        assert float(thresholds[signal].removesuffix("%")) <= 5, thresholds
    assert "memory.available" in thresholds


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
    assert out.startswith(f"output of {execs(helm)[-1]}\n")


async def test_deploy_tags_the_images_with_the_given_tag(engine: FakeEngine) -> None:
    await pipeline().deploy(tag="dev")
    assert "global.image.tag=dev" in execs(helm_run(engine))[-2]
    assert {execs(p)[-1][-1] for p in containers_running(engine, ["skopeo"])} == {
        f"docker://registry:5000/{s.image}:{t}" for s in SERVICES for t in ("dev", "dev-next")
    }
    suite_env = env(suite_run(engine))
    assert (suite_env["TODO_K8S_IMAGE_TAG"], suite_env["TODO_K8S_NEXT_IMAGE_TAG"]) == ("dev", "dev-next")


async def test_each_deploy_is_a_new_run_for_the_engine(engine: FakeEngine) -> None:
    """Every command with a side effect carries the deploy's run id from its first exec on."""
    await pipeline().deploy()
    await pipeline().deploy()
    helms = list(containers_running(engine, ["helm", "test"]))
    pushes = list(containers_running(engine, ["skopeo", "copy"]))
    suites = suite_runs(engine)
    run_ids = [env(ctr)["TODO_RUN_ID"] for ctr in helms]
    assert len(set(run_ids)) == 2
    assert {env(p)["TODO_RUN_ID"] for p in pushes} == set(run_ids)
    assert [env(ctr)["TODO_RUN_ID"] for ctr in suites] == run_ids
    for ctr in [*helms, *pushes, *suites]:
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
    loads = [c for c in containers_running(engine, ["sh", "-c"]) if not is_suite(c)]
    assert sorted(env(c)["REF"] for c in loads) == sorted(f"{s.image}:{TAG}" for s in SERVICES)
    # Each image also tagged <tag>-next, for k8s-tests' rolling upgrade.
    assert sorted(env(c)["EXTRA_REFS"] for c in loads) == sorted(f"{s.image}:{NEXT_TAG}" for s in SERVICES)
    for load in loads:
        assert base_image(load) == versions.DOCKER_CLI_IMAGE
        assert one(load, "withUnixSocket") == {"path": "/var/run/docker.sock", "source": docker}
        assert env(load)["NODE"] == "dev-cluster"
        assert 'docker exec -i "$NODE" docker "$@"' in execs(load)[-1][2]
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
    assert {("scripts/test", "lint"), ("scripts/test", "python"), ("helm", "test")} <= ran
    assert {scan.argv[1] for scan in trivy_scans(engine).values()} == {"image", "fs"}
    # The deploy proves the deployment: k8s-tests against the k3s cluster, after helm test.
    assert bindings(suite_run(engine))["k3s"] is started(engine, versions.K3S_IMAGE)
    deployed = out.split("== deploy\n", 1)[1]
    assert "===== k8s-tests =====" in deployed


def file_from(ctr: dagger.Container, path: str) -> dagger.File:
    (found,) = [c["source"] for c in calls(ctr, "withFile") if c["path"] == path]
    file: dagger.File = found
    return file


def values_file_contents(ctr: dagger.Container) -> str:
    values = file_from(ctr, env(ctr)["TODO_K8S_VALUES"])
    return str(one(values, "withNewFile")["contents"])


async def test_deploy_k3s_runs_k8s_tests_in_the_python_toolchain_with_kubectl_and_helm(
    engine: FakeEngine,
) -> None:
    await pipeline().deploy()
    suite = suite_run(engine)
    assert base_image(suite) == versions.PYTHON_TOOLCHAIN_IMAGE
    assert one(suite, "withDirectory")["path"] == "/src"
    assert one(suite, "withWorkdir")["path"] == "/src"
    # No Debian packages: the suite's exec is the container's only one.
    assert execs(suite) == [["sh", "-c", k8s_suite.RUN_SCRIPT]]
    assert k8s_suite.RUN_SCRIPT.endswith("exec scripts/test k8s")
    assert calls(suite, "withExec")[0]["expect"] == dagger.ReturnType.ANY.value
    kubectl = file_from(suite, "/usr/local/bin/kubectl")
    assert (base_image(kubectl), chain(kubectl)[-1]) == (
        versions.KUBECTL_IMAGE,
        ("file", {"path": "/bin/kubectl"}),
    )
    helm = file_from(suite, "/usr/local/bin/helm")
    assert (base_image(helm), chain(helm)[-1]) == (versions.HELM_IMAGE, ("file", {"path": "/usr/bin/helm"}))


async def test_deploy_k3s_points_k8s_tests_at_the_k3s_cluster_and_the_deployed_images(
    engine: FakeEngine,
) -> None:
    await pipeline().deploy()
    suite = suite_run(engine)
    settings = env(suite)
    assert settings["KUBECONFIG"] == k8s_suite.KUBECONFIG
    assert settings["TODO_K8S_IMAGE_TAG"] == TAG
    assert settings["TODO_K8S_NEXT_IMAGE_TAG"] == NEXT_TAG
    assert settings["TODO_K8S_REQUIRED"] == "1"
    assert settings["TODO_K8S_VALUES"] == "/etc/todo-k8s/values.yaml"
    assert 'registry: "registry:5000"' in values_file_contents(suite)
    # A private copy of k3s's kubeconfig (tmpfs), its server rewritten to the bound k3s service.
    assert settings["CLUSTER_KUBECONFIG"] == cluster.KUBECONFIG_PATH
    assert settings["KUBE_SERVER"] == "https://k3s:6443"
    kubeconfig_cache = next(
        c["cache"] for c in calls(suite, "withMountedCache") if c["path"] == cluster.KUBECONFIG_DIR
    )
    helm_cache = one(helm_run(engine), "withMountedCache")["cache"]
    assert chain(kubeconfig_cache) == chain(helm_cache)
    assert k8s_suite.KUBECONFIG.startswith(one(suite, "withMountedTemp")["path"] + "/")
    assert bindings(suite) == {"k3s": started(engine, versions.K3S_IMAGE)}


async def test_k8s_tests_run_after_helm_test_while_the_cluster_is_up(engine: FakeEngine) -> None:
    out = await pipeline().deploy()
    awaited = [(name, obj) for name, obj, _ in engine.awaited]
    helm_test_at = awaited.index(("Container.stdout", helm_run(engine)))
    suite = suite_run(engine)
    suite_at = min(i for i, (name, obj) in enumerate(awaited) if obj is suite)
    server = started(engine, versions.K3S_IMAGE)
    stopped_at = awaited.index(("Service.stop", server))
    assert helm_test_at < suite_at < stopped_at
    helm_logs = f"output of {execs(helm_run(engine))[-1]}"
    assert out == f"{helm_logs}\n\n===== k8s-tests =====\noutput of {execs(suite)[-1]}"


async def test_a_failing_k8s_tests_run_fails_the_deploy_naming_the_failed_tests(engine: FakeEngine) -> None:
    pytest_output = (
        "k8s-tests/test_01_install.py::test_all_pods_ready PASSED\n"
        "k8s-tests/test_06_rollout.py::test_rollback_under_load FAILED\n"
        "=========================== short test summary info ===========================\n"
        "FAILED k8s-tests/test_06_rollout.py::test_rollback_under_load - assert 3 == 0\n"
        "ERROR k8s-tests/test_04_scaling.py::test_hpa - Failed: no metrics API\n"
        "============= 1 failed, 1 passed, 1 error in 612.3s =============\n"
    )
    engine.exit_code = lambda ctr: 1 if is_suite(ctr) else 0
    engine.output = lambda ctr: pytest_output if is_suite(ctr) else "helm test passed"
    with pytest.raises(RuntimeError) as failed:
        await pipeline().deploy()
    message = str(failed.value)
    head = message.split("=====", 1)[0]
    assert "k8s-tests failed (exit code 1)" in head
    assert "FAILED k8s-tests/test_06_rollout.py::test_rollback_under_load - assert 3 == 0" in head
    assert "ERROR k8s-tests/test_04_scaling.py::test_hpa" in head
    assert pytest_output in message
    # The cluster and the registry are stopped all the same.
    assert started(engine, versions.K3S_IMAGE) in engine.of("Service.stop")
    assert started(engine, versions.REGISTRY_IMAGE) in engine.of("Service.stop")


def test_a_suite_that_failed_before_any_test_still_says_so() -> None:
    report = k8s_suite.failure_report(2, "ImportError while loading conftest")
    assert "exit code 2" in report
    assert "no failed test reported" in report
    assert k8s_suite.failed_tests("FAILED\nFAILED a::b - x\n  FAILED c::d\nERROR e::f") == [
        "FAILED a::b - x",
        "ERROR e::f",
    ]


async def test_deploy_without_the_suite_is_helm_test_alone(engine: FakeEngine) -> None:
    out = await pipeline().deploy(suite=False)
    assert suite_runs(engine) == []
    assert out == f"output of {execs(helm_run(engine))[-1]}"
    assert {execs(p)[-1][-1] for p in containers_running(engine, ["skopeo"])} == {
        f"docker://registry:5000/{s.image}:{TAG}" for s in SERVICES
    }
    await pipeline().deploy(suite=False, **minikube_args())
    loads = list(containers_running(engine, ["sh", "-c"]))
    assert loads
    assert {env(c)["EXTRA_REFS"] for c in loads} == {""}


async def test_deploy_minikube_runs_k8s_tests_through_the_kubeconfig_secret_and_the_api_service(
    engine: FakeEngine,
) -> None:
    args = minikube_args()
    out = await pipeline().deploy(**args)
    suite = suite_run(engine)
    secret = one(suite, "withMountedSecret")
    assert secret["source"] is args["kubeconfig"]
    settings = env(suite)
    assert settings["CLUSTER_KUBECONFIG"] == secret["path"]
    assert settings["KUBECONFIG"] == k8s_suite.KUBECONFIG
    assert settings["KUBE_SERVER"] == "https://kubernetes:8443"
    assert bindings(suite) == {"kubernetes": args["kube_api"]}
    assert (settings["TODO_K8S_IMAGE_TAG"], settings["TODO_K8S_NEXT_IMAGE_TAG"]) == (TAG, NEXT_TAG)
    assert settings["TODO_K8S_REQUIRED"] == "1"
    assert 'registry: ""' in values_file_contents(suite)
    assert "apiVersion" not in str(chain(suite))
    assert out.endswith(f"===== k8s-tests =====\noutput of {execs(suite)[-1]}")
    awaited = [obj for _, obj, _ in engine.awaited]
    assert awaited.index(helm_run(engine)) < awaited.index(suite)


async def test_deploy_minikube_honours_the_api_server_port_for_k8s_tests(engine: FakeEngine) -> None:
    await pipeline().deploy(**minikube_args(), kube_api_port=32771)
    assert env(suite_run(engine))["KUBE_SERVER"] == "https://kubernetes:32771"


async def test_a_tag_without_room_for_the_second_tag_is_refused_before_anything_runs(
    engine: FakeEngine,
) -> None:
    with pytest.raises(ValueError, match="invalid image tag"):
        await pipeline().deploy(tag="x" * 128)
    assert engine.of("Service.start") == []
