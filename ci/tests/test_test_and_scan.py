"""lint, test and scan: the containers, commands and flags, and how failures are reported."""

import json

import dagger
import pytest
from dagger import dag
from dagger.client.base import Type
from dagger_chains import (
    SERVICES,
    FakeEngine,
    base_image,
    bindings,
    calls,
    canned_contents,
    chain,
    containers_running,
    env,
    execs,
    file_path,
    flag_value,
    pipeline,
    trivy_scans,
)
from todo import scanning, suites, versions

pytestmark = pytest.mark.anyio


def suite_runs(engine: FakeEngine) -> dict[str, dagger.Container]:
    return {
        ctr_execs[-1][1]: ctr
        for ctr in containers_running(engine, ["scripts/test"])
        if (ctr_execs := execs(ctr))
    }


async def test_test_runs_every_suite_in_its_own_container(engine: FakeEngine) -> None:
    out = await pipeline().test()
    runs = suite_runs(engine)
    assert set(runs) == {"python", "chart", "pipeline", "frontend", "containers"}
    for suite, ctr in runs.items():
        # No `expect`: a failed suite is an exec error, which the engine never caches (a cached failure
        # would be replayed as it was after the fix, a cached expect=ANY result as a success).
        # Only the frontend suite (its read-only bind mount of the web app) gets root capabilities.
        privileged = {"insecureRootCapabilities": True} if suite == "frontend" else {}
        assert calls(ctr, "withExec")[-1] == {"args": ["scripts/test", suite], **privileged}
        assert calls(ctr, "withWorkdir")[-1]["path"] == "/src"
        assert base_image(ctr) == versions.PYTHON_TOOLCHAIN_IMAGE
    assert out.splitlines() == [
        f"suite {s}: passed" for s in ("python", "chart", "pipeline", "frontend", "containers")
    ]


async def test_the_container_suite_runs_the_built_images_in_a_docker_engine_of_its_own(
    engine: FakeEngine,
) -> None:
    await pipeline().test()
    ctr = suite_runs(engine)["containers"]
    docker = bindings(ctr)["docker"]
    assert base_image(docker) == versions.DIND_IMAGE
    assert calls(docker, "asService")[-1]["insecureRootCapabilities"] is True
    assert env(ctr)["DOCKER_HOST"] == "tcp://docker:2375"
    assert env(ctr)["CONTAINER_TESTS_ADDRESS"] == "docker"
    (images,) = [c["source"] for c in calls(ctr, "withDirectory") if c["path"] == "/images"]
    tarballs = {c["path"] for c in calls(images, "withFile")}
    # What Docker 20.10's `docker load` unpacks: Docker media types and gzip layers, never zstd.
    for added in calls(images, "withFile"):
        assert calls(added["source"], "asTarball") == [
            {"mediaTypes": "DockerMediaTypes", "forcedCompression": "Gzip"}
        ]
    expected = {f"{s.image}_containertest.tar" for s in SERVICES} | {
        "postgres_17.6-bookworm.tar",
        "python_3.12.12-slim-bookworm.tar",
        "node_24.13.0-bookworm-slim.tar",
    }
    assert tarballs == expected
    assert env(ctr)["POSTGRES_IMAGE"] == versions.POSTGRES_IMAGE


async def test_suites_that_need_postgresql_get_a_throwaway_server_as_db(engine: FakeEngine) -> None:
    await pipeline().test()
    for suite, ctr in suite_runs(engine).items():
        if suite in ("python", "chart", "frontend"):
            assert env(ctr)["TEST_DATABASE_ADMIN_URL"] == "postgresql://todo:todo@db:5432/postgres"
            db = bindings(ctr)["db"]
            assert base_image(db) == versions.POSTGRES_IMAGE
            assert calls(db, "withExposedPort")[0]["port"] == 5432
        else:
            assert "db" not in bindings(ctr)


def apt_installed(ctr: dagger.Container) -> set[str]:
    installs = [e[-1] for e in execs(ctr) if "apt-get install" in " ".join(e)]
    return {word for line in installs for word in line.split("&&")[1].split()[4:]}


async def test_python_suites_have_postgresql_server_programs_for_private_servers(engine: FakeEngine) -> None:
    await pipeline().test()
    for suite, ctr in suite_runs(engine).items():
        assert "postgresql" in apt_installed(ctr), suite


async def test_the_frontend_suite_has_node_and_debian_chromium(engine: FakeEngine) -> None:
    await pipeline().test()
    frontend = suite_runs(engine)["frontend"]
    assert "chromium" in apt_installed(frontend)
    assert "chromium" not in apt_installed(suite_runs(engine)["python"])
    node_binary = next(c for c in calls(frontend, "withFile") if c["path"] == "/usr/local/bin/node")
    assert [f for f, _ in chain(node_binary["source"])][:2] == ["container", "from"]
    assert chain(node_binary["source"])[1][1]["address"] == versions.NODE_TOOLCHAIN_IMAGE


