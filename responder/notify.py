"""The systemd notify protocol (sd_notify) over ``$NOTIFY_SOCKET``, in a few lines of our own.

Every call is a no-op when the service was not started by systemd (``NOTIFY_SOCKET`` unset), and
a failed send is never fatal: the daemon keeps working without its supervisor's attention.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping


def socket_address(value: str) -> str:
    """The address to send to: a leading "@" names a Linux abstract socket (leading NUL)."""
    return "\0" + value[1:] if value.startswith("@") else value


def watchdog_interval(environ: Mapping[str, str] | None = None) -> float | None:
    """Seconds within which systemd expects ``WATCHDOG=1``, or None when no watchdog is set.

    ``WATCHDOG_PID``, when present, must name this process (the variable may be inherited).
    """
    env = os.environ if environ is None else environ
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and (not pid.isdigit() or int(pid) != os.getpid()):
        return None
    return int(usec) / 1_000_000


class Notifier:
    """Sends state lines to systemd; returns False (and does nothing) without a socket."""

    def __init__(self, address: str | None = None) -> None:
        self.address = address or None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Notifier:
        """A notifier for ``$NOTIFY_SOCKET`` of *environ* (default: the process environment)."""
        env = os.environ if environ is None else environ
        return cls(env.get("NOTIFY_SOCKET"))

    @property
    def enabled(self) -> bool:
        """True when there is a socket to talk to."""
        return self.address is not None

    def send(self, *assignments: str) -> bool:
        """Send ``KEY=VALUE`` lines in one datagram; True when it was delivered."""
        if self.address is None:
            return False
        payload = "\n".join(assignments).encode("utf-8", "replace")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto(payload, socket_address(self.address))
        except OSError:
            return False
        return True

    def ready(self) -> bool:
        """Tell systemd start-up is complete (``READY=1``)."""
        return self.send("READY=1")

    def status(self, text: str) -> bool:
        """Set the one-line status shown by ``systemctl status``."""
        return self.send("STATUS=" + " ".join(text.splitlines()))

    def watchdog(self) -> bool:
        """Keep-alive ping for ``WatchdogSec=`` (``WATCHDOG=1``)."""
        return self.send("WATCHDOG=1")

    def stopping(self) -> bool:
        """Tell systemd the service is shutting down (``STOPPING=1``)."""
        return self.send("STOPPING=1")

    def reloading(self) -> bool:
        """Announce a reload (``RELOADING=1`` with ``MONOTONIC_USEC``); send ``ready()`` after."""
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        return self.send("RELOADING=1", f"MONOTONIC_USEC={usec}")
