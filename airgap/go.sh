# Go for the airgap builders (sourced by airgap/cluster/lib.sh and airgap/dagger/lib.sh).
# use_go_caches DIR: Go's module and build caches under DIR, so a machine or CI runner that keeps DIR rebuilds
# a changed module from cache whatever its $HOME (GOMODCACHE/GOCACHE/GOFLAGS set by the caller win;
# -modcacherw lets a plain `rm -rf` remove the module cache). Go from the official archive when PATH lacks it
# (CI runners start with a minimal PATH).
use_go_caches() {
	export GOMODCACHE="${GOMODCACHE:-$1/go/mod}" GOCACHE="${GOCACHE:-$1/go/build}"
	export GOFLAGS="${GOFLAGS:--modcacherw}"
	if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then PATH="/usr/local/go/bin:$PATH"; fi
}
