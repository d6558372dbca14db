"""A loopback TCP proxy that breaks an IMAP connection on purpose, for the fault suite.

The proxy forwards ``127.0.0.1:<port>`` to a real server. It injects one fault, the first time
its trigger fires, and is transparent before and after (so the reconnect of the next pass
works):

- ``trigger``: bytes that, when the client sends them (``b"APPEND"``, ``b"UID MOVE"``,
  ``b"BODY.PEEK[]"``...), arm the fault; with ``trigger=None`` the fault is armed from the start
  of the first connection and ``after`` counts every byte the server sent.
- ``action``:
  - ``"cut"``: the server's answer is forwarded for ``after`` more bytes, then both sides are
    closed (FIN). The client's command reached the server, so the server may have carried it
    out without the client ever hearing so: the hard case for exactly-once.
  - ``"reset"``: the same, but the client side gets a TCP RST instead of a FIN.
  - ``"drop"``: the chunk holding the trigger is not forwarded and both sides are closed at
    once: the command never reaches the server.
  - ``"stall"``: after ``after`` bytes nothing more is forwarded in either direction and the
    connection is held open until the client gives up (its own timeout).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from dataclasses import dataclass, field

ACTIONS = ("cut", "reset", "drop", "stall")


@dataclass
class _Link:
    client: socket.socket
    server: socket.socket
    armed: bool = False
    sent_after: int = 0
    stalled: bool = False
    dead: threading.Event = field(default_factory=threading.Event)


class FaultProxy:
    """Forward a loopback port to ``target_port``; inject one fault as configured."""

    def __init__(
        self,
        target_port: int,
        *,
        trigger: bytes | None,
        action: str,
        after: int = 0,
    ) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        self.target_port = target_port
        self.trigger = trigger
        self.action = action
        self.after = after
        self.fired = 0
        self.connections = 0
        self._used = False
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self._links: list[_Link] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop accepting and close every connection."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        for link in list(self._links):
            self._kill(link, reset=False)
        self._thread.join(5)

    # -- internals -----------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port), 5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            link = _Link(client, server)
            with self._lock:
                self.connections += 1
                self._links.append(link)
                if self.trigger is None and not self._used:
                    self._used = True
                    link.armed = True
            threading.Thread(target=self._upstream, args=(link,), daemon=True).start()
            threading.Thread(target=self._downstream, args=(link,), daemon=True).start()

    def _fire(self, link: _Link) -> None:
        with self._lock:
            self.fired += 1

    def _kill(self, link: _Link, *, reset: bool) -> None:
        if reset:
            with contextlib.suppress(OSError):
                link.client.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
        for s in (link.client, link.server):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()
        link.dead.set()

    def _upstream(self, link: _Link) -> None:
        """Client to server: watch for the trigger."""
        seen = b""
        while not link.dead.is_set():
            try:
                data = link.client.recv(65536)
            except OSError:
                break
            if not data:
                break
            if self.trigger is not None and not link.armed:
                window = seen[-len(self.trigger) :] + data
                with self._lock:
                    hit = not self._used and self.trigger in window
                    if hit:
                        self._used = True
                        link.armed = True
                seen = window[-len(self.trigger) :]
                if hit and self.action == "drop":
                    self._fire(link)
                    self._kill(link, reset=False)
                    return
            if link.stalled:
                continue  # swallowed: the stalled server never hears more
            try:
                link.server.sendall(data)
            except OSError:
                break
        self._kill(link, reset=False)

    def _downstream(self, link: _Link) -> None:
        """Server to client: after the trigger, count bytes and break the link."""
        while not link.dead.is_set():
            try:
                data = link.server.recv(65536)
            except OSError:
                break
            if not data:
                break
            if link.armed:
                room = self.after - link.sent_after
                if len(data) > room:
                    if room > 0:
                        with contextlib.suppress(OSError):
                            link.client.sendall(data[:room])
                        link.sent_after += room
                    self._fire(link)
                    if self.action == "stall":
                        link.stalled = True  # the client hears nothing more until it gives up
                    else:
                        self._kill(link, reset=self.action == "reset")
                    return
                link.sent_after += len(data)
            try:
                link.client.sendall(data)
            except OSError:
                break
        self._kill(link, reset=False)
