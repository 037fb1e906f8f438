# Shared settings and helpers of the single-node cluster scripts (sourced by build-tools, up, down, load-images).
# Everything the cluster creates lives under three directories and one network namespace, so `down` can remove
# exactly what `up` made and nothing else.
set -euo pipefail

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Binaries and images built from the registries: kept between runs (delete it to force a cold build).
TOOLS_DIR="${TODO_K8S_TOOLS:-/var/cache/todo-k8s}"
# Go's module and build caches live there too, so a machine or CI runner that keeps it rebuilds a changed
# module from cache whatever its $HOME (GOMODCACHE/GOCACHE/GOFLAGS set by the caller win; -modcacherw lets
# a plain `rm -rf` remove the module cache).
export GOMODCACHE="${GOMODCACHE:-$TOOLS_DIR/go/mod}" GOCACHE="${GOCACHE:-$TOOLS_DIR/go/build}"
export GOFLAGS="${GOFLAGS:--modcacherw}"
# Go from the official archive when PATH lacks it (CI runners start with a minimal PATH).
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then PATH="/usr/local/go/bin:$PATH"; fi
# Cluster state (etcd data, containerd root, kubelet root, certificates, logs): removed by `down`.
STATE_DIR="${TODO_K8S_STATE:-/var/lib/todo-k8s}"
# Sockets and process ids: removed by `down`.
RUN_DIR="${TODO_K8S_RUN:-/run/todo-k8s}"
# Every cluster process runs in this network namespace: the node address, pod and Service addresses exist only
# there, and its only way out is a loopback listener on the host that forwards to the API server.
NETNS="${TODO_K8S_NETNS:-todo-k8s}"

BIN_DIR="$TOOLS_DIR/bin"
IMAGES_DIR="$TOOLS_DIR/images"
PKI_DIR="$STATE_DIR/pki"
LOG_DIR="$STATE_DIR/logs"
PID_DIR="$RUN_DIR/pids"
CONTAINERD_SOCK="$RUN_DIR/containerd/containerd.sock"
APISERVER_SOCK="$RUN_DIR/apiserver.sock"
KUBECONFIG_FILE="$STATE_DIR/kubeconfig"

NODE_NAME="todo-node"
NODE_IP="10.250.0.1"
NODE_CIDR="10.250.0.1/24"
CLUSTER_CIDR="10.244.0.0/16"
POD_CIDR="10.244.0.0/24"
SERVICE_CIDR="10.96.0.0/16"
KUBERNETES_SERVICE_IP="10.96.0.1"
DNS_SERVICE_IP="10.96.0.10"
CLUSTER_DOMAIN="cluster.local"

# Locally built images (never pulled): the names say they are not the upstream ones.
PAUSE_IMAGE="todo-k8s.local/pause:3.10.1"
COREDNS_IMAGE="todo-k8s.local/coredns:1.15.0"
METRICS_SERVER_IMAGE="todo-k8s.local/metrics-server:0.8.0"

# Global kernel settings the kubelet insists on; `up` records the machine's values and `down` restores them.
KUBELET_SYSCTLS=(kernel.panic kernel.panic_on_oops vm.overcommit_memory)

log() { printf '%s [todo-k8s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

need_root() { [ "$(id -u)" -eq 0 ] || die "run as root (it starts containerd, the kubelet and a network namespace)"; }

in_netns() { nsenter --net="/run/netns/$NETNS" -- "$@"; }

# start NAME CMD...: run CMD detached inside the cluster network namespace (host mount namespace, so the kubelet's
# mounts are visible to containerd), log to $LOG_DIR/NAME.log, remember its pid.
start() {
	local name="$1"
	shift
	mkdir -p "$LOG_DIR" "$PID_DIR"
	setsid nsenter --net="/run/netns/$NETNS" -- "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
	echo $! >"$PID_DIR/$name.pid"
}

# wait_for DESCRIPTION SECONDS CMD...: poll CMD until it succeeds.
wait_for() {
	local what="$1" timeout="$2"
	shift 2
	local deadline=$((SECONDS + timeout))
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || die "timed out after ${timeout}s waiting for $what (logs: $LOG_DIR)"
		sleep 1
	done
}

kctl() { "$BIN_DIR/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
ctr_k8s() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }
