# The Python services' image (todo-backend, todo-mcp-server, todo-agent): one recipe, the service chosen by build
# args whose values come from charts/todo/components.yaml (scripts/build-images and the Dagger module pass them).
# Build context: the repository root (one uv workspace, one uv.lock) — see docs/architecture.md#images.
#   DOCKER_BUILDKIT=1 docker build -f services/python.Dockerfile -t todo-mcp-server \
#     --build-arg SERVICE=mcp-server --build-arg PROJECT=todo-mcp-server --build-arg PACKAGE=todo_mcp_server \
#     --build-arg PORT=8001 --build-arg DESCRIPTION="Evolution of Todo: MCP server with the task tools" .
# Base image pinned by version; pin a digest too with --build-arg PYTHON_IMAGE=python:3.12.12-slim-bookworm@sha256:...
ARG PYTHON_IMAGE=python:3.12.12-slim-bookworm

# The uv workspace's manifests at their paths (the root's, libs/*/ and services/*/), nothing else: the dependency
# layer below is rebuilt only when one of them or uv.lock changes, and the recipe lists no workspace member.
FROM ${PYTHON_IMAGE} AS manifests
WORKDIR /context
RUN --mount=type=bind,target=/context \
    mkdir /manifests && cp uv.lock /manifests/ \
 && find . -maxdepth 3 -name pyproject.toml -exec cp --parents -t /manifests {} +

FROM ${PYTHON_IMAGE} AS deps
ARG UV_VERSION=0.13.9
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# uv comes from PyPI into a throwaway venv that never reaches the final image; so does binutils, whose
# `strip` drops the debug symbols that wheels' native modules carry (most of uvloop's size).
# hadolint ignore=DL3008
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m venv /opt/uv && /opt/uv/bin/pip install "uv==${UV_VERSION}" \
 && apt-get update -q && apt-get install -y -q --no-install-recommends binutils && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Declared after the shared layer above so that it stays one cache entry for all services.
ARG SERVICE
ARG PROJECT
ARG PACKAGE
ARG PORT
RUN : "${SERVICE:?build arg SERVICE is required (services/<SERVICE>, see charts/todo/components.yaml)}" \
      "${PROJECT:?build arg PROJECT is required (the uv workspace package, e.g. todo-backend)}" \
      "${PACKAGE:?build arg PACKAGE is required (the import package, e.g. todo_backend)}" \
      "${PORT:?build arg PORT is required (the port the service listens on)}"
# Third-party dependencies of this one workspace package exactly as locked, before any source is copied: code
# changes reuse this layer. todo-app.pth puts /app/lib on the venv's path: our own packages go there.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,from=manifests,source=/manifests,target=/src \
    /opt/uv/bin/uv sync --frozen --no-dev --no-install-workspace --package "$PROJECT" \
 && /app/.venv/bin/python -c "import sysconfig; open(sysconfig.get_paths()['purelib'] + '/todo-app.pth', 'w').write('/app/lib\n')" \
 && find /app/.venv -type f -name '*.so*' -exec strip --strip-unneeded {} +

FROM deps AS app
ARG SERVICE
ARG PACKAGE
COPY libs/todo-common libs/todo-common
COPY services/${SERVICE} services/${SERVICE}
RUN --mount=type=cache,target=/root/.cache/uv \
    /opt/uv/bin/uv pip install --python /app/.venv/bin/python --no-deps --no-sources --target /app/lib \
      ./libs/todo-common "./services/$SERVICE"
RUN test -f "/app/lib/$PACKAGE/__main__.py" \
 || { echo "build arg PACKAGE=$PACKAGE: services/$SERVICE installs no package of that name with a __main__" >&2; exit 1; }

FROM ${PYTHON_IMAGE} AS runtime
ARG PROJECT
ARG PACKAGE
ARG PORT
ARG DESCRIPTION=""
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG SOURCE_URL=""
LABEL org.opencontainers.image.title="${PROJECT}" \
      org.opencontainers.image.description="${DESCRIPTION}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.licenses="NOASSERTION"
# Non-secret defaults only; secrets (DATABASE_URL, JWT_SECRET, INTERNAL_TOKEN, LLM_API_KEY) come from the
# environment at run time.
ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp \
    HOST=0.0.0.0 \
    PORT=${PORT} \
    LOG_LEVEL=INFO \
    LOG_FORMAT=json \
    APP_PACKAGE=${PACKAGE}
WORKDIR /app
# Owned by root and read-only for the service user; the only writable place at run time is /tmp.
COPY --from=deps /app/.venv /app/.venv
COPY --from=app /app/lib /app/lib
USER 10001:10001
EXPOSE ${PORT}
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['PORT'] + '/healthz', timeout=2)"]
# Docker does not expand build args in CMD: the shell reads the package from the environment and `exec`
# replaces itself with Python, so the server is PID 1 and receives SIGTERM itself.
CMD ["sh", "-c", "exec python -m \"$APP_PACKAGE\""]
