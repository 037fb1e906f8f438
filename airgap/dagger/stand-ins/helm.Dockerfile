# Stand-in for alpine/helm: the helm binary at /usr/bin/helm, `helm` as the entrypoint, a shell beside it.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY helm /usr/bin/helm
ENTRYPOINT ["helm"]
CMD ["--help"]
