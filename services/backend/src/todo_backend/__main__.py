"""Entry point: `python -m todo_backend`."""

from todo_common.server import run_service

from .app import build_app
from .config import BackendSettings


def main() -> None:
    run_service("backend", BackendSettings, build_app)


if __name__ == "__main__":
    main()
