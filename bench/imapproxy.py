"""A loopback TCP proxy that counts IMAP commands, round trips and bytes each way.

Every byte between client and server passes through here, so the figures do not depend on
the machine: how many commands the client sent (tagged lines, by command name), how many
times it had to wait for the server (one per command, plus one per synchronising literal
``{n}``, which waits for a ``+`` continuation), and how many bytes went each way. Server bytes
are charged to the command the client sent last (IMAP clients like imapclient send one
command at a time), so a FETCH of header fields and a FETCH of whole bodies are told apart.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

_LITERAL = re.compile(rb"\{(\d+)(\+?)\}\r\n$")


@dataclass
class Command:
    """One client command: when it was sent, what it was, and the bytes it cost each way."""

    at: float
    name: str
    up: int = 0
    down: int = 0
    waits: int = 1
    answered: float = 0.0  # time.monotonic() of the last server byte for it


@dataclass
class Session:
    """One client connection through the proxy."""

    opened: float
    greeting: int = 0  # server bytes before the first command
    commands: list[Command] = field(default_factory=list)
    up: int = 0
    down: int = 0
    closed: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_down(self, n: int) -> None:
        with self._lock:
            self.down += n
            if self.commands:
                self.commands[-1].down += n
                self.commands[-1].answered = time.monotonic()
            else:
                self.greeting += n


def command_name(line: bytes) -> str:
    """Return ``UID FETCH body``-style names: the verb, and what a FETCH asks for."""
    words = line.split(None, 3)
    if len(words) < 2:
        return line.strip().decode("ascii", "replace").upper() or "?"
    verb = words[1].decode("ascii", "replace").upper()
    if verb == "UID" and len(words) > 2:
        verb = "UID " + words[2].decode("ascii", "replace").upper()
    if verb.endswith("FETCH"):
        upper = line.upper()
        if b"BODY.PEEK[]" in upper or b"BODY[]" in upper or b"RFC822)" in upper:
            verb += " body"
        elif b"HEADER" in upper:
            verb += " headers"
    return verb


class CountingProxy:
    """Listen on a free loopback port and forward every connection to ``upstream``."""

    def __init__(self, upstream_port: int, host: str = "127.0.0.1") -> None:
        self.upstream = (host, upstream_port)
        self.sessions: list[Session] = []
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, 0))
        self._listener.listen(16)
        self.port = int(self._listener.getsockname()[1])
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        """Stop accepting connections."""
        self._stopped = True
        self._listener.close()

    def reset(self) -> None:
        """Forget every session counted so far."""
        self.sessions = []

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            session = Session(opened=time.monotonic())
            self.sessions.append(session)
            threading.Thread(target=self._down, args=(server, client, session),
                             daemon=True).start()
            threading.Thread(target=self._up, args=(client, server, session),
                             daemon=True).start()

    @staticmethod
    def _down(server: socket.socket, client: socket.socket, session: Session) -> None:
        try:
            while data := server.recv(262144):
                session.add_down(len(data))
                client.sendall(data)
        except OSError:
            pass
        finally:
            session.closed = time.monotonic()
            with _quiet():
                client.shutdown(socket.SHUT_WR)

    @staticmethod
    def _up(client: socket.socket, server: socket.socket, session: Session) -> None:
        """Forward client bytes, splitting them into commands (skipping literal data)."""
        pending = b""
        literal = 0  # literal bytes still to skip
        continuing = False  # the next line continues a command after a literal
        try:
            while data := client.recv(262144):
                with session._lock:
                    session.up += len(data)
                    pending += data
                    while pending:
                        if literal:
                            take = min(literal, len(pending))
                            pending = pending[take:]
                            literal -= take
                            if session.commands:
                                session.commands[-1].up += take
                            continue
                        end = pending.find(b"\r\n")
                        if end < 0:
                            break
                        line, pending = pending[: end + 2], pending[end + 2 :]
                        if not continuing and line.strip().upper() != b"DONE":
                            session.commands.append(
                                Command(at=time.monotonic(), name=command_name(line))
                            )
                        if session.commands:
                            session.commands[-1].up += len(line)
                        match = _LITERAL.search(line)
                        continuing = match is not None
                        if match is not None:
                            literal = int(match.group(1))
                            if not match.group(2) and session.commands:
                                session.commands[-1].waits += 1
                server.sendall(data)
        except OSError:
            pass
        finally:
            with _quiet():
                server.shutdown(socket.SHUT_WR)


class _quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], OSError)  # type: ignore[arg-type]


@dataclass
class Tally:
    """Sums over sessions or commands."""

    commands: int = 0
    round_trips: int = 0
    up: int = 0
    down: int = 0
    by_name: Counter[str] = field(default_factory=Counter)
    down_by_name: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, commands: list[Command], greeting: int = 0) -> Tally:
        t = cls(down=greeting)
        for c in commands:
            t.commands += 1
            t.round_trips += c.waits
            t.up += c.up
            t.down += c.down
            t.by_name[c.name] += 1
            t.down_by_name[c.name] += c.down
        return t

    def names(self) -> str:
        """Return ``LOGIN, STATUS, LOGOUT``-style text (with counts above one)."""
        return ", ".join(f"{n} x{k}" if k > 1 else n for n, k in self.by_name.items())


def tally_sessions(sessions: list[Session]) -> Tally:
    """Return the total over whole sessions (greetings included)."""
    total = Tally()
    for s in sessions:
        t = Tally.of(s.commands, s.greeting)
        total.commands += t.commands
        total.round_trips += t.round_trips
        total.up += t.up
        total.down += t.down
        total.by_name.update(t.by_name)
        total.down_by_name.update(t.down_by_name)
    return total
