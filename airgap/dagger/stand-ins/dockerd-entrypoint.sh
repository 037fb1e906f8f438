#!/bin/sh
# As docker:dind's entrypoint with DOCKER_TLS_CERTDIR="": dockerd on the Unix socket and tcp://0.0.0.0:2375.
set -e
# Nested in another container, cgroup v2 needs the init processes moved to a leaf first (as docker:dind does).
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	mkdir -p /sys/fs/cgroup/init
	xargs -rn1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || :
	sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || :
fi
exec dockerd --host=unix:///var/run/docker.sock --host=tcp://0.0.0.0:2375 --tls=false "$@"
