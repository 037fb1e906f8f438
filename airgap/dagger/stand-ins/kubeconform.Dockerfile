# Stand-in for ghcr.io/yannh/kubeconform: the binary at /kubeconform, which is the entrypoint.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY kubeconform /kubeconform
ENTRYPOINT ["/kubeconform"]
