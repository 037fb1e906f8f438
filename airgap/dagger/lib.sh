# Shared settings of the air-gapped Dagger engine scripts (sourced by build, up, down, stand-ins).
# Everything they make lives in one cache directory, two containers (engine, registry mirror) and one Docker
# volume (the engine's state), so `down` removes exactly what `up` started and the cache keeps the builds warm.
set -euo pipefail

DAGGER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$DAGGER_DIR/../.." && pwd)"
SHARED_SOURCE="${TODO_DAGGER_SOURCE:-$REPO_DIR/../shared/dagger-engine/dagger-v0.21.8-src.tar.zst}"
ENGINE_VERSION="v$(sed -n 's/.*"engineVersion": *"v\{0,1\}\([^"]*\)".*/\1/p' "$REPO_DIR/dagger.json")"

# Sources, binaries, Go's caches, SDK content and the mirror's blobs: kept between runs (delete to force cold).
CACHE_DIR="${TODO_DAGGER_CACHE:-/var/cache/todo-dagger}"
# shellcheck source=../go.sh
source "$DAGGER_DIR/../go.sh"
use_go_caches "$CACHE_DIR"
SRC_DIR="$CACHE_DIR/src"
ENGINE_SRC="$SRC_DIR/dagger-$ENGINE_VERSION"
BIN_DIR="$CACHE_DIR/bin"
CONTENT_DIR="$CACHE_DIR/sdk-content"
REGISTRY_DIR="$CACHE_DIR/registry"

# The engine persists its cache index only on a clean shutdown: killed (`docker rm -f`, or `docker stop`'s
# default 10 s), it wipes its whole cache at the next start, which then takes a minute and a half longer.
ENGINE_STOP_SECONDS=300
stop_engine() {
	"$DOCKER" stop --time "$ENGINE_STOP_SECONDS" "$ENGINE_CONTAINER" >/dev/null 2>&1 || true
	"$DOCKER" rm -f "$ENGINE_CONTAINER" >/dev/null 2>&1 || true
}

# Debian's client: it has BuildKit (the newer docker on some PATHs falls back to the legacy builder).
DOCKER="${DOCKER:-/usr/bin/docker}"
export DOCKER_BUILDKIT=1
ENGINE_CONTAINER="${TODO_DAGGER_ENGINE:-todo-dagger-engine}"
ENGINE_IMAGE="todo-airgap/dagger-engine:$ENGINE_VERSION"
ENGINE_VOLUME="$ENGINE_CONTAINER-state"
REGISTRY_CONTAINER="$ENGINE_CONTAINER-mirror"
REGISTRY_PORT="${TODO_DAGGER_MIRROR_PORT:-5000}"
# The engine and the mirror share a Docker network: the engine reaches the mirror by its container name, the
# host pushes to it on 127.0.0.1 (plain HTTP, which Docker allows for loopback registries only).
NETWORK="$ENGINE_CONTAINER"
MIRROR_HOST="$REGISTRY_CONTAINER"
MIRROR="$MIRROR_HOST:$REGISTRY_PORT"
MIRROR_PUSH="127.0.0.1:$REGISTRY_PORT"
REGISTRY_IMAGE="todo-airgap/registry:v3.1.2"
# The local base every image here starts from (airgap/offline-base-images: Debian bookworm, trusts the CA).
BASE_IMAGE="${TODO_DAGGER_BASE_IMAGE:-todo-airgap/python:3.11-bookworm}"

log() { printf '%s [todo-dagger] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

# inputs_digest FILE...: what a cached artefact was made from (a change rebuilds it).
inputs_digest() { cat "$@" | sha256sum | cut -c1-16; }

image_label() { "$DOCKER" image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }
