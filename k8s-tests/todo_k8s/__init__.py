"""Support code of the live-cluster suite: kubectl/helm drivers, API client, in-cluster load and probes."""
