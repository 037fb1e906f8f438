# Stand-in for registry.k8s.io/kubectl: the kubectl binary at /bin/kubectl, which is the entrypoint.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY kubectl /bin/kubectl
ENTRYPOINT ["/bin/kubectl"]
