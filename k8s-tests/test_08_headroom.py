"""Headroom: under the suite's load, each container's peak CPU and memory (metrics API) stay at or below
80 % of its limits with the chart's default resources. Every load phase of the session is sampled
(rollouts, pod deletions, the HPA's load, a node loss); this module adds one with reads, writes and chat
turns, so the agent and the MCP server work too. Prints peak and typical use next to requests and limits."""

from __future__ import annotations

import time

import httpx2
import pytest
from todo_k8s.commands import Kubectl
from todo_k8s.load import Load
from todo_k8s.portforward import port_forward
from todo_k8s.release import BACKEND_PORT, COMPONENTS, Release
from todo_k8s.requirements import unavailable
from todo_k8s.usage import headroom, metrics_api_available
from todo_testing.api import sign_up

PEAK_SHARE_OF_LIMITS = 0.8
# metrics-server reports each container's use over a 15 s window (--metric-resolution): several windows.
LOAD_SECONDS = 45


def test_peak_use_under_load_stays_within_80_percent_of_the_limits(
    release: Release, kubectl: Kubectl
) -> None:
    if not metrics_api_available(kubectl):
        unavailable("no metrics API in this cluster (install metrics-server)")
    with (
        port_forward(release.kubectl, f"svc/{release.object_name('backend')}", BACKEND_PORT) as url,
        httpx2.Client(base_url=url, timeout=30) as client,
    ):
        user = sign_up(client, "Headroom")
    # 12 reads/s through each of frontend and backend, 2 writes/s, 1 chat turn/s (agent + MCP server).
    load = Load(release, user, writes_every=6, chats_every=12)
    try:
        load.start()
        time.sleep(LOAD_SECONDS)
        report = load.stop()
    finally:
        load.delete()
    rows = headroom(release.kubectl, release.namespace, release.selector())
    for row in rows:
        print(f"[k8s-tests] headroom {row.line()}")
    print(f"[k8s-tests] headroom load: {report.sent} requests at {report.rate:.1f}/s, {report.failed} failed")
    assert report.failed == 0, report
    measured = {row.component for row in rows}
    assert measured >= {label for label, _ in COMPONENTS.values()} | {"postgresql"}, measured
    over = [row.line() for row in rows if max(row.cpu_share, row.memory_share) > PEAK_SHARE_OF_LIMITS]
    if over:
        pytest.fail("peak use above 80 % of the limits:\n" + "\n".join(over))
