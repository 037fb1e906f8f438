"""The Dagger functions of the pipeline; each one delegates to a small module that does one job."""

import enum
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any, Final, TypeVar, cast

import dagger
from dagger import DefaultPath, Doc, Ignore, dag, function, object_type

from . import catalog as components
from . import chart, cluster, container_suite, k8s_suite, scanning, suites, versions
from .catalog import ServiceSpec
from .images import BuildInfo, build_all, build_image, image_ref
from .parallel import gather
from .references import validate_registry

SOURCE_IGNORE: Final = [
    ".git",
    "**/node_modules",
    "**/.venv",
    "**/.next",
    "**/__pycache__",
    "**/.mypy_cache",
    "**/.ruff_cache",
    "**/.pytest_cache",
    "**/*.tsbuildinfo",
    "**/test-results",
    "**/coverage",
    "artifacts",
    "ci/sdk",
    ".env",
]
EXPECTED_IMAGE_USER: Final = "10001"
CONTAINERS: Final = "containers"
# The image recipes under services/: a service's own Dockerfile, or a recipe several services share.
DOCKERFILES: Final = ["*/Dockerfile", "*.Dockerfile"]
F = TypeVar("F", bound=Callable[..., Any])


def uncached(func: F) -> F:
    """`@function(cache="never")`, for functions with side effects (the SDK's typing omits `cache`)."""
    return cast(F, cast(Callable[..., Any], function)(cache="never")(func))


@dagger.enum_type
class Env(enum.Enum):
    """Where `deploy` installs the chart."""

    K3S = "k3s"
    """A throwaway k3s cluster inside the Dagger engine (needs nothing but Docker)."""

    MINIKUBE = "minikube"
    """The user's Minikube, through its kubeconfig and API server address."""


def _run_id() -> str:
    """Unique per call: keeps the engine from reusing the result of an earlier side effect."""
    return uuid.uuid4().hex


def _scan_day() -> str:
    return datetime.now(UTC).date().isoformat()


async def _sync(ctr: dagger.Container) -> dagger.Container:
    return await ctr.sync()


def _with_suite_output(helm_test_logs: str, suite_output: str) -> str:
    return f"{helm_test_logs.rstrip()}\n\n===== k8s-tests =====\n{suite_output}"


