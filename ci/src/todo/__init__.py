"""Delivery pipeline of Evolution of Todo.

Builds the service images of charts/todo/components.yaml, runs every test suite in containers, scans images,
Dockerfiles and the Helm chart with Trivy, lints and validates the chart, deploys it to a throwaway k3s
cluster (or Minikube) and runs `helm test`, and publishes the images. The same `dagger call ...` runs on a
laptop and in GitHub Actions (docs/pipeline.md).
"""

from .main import Todo as Todo
