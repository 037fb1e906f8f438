"""lint, test and scan: the containers, commands and flags, and how failures are reported."""

import json

import dagger
import pytest
from dagger import dag
from dagger_chains import (
    FakeEngine,
    base_image,
    bindings,
    calls,
    chain,
    containers_running,
    env,
    execs,
    pipeline,
)
from todo import suites, versions
from todo.catalog import SERVICES

pytestmark = pytest.mark.anyio


def suite_runs(engine: FakeEngine) -> dict[str, dagger.Container]:
    return {
        ctr_execs[-1][1]: ctr
        for ctr in containers_running(engine, ["scripts/test"])
        if (ctr_execs := execs(ctr))
    }


async def test_test_runs_every_suite_in_its_own_container_whatever_the_exit_code(engine: FakeEngine) -> None:
    out = await pipeline().test()
    runs = suite_runs(engine)
    assert set(runs) == {"python", "chart", "pipeline", "frontend"}
    for suite, ctr in runs.items():
        assert calls(ctr, "withExec")[-1] == {"args": ["scripts/test", suite], "expect": "ANY"}
        assert calls(ctr, "withWorkdir")[-1]["path"] == "/src"
        assert base_image(ctr) == versions.PYTHON_TOOLCHAIN_IMAGE
    assert out.splitlines() == [f"suite {s}: passed" for s in ("python", "chart", "pipeline", "frontend")]


async def test_suites_that_need_postgresql_get_a_throwaway_server_as_db(engine: FakeEngine) -> None:
    await pipeline().test()
    for suite, ctr in suite_runs(engine).items():
        if suite in ("python", "frontend"):
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
    engine.exit_code = lambda ctr: (
        1 if execs(ctr)[-1] in (["scripts/test", "python"], ["scripts/test", "chart"]) else 0
    )
    with pytest.raises(RuntimeError) as failed:
        await pipeline().test()
    report = str(failed.value)
    assert "suite python failed (exit code 1)" in report
    assert "output of ['scripts/test', 'python']" in report
    assert "suite chart failed" in report
    assert "frontend" not in report
    assert "pipeline" not in report


async def test_lint_runs_the_lint_suite_and_fails_on_findings(engine: FakeEngine) -> None:
    await pipeline().lint()
    assert set(suite_runs(engine)) == {"lint"}
    engine.exit_code = lambda _ctr: 1
    with pytest.raises(RuntimeError, match="suite lint failed"):
        await pipeline().lint()


def trivy_runs(engine: FakeEngine) -> dict[str, dagger.Container]:
    """The awaited scan containers (last exec = trivy image|config), keyed by their JSON report name."""
    runs = {}
    for kind in ("image", "config"):
        for ctr in containers_running(engine, ["trivy", kind]):
            argv = execs(ctr)[-1]
            runs[argv[argv.index("--output") + 1]] = ctr
    return runs


async def test_scan_runs_the_pinned_trivy_on_every_image_the_dockerfiles_and_the_chart(
    engine: FakeEngine,
) -> None:
    await pipeline().scan()
    runs = trivy_runs(engine)
    assert set(runs) == {
        *(f"/reports/image-{s.image}.json" for s in SERVICES),
        "/reports/config-dockerfiles.json",
        "/reports/config-chart.json",
    }
    for ctr in runs.values():
        assert base_image(ctr) == versions.TRIVY_IMAGE
        assert calls(ctr, "withExec")[-1]["expect"] == "ANY"


def test_trivy_is_pinned_by_digest_to_a_release_outside_the_compromised_range() -> None:
    image, digest = versions.TRIVY_IMAGE.split("@")
    assert image == "aquasec/trivy:0.69.3"
    assert digest == "sha256:bcc376de8d77cfe086a917230e818dc9f8528e3c852f7b1aff648949b6258d1c"


async def test_image_scans_read_the_oci_tarball_and_fail_only_on_fixable_high_and_critical(
    engine: FakeEngine,
) -> None:
    await pipeline().scan()
    for report, ctr in trivy_runs(engine).items():
        argv = execs(ctr)[-1]
        assert argv[argv.index("--severity") + 1] == "HIGH,CRITICAL"
        assert argv[argv.index("--exit-code") + 1] == "1"
        assert argv[argv.index("--format") + 1] == "json"
        if "/image-" in report:
            assert argv[:4] == ["trivy", "image", "--input", "/scan/image.tar"]
            assert "--ignore-unfixed" in argv
            tarball = next(
                c["source"] for c in calls(ctr, "withMountedFile") if c["path"] == "/scan/image.tar"
            )
            assert chain(tarball)[-1][0] == "asTarball"
            build = next(args for name, args in chain(tarball) if name == "dockerBuild")
            assert (
                build["dockerfile"]
                == f"services/{report.split('image-todo-')[1].removesuffix('.json')}/Dockerfile"
            )
        else:
            assert argv[:2] == ["trivy", "config"]
            assert argv[-1] == "/scan"


async def test_the_dockerfile_scan_sees_only_the_dockerfiles(engine: FakeEngine) -> None:
    await pipeline().scan()
    ctr = trivy_runs(engine)["/reports/config-dockerfiles.json"]
    mounted = next(c["source"] for c in calls(ctr, "withMountedDirectory") if c["path"] == "/scan")
    assert calls(mounted, "withDirectory")[0]["include"] == ["*/Dockerfile"]


async def test_scan_fails_with_the_findings_table(engine: FakeEngine) -> None:
    def findings_in_backend(ctr: dagger.Container) -> int:
        return 1 if "/reports/image-todo-backend.json" in execs(ctr)[-1] else 0

    engine.exit_code = findings_in_backend
    with pytest.raises(RuntimeError) as failed:
        await pipeline().scan()
    report = str(failed.value)
    assert "image-todo-backend: FAILED: fixable HIGH/CRITICAL findings" in report
    assert "image-todo-frontend: passed" in report
    assert "trivy', 'convert', '--format', 'table', '/reports/image-todo-backend.json'" in report


async def test_scan_report_is_one_sarif_log_with_a_category_per_target(engine: FakeEngine) -> None:
    out = await pipeline().scan_report()
    files = {c["path"]: c["contents"] for c in calls(out, "withNewFile")}
    assert set(files) == {"trivy.sarif", "trivy.txt"}
    sarif = json.loads(files["trivy.sarif"])
    categories = [run["automationDetails"]["id"] for run in sarif["runs"]]
    assert sorted(categories) == sorted(
        [*(f"trivy/image-{s.image}/" for s in SERVICES), "trivy/config-dockerfiles/", "trivy/config-chart/"]
    )
    assert sarif["version"] == "2.1.0"


async def test_scans_are_redone_each_day_not_served_from_the_engine_cache(engine: FakeEngine) -> None:
    await pipeline().scan()
    days = {env(ctr)["TODO_SCAN_DAY"] for ctr in trivy_runs(engine).values()}
    assert len(days) == 1
    assert len(next(iter(days))) == len("2026-01-01")


def test_suite_names_are_validated() -> None:
    with pytest.raises(ValueError, match="unknown test suite 'e2e'"):
        suites.suite_container(dag.directory(), "e2e")