@object_type
class Todo:
    """Delivery pipeline of Evolution of Todo: build, test, scan, lint the chart, deploy and publish."""

    source: Annotated[
        dagger.Directory,
        DefaultPath("/"),
        Ignore(SOURCE_IGNORE),
        Doc("The repository (default: the checkout that holds dagger.json, without build outputs)"),
    ]
    git: Annotated[
        dagger.GitRef,
        DefaultPath("./.git"),
        Doc("The git checkout; its HEAD commit is the images' REVISION and default tag"),
    ]
    python_image: Annotated[str, Doc("Base image of the Python services (PYTHON_IMAGE build arg)")] = ""
    node_image: Annotated[str, Doc("Base image of the frontend (NODE_IMAGE build arg)")] = ""
    source_url: Annotated[str, Doc("Repository URL for the images' OCI source label")] = ""
    image_mirror: Annotated[
        str,
        Doc(
            "A registry that mirrors the images the pipeline pulls, as <mirror>/<registry host>/<path>:<tag>"
            " (e.g. registry.internal:5000 serves python:3.11 as registry.internal:5000/docker.io/library/"
            "python:3.11). Images are then taken by tag: their pinned digests are not checked"
        ),
    ] = ""

    async def _info(self, version: str = "", tag: str = "") -> BuildInfo:
        return BuildInfo.resolve(
            revision=await self.git.commit(), version=version, tag=tag, source_url=self.source_url
        )

    async def _images(self, info: BuildInfo) -> dict[ServiceSpec, dagger.Container]:
        return build_all(
            self.source,
            await components.load(self.source),
            info,
            python_image=self.python_image,
            node_image=self.node_image,
            mirror=self._mirror,
        )

    @property
    def _mirror(self) -> str:
        return validate_registry(self.image_mirror) if self.image_mirror else ""

    @function
    async def build(
        self,
        service_name: Annotated[
            str, dagger.Name("service"), Doc("A component of charts/todo/components.yaml, e.g. backend")
        ],
        version: Annotated[
            str, Doc("Release version for the VERSION label (default: from the git revision)")
        ] = "",
    ) -> dagger.Container:
        """The image of one service, built from services/<name>/Dockerfile with the repository as context."""
        spec = (await components.load(self.source)).service(service_name)
        return build_image(
            self.source,
            spec,
            await self._info(version),
            python_image=self.python_image,
            node_image=self.node_image,
            mirror=self._mirror,
        )

    @function
    async def build_all(
        self,
        tag: Annotated[
            str, Doc("Image tag (default: the version, else the first 12 characters of the revision)")
        ] = "",
        version: Annotated[str, Doc("Release version for the VERSION label")] = "",
    ) -> str:
        """Builds every service's image in parallel; checks each runs as UID 10001; lists them."""
        info = await self._info(version, tag)
        images = await self._images(info)
        built = await gather([partial(_sync, ctr) for ctr in images.values()])
        users = await gather([ctr.user for ctr in built])
        lines = []
        for spec, user in zip(images, users, strict=True):
            if user.split(":")[0] != EXPECTED_IMAGE_USER:
                msg = f"{spec.image} runs as user {user!r}, the contract requires {EXPECTED_IMAGE_USER}"
                raise ValueError(msg)
            lines.append(f"{image_ref(spec, info.tag)}  (user {user})")
        return "\n".join(lines)

    @function
    async def image_tarballs(
        self,
        tag: Annotated[str, Doc("Image tag (default: from the version or revision)")] = "",
        version: Annotated[str, Doc("Release version for the VERSION label")] = "",
    ) -> dagger.Directory:
        """The images as OCI tarballs, <image>_<tag>.tar (e.g. `export --path artifacts/images`)."""
        info = await self._info(version, tag)
        out = dag.directory()
        for spec, ctr in (await self._images(info)).items():
            out = out.with_file(f"{spec.image}_{info.tag}.tar", ctr.as_tarball())
        return out

    @uncached
    async def export_images(
        self,
        docker_socket: Annotated[
            dagger.Socket, Doc("The Docker engine to load them into, e.g. /var/run/docker.sock")
        ],
        tag: Annotated[str, Doc("Image tag (default: from the version or revision)")] = "",
        version: Annotated[str, Doc("Release version for the VERSION label")] = "",
    ) -> str:
        """Loads the images into a Docker engine (e.g. your own: --docker-socket=/var/run/docker.sock) as
        <image>:<tag>. (A module function cannot use `export-image`, which only the CLI's own calls can.)"""
        info = await self._info(version, tag)
        images = await self._images(info)
        run_id = _run_id()
        refs = [image_ref(spec, info.tag) for spec in images]
        loads = [
            partial(_sync, cluster.load_into_docker(ctr, ref, docker_socket, run_id, mirror=self._mirror))
            for ctr, ref in zip(images.values(), refs, strict=True)
        ]
        await gather(loads)
        return "\n".join(refs)

    @function
    async def lint(self) -> str:
        """ruff and mypy --strict over the Python code (`scripts/test lint`)."""
        result = await suites.run_suite(self.source, "lint", mirror=self._mirror)
        if not result.passed:
            raise RuntimeError(suites.failure_report([result]))
        return result.output

    @function
    async def test(
        self,
        suite: Annotated[
            list[str] | None,
            Doc("Only these suites: python, chart, pipeline, frontend, containers (default: all)"),
        ] = None,
    ) -> str:
        """Every test suite in its own container, in parallel; fails with the output of the failed ones.
        The container suite runs the images of `build-all` in a Docker engine of its own."""
        selected = suite or [*suites.TEST_SUITES, CONTAINERS]
        unknown = set(selected) - {*suites.TEST_SUITES, CONTAINERS}
        if unknown:
            msg = f"unknown suite {sorted(unknown)}: expected {', '.join([*suites.TEST_SUITES, CONTAINERS])}"
            raise ValueError(msg)
        runs = [
            partial(suites.run_suite, self.source, s, mirror=self._mirror)
            for s in suites.TEST_SUITES
            if s in selected
        ]
        if CONTAINERS in selected:
            images = await self._images(await self._info())
            bases = {
                "PYTHON_IMAGE": self.python_image or versions.PYTHON_BASE_IMAGE,
                "NODE_IMAGE": self.node_image or versions.NODE_BASE_IMAGE,
            }
            containers = container_suite.suite_container(self.source, images, bases, mirror=self._mirror)
            runs.append(partial(suites.outcome, CONTAINERS, containers))
        results = await gather(runs)
        if report := suites.failure_report(results):
            raise RuntimeError(report)
        return "\n".join(f"suite {r.suite}: passed" for r in results)

    async def _scan(self, version: str, *, vulnerabilities: bool) -> list[scanning.ScanResult]:
        day = _scan_day()
        info = await self._info(version)
        scans: list[tuple[dagger.Container, scanning.ScanTarget]] = []
        for spec, ctr in (await self._images(info)).items():
            target = scanning.ScanTarget(f"image-{spec.image}", "image", vulnerabilities=vulnerabilities)
            scans.append((scanning.scan_image(ctr, target, day, mirror=self._mirror), target))
        dockerfiles = dag.directory().with_directory(
            "services", self.source.directory("services"), include=DOCKERFILES
        )
        for name, directory in (
            ("dockerfiles", dockerfiles),
            ("chart", self.source.directory(chart.CHART_PATH)),
        ):
            target = scanning.ScanTarget(f"config-{name}", "config")
            scans.append((scanning.scan_config(directory, target, day, mirror=self._mirror), target))
        return await gather([partial(scanning.run_scan, ctr, target) for ctr, target in scans])

    @uncached
    async def scan(
        self,
        version: Annotated[str, Doc("Release version of the images to scan")] = "",
        vulnerabilities: Annotated[
            bool,
            Doc(
                "Look up the images' vulnerabilities (Trivy downloads its database); false: misconfigurations"
                " and secrets only, for a machine that cannot reach Trivy's database"
            ),
        ] = True,
    ) -> str:
        """Trivy on the images, the Dockerfiles and the chart; fails on HIGH/CRITICAL findings
        (vulnerabilities: fixable ones) and when Trivy cannot scan."""
        results = await self._scan(version, vulnerabilities=vulnerabilities)
        report = scanning.summary(results)
        if any(r.exit_code != 0 for r in results):
            raise RuntimeError(report)
        return report

    @uncached
    async def scan_report(
        self,
        version: Annotated[str, Doc("Release version of the images to scan")] = "",
        vulnerabilities: Annotated[bool, Doc("Look up the images' vulnerabilities (see `scan`)")] = True,
    ) -> dagger.Directory:
        """The scan as files, whatever its outcome: trivy.sarif (for GitHub code scanning) and trivy.txt."""
        results = await self._scan(version, vulnerabilities=vulnerabilities)
        return (
            dag.directory()
            .with_new_file(scanning.SARIF_FILE, scanning.merge_sarif(results))
            .with_new_file(scanning.SUMMARY_FILE, scanning.summary(results))
        )

    @function
    async def lint_chart(
        self,
        schemas: Annotated[
            dagger.Directory | None,
            Doc(
                "kubeconform's Kubernetes schemas, laid out as yannh/kubernetes-json-schema"
                " (<version>-standalone-strict/<kind>-<group>-<version>.json for v1.30.0 and master),"
                " for a machine that cannot download them"
            ),
        ] = None,
    ) -> str:
        """helm lint and helm template with every values file, then kubeconform -strict (1.30 and newest)."""
        chart_dir = self.source.directory(chart.CHART_PATH)
        values_files = sorted(await chart_dir.glob("values*.yaml"))
        rendered = chart.lint_and_render(chart_dir, values_files, mirror=self._mirror).directory(
            chart.RENDER_DIR
        )
        validations = chart.validate(rendered, schemas=schemas, mirror=self._mirror)
        outputs = await gather([ctr.stdout for ctr in validations])
        return "\n".join(outputs)

    @uncached
    async def deploy(
        self,
        env: Annotated[Env, Doc("k3s (a throwaway cluster in the engine) or minikube")] = Env.K3S,
        tag: Annotated[str, Doc("Image tag (default: the version, else the revision)")] = "",
        version: Annotated[str, Doc("Release version of the images")] = "",
        release: Annotated[str, Doc("Helm release name")] = "todo",
        namespace: Annotated[str, Doc("Kubernetes namespace")] = "todo",
        kubeconfig: Annotated[
            dagger.Secret | None,
            Doc(
                "Minikube: a self-contained kubeconfig, e.g."
                ' cmd://"kubectl config view --raw --minify --flatten --context=minikube"'
            ),
        ] = None,
        kube_api: Annotated[
            dagger.Service | None, Doc("Minikube: its API server, e.g. tcp://$(minikube ip):8443")
        ] = None,
        kube_api_port: Annotated[int, Doc("Minikube: the API server port")] = 8443,
        docker_socket: Annotated[
            dagger.Socket | None, Doc("Minikube: the host's Docker socket, to load the images into the node")
        ] = None,
        minikube_profile: Annotated[
            str, Doc("Minikube: profile, i.e. the node container's name")
        ] = "minikube",
        load_images: Annotated[
            bool,
            Doc(
                "Minikube: load the built images into the node, tagged <tag> and <tag>-next"
                " (off: you ran `minikube image load` for both tags)"
            ),
        ] = True,
        values: Annotated[
            dagger.File | None,
            Doc(
                "Your own values file, layered over charts/todo/values-minikube.yaml and the image settings"
                " (the release and the k8s-tests installs both use it)"
            ),
        ] = None,
        suite: Annotated[
            bool,
            Doc(
                "After the release is up and `helm test` passed, run k8s-tests against the same cluster"
                " (rollouts, rollback, self-healing, NetworkPolicies, scaling; about 10 minutes)"
            ),
        ] = True,
    ) -> str:
        """Installs or upgrades the chart (waits, rolls back on failure), runs `helm test`, then k8s-tests."""
        cluster.validate_k8s_name("release", release)
        cluster.validate_k8s_name("namespace", namespace)
        info = await self._info(version, tag)
        images = await self._images(info)
        chart_dir = self.source.directory(chart.CHART_PATH)
        # The rolling-upgrade test of k8s-tests upgrades to a second tag of the same images.
        extra_tags = (k8s_suite.next_tag(info.tag),) if suite else ()
        if env == Env.K3S:
            return await self._deploy_k3s(
                images, chart_dir, info, release, namespace, suite=suite, extra_tags=extra_tags, values=values
            )
        if kubeconfig is None or kube_api is None:
            msg = (
                "--env minikube needs --kubeconfig and --kube-api, e.g. "
                '--kubeconfig=cmd://"kubectl config view --raw --minify --flatten --context=minikube" '
                '--kube-api=tcp://"$(minikube ip)":8443 (see docs/pipeline.md)'
            )
            raise ValueError(msg)
        if load_images and docker_socket is None:
            msg = (
                "--env minikube needs --docker-socket=/var/run/docker.sock to load the images"
                " (or --load-images=false after `minikube image load`)"
            )
            raise ValueError(msg)
        run_id = _run_id()
        if load_images and docker_socket is not None:
            socket = docker_socket
            await gather(
                [
                    partial(
                        _sync,
                        cluster.load_into_docker(
                            ctr,
                            image_ref(spec, info.tag),
                            socket,
                            run_id,
                            tuple(image_ref(spec, t) for t in extra_tags),
                            node=minikube_profile,
                            mirror=self._mirror,
                        ),
                    )
                    for spec, ctr in images.items()
                ]
            )
        helm = cluster.helm_on_minikube(
            chart_dir, kubeconfig, kube_api, kube_api_port, run_id, mirror=self._mirror
        )
        logs = await cluster.release_and_test(
            helm, release=release, namespace=namespace, registry="", tag=info.tag, values=values
        ).stdout()
        if not suite:
            return logs
        ran = cluster.suite_on_minikube(
            self.source,
            kubeconfig,
            kube_api,
            kube_api_port,
            info.tag,
            run_id,
            values=values,
            mirror=self._mirror,
        )
        return _with_suite_output(logs, await k8s_suite.outcome(ran))

    async def _deploy_k3s(
        self,
        images: dict[ServiceSpec, dagger.Container],
        chart_dir: dagger.Directory,
        info: BuildInfo,
        release: str,
        namespace: str,
        *,
        suite: bool,
        extra_tags: tuple[str, ...],
        values: dagger.File | None,
    ) -> str:
        run_id = _run_id()
        registry = cluster.registry_service(mirror=self._mirror)
        # Started explicitly so that it stays up (and keeps the pushed images) until the deploy is done.
        registry = await registry.start()
        try:
            await gather(
                [
                    partial(
                        _sync,
                        cluster.push_to_registry(
                            ctr, image_ref(spec, t), registry, run_id, mirror=self._mirror
                        ),
                    )
                    for spec, ctr in images.items()
                    for t in (info.tag, *extra_tags)
                ]
            )
            kubeconfig = dag.cache_volume("todo-k3s-kubeconfig")
            server = await cluster.k3s_server(registry, kubeconfig, mirror=self._mirror).start()
            try:
                helm = cluster.helm_on_k3s(chart_dir, kubeconfig, server, run_id, mirror=self._mirror)
                logs = await cluster.release_and_test(
                    helm,
                    release=release,
                    namespace=namespace,
                    registry=cluster.REGISTRY_ADDRESS,
                    tag=info.tag,
                    values=values,
                ).stdout()
                if not suite:
                    return logs
                ran = cluster.suite_on_k3s(
                    self.source, kubeconfig, server, info.tag, run_id, values=values, mirror=self._mirror
                )
                return _with_suite_output(logs, await k8s_suite.outcome(ran))
            finally:
                await server.stop()
        finally:
            await registry.stop()

    @uncached
    async def publish(
        self,
        registry: Annotated[str, Doc("Registry and namespace, e.g. ghcr.io/acme")],
        tag: Annotated[str, Doc("Image tag (default: the version, else the revision)")] = "",
        version: Annotated[str, Doc("Release version for the VERSION label")] = "",
        username: Annotated[str, Doc("Registry user (with --password)")] = "",
        password: Annotated[
            dagger.Secret | None, Doc("Registry password or token, e.g. env://REGISTRY_TOKEN")
        ] = None,
    ) -> str:
        """Pushes the images as <registry>/<image>:<tag>; returns the references with their digests."""
        validate_registry(registry)
        if (password is None) != (not username):
            msg = "--username and --password go together (or neither, for a registry you are logged in to)"
            raise ValueError(msg)
        info = await self._info(version, tag)
        host = registry.split("/")[0]
        pushes = []
        for spec, ctr in (await self._images(info)).items():
            authed = ctr.with_registry_auth(host, username, password) if password is not None else ctr
            pushes.append(partial(authed.publish, image_ref(spec, info.tag, registry)))
        return "\n".join(await gather(pushes))

    @uncached
    async def ci(
        self,
        version: Annotated[str, Doc("Release version of the images")] = "",
        tag: Annotated[str, Doc("Image tag (default: the version, else the revision)")] = "",
        vulnerabilities: Annotated[
            bool, Doc("scan: look up the images' vulnerabilities (false: misconfigurations and secrets only)")
        ] = True,
        schemas: Annotated[
            dagger.Directory | None,
            Doc("lint-chart: kubeconform's schemas, for a machine that cannot download them"),
        ] = None,
        env: Annotated[
            Env, Doc("deploy: k3s (a throwaway cluster in the engine) or minikube (any cluster)")
        ] = Env.K3S,
        kubeconfig: Annotated[dagger.Secret | None, Doc("deploy --env=minikube: see `deploy`")] = None,
        kube_api: Annotated[dagger.Service | None, Doc("deploy --env=minikube: see `deploy`")] = None,
        kube_api_port: Annotated[int, Doc("deploy --env=minikube: see `deploy`")] = 8443,
        docker_socket: Annotated[dagger.Socket | None, Doc("deploy --env=minikube: see `deploy`")] = None,
        minikube_profile: Annotated[str, Doc("deploy --env=minikube: see `deploy`")] = "minikube",
        load_images: Annotated[bool, Doc("deploy --env=minikube: see `deploy`")] = True,
        values: Annotated[dagger.File | None, Doc("deploy: your own values file (see `deploy`)")] = None,
    ) -> str:
        """What CI runs: lint, test, build-all, scan, lint-chart in parallel; then deploy (helm test,
        k8s-tests) to k3s in the engine or, with --env=minikube, to an existing cluster.
        Fails if a stage fails."""
        checks: list[str] = await gather(
            [
                self.lint,
                self.test,
                partial(self.build_all, tag=tag, version=version),
                partial(self.scan, version=version, vulnerabilities=vulnerabilities),
                partial(self.lint_chart, schemas=schemas),
            ]
        )
        deployed = await self.deploy(
            env=env,
            tag=tag,
            version=version,
            kubeconfig=kubeconfig,
            kube_api=kube_api,
            kube_api_port=kube_api_port,
            docker_socket=docker_socket,
            minikube_profile=minikube_profile,
            load_images=load_images,
            values=values,
        )
        names = ("lint", "test", "build-all", "scan", "lint-chart", "deploy")
        return "\n\n".join(f"== {name}\n{out}" for name, out in zip(names, [*checks, deployed], strict=True))


__all__ = ["Env", "Todo"]
