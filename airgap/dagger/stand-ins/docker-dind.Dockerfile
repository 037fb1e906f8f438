# Stand-in for docker:<version>-dind: Debian's Docker engine, started as the official image's entrypoint does
# with DOCKER_TLS_CERTDIR empty (plain TCP on 2375 and the Unix socket; the module's services are private).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
# hadolint ignore=DL3008
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      docker.io containerd runc iptables ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && update-alternatives --set iptables /usr/sbin/iptables-legacy \
 && update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy
COPY dockerd-entrypoint.sh /usr/local/bin/dockerd-entrypoint.sh
VOLUME /var/lib/docker
EXPOSE 2375
ENTRYPOINT ["dockerd-entrypoint.sh"]
CMD []
