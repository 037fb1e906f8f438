"""A TCP proxy to a service that can lose the service's answers, for "a write is never sent twice" tests."""

from __future__ import annotations

import contextlib
import socket
import threading

from .processes import free_port


class AnswerDroppingProxy:
    """Forwards TCP from a free loopback port to `upstream_port` while entered (connections are refused
    before). With `drop_answers` set, a request carrying `counted` (a request line or a method) goes
    through, is counted, and its connection is cut as soon as the service starts answering; other requests
    (e.g. a new session's handshake) are forwarded. With `answers_to_hold` = N, the next N connections
    that get an answer never pass it on and stay open (as a pod on a node that vanished). `requests` counts
    every `counted` request. Runs in threads of its own, for sync and async tests."""

    def __init__(self, upstream_port: int, *, counted: bytes = b"POST /mcp") -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self.drop_answers = False
        self.requests_while_dropping = 0
        self.answers_to_hold = 0
        self.requests = 0
        self._counted = counted
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> AnswerDroppingProxy:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._listener is not None:
            _hang_up(self._listener)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # the proxy was closed
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        lose_answer = threading.Event()
        threading.Thread(target=self._to_service, args=(client, upstream, lose_answer), daemon=True).start()
        holding = False
        try:
            while chunk := upstream.recv(65536):
                if lose_answer.is_set():
                    return
                holding = holding or self._hold_one()
                if not holding:
                    client.sendall(chunk)
        except OSError:
            pass
        finally:
            _hang_up(client)
            _hang_up(upstream)

    def _hold_one(self) -> bool:
        with self._lock:
            if self.answers_to_hold <= 0:
                return False
            self.answers_to_hold -= 1
            return True

    def _to_service(
        self, client: socket.socket, upstream: socket.socket, lose_answer: threading.Event
    ) -> None:
        try:
            while chunk := client.recv(65536):
                self.requests += chunk.count(self._counted)
                if self.drop_answers and self._counted in chunk:
                    self.requests_while_dropping += chunk.count(self._counted)
                    lose_answer.set()
                upstream.sendall(chunk)
        except OSError:
            pass


def _hang_up(sock: socket.socket) -> None:
    # shutdown() wakes a thread blocked in recv() or accept() on the socket; close() alone does not.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
