"""`kubectl port-forward` to a free loopback port, as a context manager."""

from __future__ import annotations

import queue
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from todo_k8s.commands import CommandError, Kubectl

_FORWARDING = re.compile(r"Forwarding from 127\.0\.0\.1:(\d+) ->")


@contextmanager
def port_forward(kubectl: Kubectl, target: str, remote_port: int, timeout: float = 30) -> Iterator[str]:
    """Forward 127.0.0.1:<free port> to TARGET (svc/NAME, pod/NAME) and yield its base URL."""
    # ":PORT" lets kubectl pick a free local port, and it prints the one it took.
    argv = kubectl.argv("port-forward", "--address", "127.0.0.1", target, f":{remote_port}")
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        try:
            match = None
            while match is None:
                match = _FORWARDING.search(lines.get(timeout=timeout))
        except queue.Empty as exc:
            process.kill()
            _, stderr = process.communicate()
            raise CommandError(f"port-forward to {target} did not start: {stderr.strip()}") from exc
        yield f"http://127.0.0.1:{match.group(1)}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
