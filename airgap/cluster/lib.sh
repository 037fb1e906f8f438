# Shared settings and helpers of the single-node cluster scripts (sourced by build-tools, up, down, load-images).
# Everything the cluster creates lives under three directories and one network namespace, so `down` can remove
# exactly what `up` made and nothing else.
set -euo pipefail

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Binaries and images built from the registries: kept between runs (delete it to force a cold build).
TOOLS_DIR="${TODO_K8S_TOOLS:-/var/cache/todo-k8s}"
# shellcheck source=../go.sh
source "$CLUSTER_DIR/../go.sh"
use_go_caches "$TOOLS_DIR"
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

# Node 1 runs the control plane and the add-ons (CoreDNS, metrics-server, the volume pool).
NODE_NAME="todo-node"
NODE_IP="10.250.0.1"
NODE_CIDR="10.250.0.1/24"
CLUSTER_CIDR="10.244.0.0/16"
POD_CIDR="10.244.0.0/24"
# Node 2 (`up --nodes 2`): a worker in its own network namespace, linked to node 1's by a veth pair.
NODE2_NAME="todo-node-2"
NODE2_NETNS="$NETNS-2"
NODE2_IP="10.250.0.2"
NODE2_POD_CIDR="10.244.1.0/24"
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

# start_in NETNS NAME CMD...: run CMD detached inside network namespace NETNS (host mount namespace, so the
# kubelet's mounts are visible to containerd), log to $LOG_DIR/NAME.log, remember its pid.
start_in() {
	local netns="$1" name="$2"
	shift 2
	mkdir -p "$LOG_DIR" "$PID_DIR"
	setsid nsenter --net="/run/netns/$netns" -- "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
	echo $! >"$PID_DIR/$name.pid"
}

# start NAME CMD...: the same in node 1's namespace (the control plane's).
start() { start_in "$NETNS" "$@"; }

# How many nodes `up` started (recorded for load-images and down).
node_count() { cat "$STATE_DIR/nodes" 2>/dev/null || echo 1; }

# use_node N: point the N_* variables at node N's name, address, namespace, directories and containerd.
# Node 1 keeps the single-node layout; node 2's files live in node-2/ subdirectories, its pids and logs carry
# the prefix node-2-, and its pods' cgroups sit below /todo-node-2 (each kubelet owns its own kubepods tree).
use_node() {
	case "$1" in
	1) N_NAME="$NODE_NAME" N_IP="$NODE_IP" N_POD_CIDR="$POD_CIDR" N_NETNS="$NETNS" N_STATE="$STATE_DIR" \
		N_RUN="$RUN_DIR" N_PREFIX="" N_CGROUP_ROOT=/ N_KUBELET_USER=kubelet ;;
	2) N_NAME="$NODE2_NAME" N_IP="$NODE2_IP" N_POD_CIDR="$NODE2_POD_CIDR" N_NETNS="$NODE2_NETNS" \
		N_STATE="$STATE_DIR/node-2" N_RUN="$RUN_DIR/node-2" N_PREFIX="node-2-" N_CGROUP_ROOT="/$NODE2_NAME" \
		N_KUBELET_USER=kubelet-2 ;;
	*) die "no node $1 (this cluster has nodes 1 and 2)" ;;
	esac
	N_CONTAINERD_SOCK="$N_RUN/containerd/containerd.sock"
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
ctr_node() { # N ARGS...: ctr against node N's containerd
	use_node "$1"
	shift
	ctr --address "$N_CONTAINERD_SOCK" --namespace k8s.io "$@"
}

# connect_node2: link node 2's namespace to node 1's (again, after `node-network ... down`): the veth up, and
# node 1's routes to node 2's address and pods (node 2 routes everything else via node 1).
connect_node2() {
	in_netns ip link set node2 up
	in_netns ip route replace "$NODE2_IP/32" dev node2 src "$NODE_IP"
	in_netns ip route replace "$NODE2_POD_CIDR" via "$NODE2_IP" dev node2
}