async def test_test_fails_with_the_output_of_the_failed_suites_only(engine: FakeEngine) -> None:
    engine.exit_code = lambda ctr: {"python": 1, "chart": 2}.get(execs(ctr)[-1][-1], 0)
    engine.stderr = lambda ctr: f"stderr of {execs(ctr)[-1]}"
    with pytest.raises(RuntimeError) as failed:
        await pipeline().test()
    report = str(failed.value)
    assert "suite python failed (exit code 1)" in report
    # Both streams of the failed exec, as the engine's exec error carries them.
    assert "output of ['scripts/test', 'python']\nstderr of ['scripts/test', 'python']" in report
    assert "suite chart failed (exit code 2)" in report
    assert "frontend" not in report
    assert "pipeline" not in report


async def test_lint_runs_the_lint_suite_and_fails_on_findings(engine: FakeEngine) -> None:
    await pipeline().lint()
    assert set(suite_runs(engine)) == {"lint"}
    engine.exit_code = lambda _ctr: 1
    engine.stderr = lambda _ctr: "src/app.py:3:1: F401 `os` imported but unused"
    with pytest.raises(RuntimeError, match="suite lint failed") as failed:
        await pipeline().lint()
    assert "F401 `os` imported but unused" in str(failed.value)


def scan_target(name: str, vulnerabilities: bool = True) -> scanning.ScanTarget:
    kind = "image" if name.startswith("image-") else "config"
    return scanning.ScanTarget(name, kind, vulnerabilities=vulnerabilities if kind == "image" else True)


SCANNED = {*(f"image-{s.image}" for s in SERVICES), "config-dockerfiles", "config-chart"}


async def test_scan_runs_the_pinned_trivy_on_every_image_the_dockerfiles_and_the_chart(
    engine: FakeEngine,
) -> None:
    await pipeline().scan()
    scans = trivy_scans(engine)
    assert set(scans) == SCANNED
    for name, scan in scans.items():
        assert base_image(scan.file) == versions.TRIVY_IMAGE
        target = scan_target(name)
        # Trivy's code lands in the target's exit-code file; a Trivy error fails the exec (no `expect`), so
        # the engine does not cache it.
        assert calls(scan.file, "withExec")[-1] == {"args": scanning.recorded(scan.argv, target)}
        assert scan.argv == scanning.scan_args(target)
        assert file_path(scan.file) == f"/reports/{name}.exit-code"


async def test_parallel_scans_take_turns_on_the_trivy_database_cache(engine: FakeEngine) -> None:
    await pipeline().scan()
    for scan in trivy_scans(engine).values():
        (cache,) = calls(scan.file, "withMountedCache")
        assert cache["path"] == "/root/.cache/trivy"
        assert cache["sharing"] == dagger.CacheSharingMode.LOCKED.value


def test_trivy_is_pinned_by_digest_to_a_release_outside_the_compromised_range() -> None:
    image, digest = versions.TRIVY_IMAGE.split("@")
    assert image == "aquasec/trivy:0.69.3"
    assert digest == "sha256:bcc376de8d77cfe086a917230e818dc9f8528e3c852f7b1aff648949b6258d1c"


async def test_scans_fail_on_high_and_critical_with_a_code_of_their_own(engine: FakeEngine) -> None:
    await pipeline().scan()
    for name, scan in trivy_scans(engine).items():
        argv = scan.argv
        assert flag_value(argv, "--severity") == "HIGH,CRITICAL"
        # Not 1, which is Trivy's code for its own errors.
        assert flag_value(argv, "--exit-code") == str(scanning.FINDINGS_EXIT_CODE) == "3"
        assert flag_value(argv, "--format") == "json"
        assert flag_value(argv, "--output") == f"/reports/{name}.json"
        if name.startswith("image-"):
            assert argv[:4] == ["trivy", "image", "--input", "/scan/image.tar"]
            assert flag_value(argv, "--scanners") == "vuln,misconfig,secret"
            assert "--ignore-unfixed" in argv
            tarball = next(
                c["source"] for c in calls(scan.file, "withMountedFile") if c["path"] == "/scan/image.tar"
            )
            assert chain(tarball)[-1][0] == "asTarball"
            build = next(args for field_name, args in chain(tarball) if field_name == "dockerBuild")
            spec = next(s for s in SERVICES if s.image == name.removeprefix("image-"))
            assert build["dockerfile"] == spec.dockerfile
        else:
            assert argv[:4] == ["trivy", "fs", "--scanners", "misconfig,secret"]
            assert argv[-1] == "/scan"


@pytest.mark.parametrize("function", ["scan", "scan_report"])
async def test_scan_without_vulnerabilities_needs_no_trivy_database(
    engine: FakeEngine, function: str
) -> None:
    await getattr(pipeline(), function)(vulnerabilities=False)
    scans = trivy_scans(engine)
    assert set(scans) == SCANNED
    for name, scan in scans.items():
        assert flag_value(scan.argv, "--scanners") == "misconfig,secret"
        assert "--ignore-unfixed" not in scan.argv
        assert scan.argv == scanning.scan_args(scan_target(name, vulnerabilities=False))


async def test_the_dockerfile_scan_sees_only_the_dockerfiles(engine: FakeEngine) -> None:
    await pipeline().scan()
    scanned = trivy_scans(engine)["config-dockerfiles"].file
    mounted = next(c["source"] for c in calls(scanned, "withMountedDirectory") if c["path"] == "/scan")
    assert calls(mounted, "withDirectory")[0]["include"] == ["*/Dockerfile", "*.Dockerfile"]


def is_table_of(ctr: Type, name: str) -> bool:
    return execs(ctr)[-1] == ["trivy", "convert", "--format", "table", f"/reports/{name}.json"]


async def test_scan_fails_with_the_findings_table(engine: FakeEngine) -> None:
    engine.contents = lambda file: (
        "3\n" if file_path(file) == "/reports/image-todo-backend.exit-code" else canned_contents(file)
    )
    engine.output = lambda ctr: "CVE-2026-0001 HIGH" if is_table_of(ctr, "image-todo-backend") else "clean"
    with pytest.raises(RuntimeError) as failed:
        await pipeline().scan()
    report = str(failed.value)
    assert "image-todo-backend: FAILED: HIGH/CRITICAL findings" in report
    assert "image-todo-frontend: passed" in report
    assert "===== image-todo-backend =====\nCVE-2026-0001 HIGH" in report
    assert "===== image-todo-frontend" not in report


DB_ERROR = (
    "2026-12-07T12:00:00Z\tFATAL\tFatal error\tinit error: DB error: failed to download vulnerability DB"
)


async def test_when_trivy_cannot_scan_the_scan_fails_with_trivy_s_own_error(engine: FakeEngine) -> None:
    def backend_scan(obj: Type) -> bool:
        return execs(obj)[-1][3:5] == ["trivy-scan", "/reports/image-todo-backend.exit-code"]

    engine.exit_code = lambda obj: 1 if backend_scan(obj) else 0
    engine.output = lambda obj: "2026-12-07T12:00:00Z\tINFO\tDownloading vulnerability DB..."
    engine.stderr = lambda obj: DB_ERROR if backend_scan(obj) else ""
    with pytest.raises(RuntimeError) as failed:
        await pipeline().scan()
    report = str(failed.value)
    assert f"image-todo-backend: ERROR: trivy could not scan (exit code 1): {DB_ERROR}\n" in report
    assert "image-todo-frontend: passed" in report
    # The report files are still written, with what could be scanned.
    out = await pipeline().scan_report()
    files = {c["path"]: c["contents"] for c in calls(out, "withNewFile")}
    assert DB_ERROR in files["trivy.txt"]
    categories = {run["automationDetails"]["id"] for run in json.loads(files["trivy.sarif"])["runs"]}
    assert categories == {f"trivy/{name}/" for name in SCANNED - {"image-todo-backend"}}


def test_an_error_without_output_still_says_what_failed() -> None:
    result = scanning.ScanResult(scan_target("config-chart"), 2, "\n", "")
    assert result.status == "ERROR: trivy could not scan (exit code 2): no output"


async def test_scan_report_is_one_sarif_log_with_a_category_per_target(engine: FakeEngine) -> None:
    out = await pipeline().scan_report()
    files = {c["path"]: c["contents"] for c in calls(out, "withNewFile")}
    assert set(files) == {"trivy.sarif", "trivy.txt"}
    sarif = json.loads(files["trivy.sarif"])
    categories = [run["automationDetails"]["id"] for run in sarif["runs"]]
    assert sorted(categories) == sorted(f"trivy/{name}/" for name in SCANNED)
    assert sarif["version"] == "2.1.0"


async def test_scans_are_redone_each_day_not_served_from_the_engine_cache(engine: FakeEngine) -> None:
    await pipeline().scan()
    days = {env(scan.file)["TODO_SCAN_DAY"] for scan in trivy_scans(engine).values()}
    assert len(days) == 1
    assert len(next(iter(days))) == len("2026-01-01")


def test_suite_names_are_validated() -> None:
    with pytest.raises(ValueError, match="unknown test suite 'e2e'"):
        suites.suite_container(dag.directory(), "e2e")


async def test_test_runs_only_the_suites_asked_for_and_names_the_valid_ones(engine: FakeEngine) -> None:
    out = await pipeline().test(suite=["containers"])
    assert set(suite_runs(engine)) == {"containers"}
    assert out == "suite containers: passed"
    with pytest.raises(ValueError, match="unknown suite \\['web'\\]: expected python, chart"):
        await pipeline().test(suite=["web"])
