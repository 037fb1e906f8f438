# Stand-in for docker:<version>-cli: the Docker client at /usr/local/bin/docker and a POSIX shell.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY docker /usr/local/bin/docker
CMD ["sh"]
