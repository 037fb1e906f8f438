# Stand-in for quay.io/skopeo/stable: Debian's skopeo at /usr/bin/skopeo, which is the entrypoint.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
# hadolint ignore=DL3008
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends skopeo \
 && rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["skopeo"]
