"""Rolling upgrade and rollback under load: an in-cluster client sends >= 20 requests/s through the
frontend and the backend while `helm upgrade` rolls every Deployment (new image tag; then a ConfigMap
change) and while `helm rollback` restores the previous revision. No request may fail."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from todo_k8s.load import Load, LoadReport
from todo_k8s.release import COMPONENTS, Release
from todo_k8s.requirements import unavailable
from todo_testing.api import ApiUser

MIN_RATE = 20.0
ROLLBACK_LIMIT_SECONDS = 120  # target: 30 s


def deployments(release: Release) -> dict[str, dict[str, object]]:
    result = {}
    for label, _ in COMPONENTS.values():
        spec = release.kubectl.json("get", "deployment", release.object_name(label))["spec"]["template"]
        result[label] = {
            "image": spec["spec"]["containers"][0]["image"],
            "config": spec["metadata"].get("annotations", {}).get("checksum/config"),
        }
    return result


def under_load(release: Release, user: ApiUser, action: Callable[[], float]) -> tuple[float, LoadReport]:
    load = Load(release, user)
    try:
        load.start()
        time.sleep(3)  # a steady rate before the action starts
        seconds = action()
        time.sleep(3)
        report = load.stop()
    finally:
        load.delete()
    return seconds, report


def check(report: LoadReport, what: str, seconds: float) -> None:
    rate = f"{report.sent} requests at {report.rate:.1f}/s"
    print(f"[k8s-tests] {what}: {seconds:.1f}s; {rate}, {report.failed} failed")
    assert report.failed == 0, report
    assert report.rate >= MIN_RATE, report


def test_upgrade_to_a_new_image_tag_under_load(release: Release, load_user: ApiUser) -> None:
    next_tag = os.environ.get("TODO_K8S_NEXT_IMAGE_TAG")
    if not next_tag:
        unavailable("set TODO_K8S_NEXT_IMAGE_TAG to a second tag of the images present in the cluster")
    seconds, report = under_load(
        release, load_user, lambda: release.upgrade("--set-string", f"global.image.tag={next_tag}")
    )
    check(report, "helm upgrade (image tag)", seconds)
    images = [str(d["image"]) for d in deployments(release).values()]
    assert all(image.endswith(f":{next_tag}") for image in images), images
    release.base_args = [*release.base_args, "--set-string", f"global.image.tag={next_tag}"]


@dataclass(frozen=True)
class ConfigChange:
    before: dict[str, dict[str, object]]
    after: dict[str, dict[str, object]]


@pytest.fixture(scope="module")
def config_change(release: Release, load_user: ApiUser) -> ConfigChange:
    """One `helm upgrade` that changes every component's ConfigMap, under load (checked by the first test)."""
    before = deployments(release)
    extra = [arg for key in COMPONENTS for arg in ("--set-string", f"{key}.env.LOG_LEVEL=DEBUG")]
    seconds, report = under_load(release, load_user, lambda: release.upgrade(*extra))
    check(report, "helm upgrade (ConfigMap change)", seconds)
    return ConfigChange(before=before, after=deployments(release))


def test_configmap_change_rolls_every_deployment_under_load(config_change: ConfigChange) -> None:
    before, after = config_change.before, config_change.after
    assert all(after[label]["config"] != before[label]["config"] for label in after), (before, after)


def test_rollback_under_load_restores_the_previous_revision(
    release: Release, load_user: ApiUser, config_change: ConfigChange
) -> None:
    previous = release.helm.revision() - 1

    def rollback() -> float:
        started = time.monotonic()
        release.helm("rollback", release.name, str(previous), "--wait", "--timeout", "3m")
        return time.monotonic() - started

    seconds, report = under_load(release, load_user, rollback)
    check(report, "helm rollback", seconds)
    assert seconds <= ROLLBACK_LIMIT_SECONDS
    assert deployments(release) == config_change.before
