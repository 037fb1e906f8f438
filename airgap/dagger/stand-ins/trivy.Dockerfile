# Stand-in for aquasec/trivy: the trivy binary at /usr/local/bin/trivy, `trivy` as the entrypoint.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY trivy /usr/local/bin/trivy
ENTRYPOINT ["trivy"]
