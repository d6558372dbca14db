"""One daemon per account and state dir: an ``flock`` on a pid file in the state dir.

Two pollers on one mailbox would draft twice. The kernel drops the lock when the process dies,
so a stale file never blocks a restart; the file is left in place on release on purpose
(unlinking a locked file races with a starting instance).
"""

from __future__ import annotations

import fcntl
import os
import re
from pathlib import Path
from types import TracebackType

from responder.errors import ResponderError


def lock_path(state_dir: Path, account: str) -> Path:
    """The lock file for *account* in *state_dir*, with a file-name-safe account part."""
    safe = re.sub(r"[^A-Za-z0-9@._+-]", "_", account).strip(".") or "default"
    return state_dir / f"responder-{safe}.lock"


class InstanceLock:
    """An exclusive, non-blocking lock on *path* holding this process's pid."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock or raise ResponderError naming the running instance's pid and file."""
        if self._fd is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise ResponderError(f"cannot open lock file {self.path}: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise ResponderError(
                f"another responder is already running for this account "
                f"(pid {pid}, lock {self.path})"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        """Drop the lock (idempotent)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def acquire_lock(state_dir: Path, account: str) -> InstanceLock:
    """Take and return the lock for *account* in *state_dir*; ResponderError when taken."""
    lock = InstanceLock(lock_path(state_dir, account))
    lock.acquire()
    return lock


def _read_pid(fd: int) -> str:
    """The pid the holder wrote, or "unknown" when the file is empty or garbled."""
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return text if text.isdigit() else "unknown"
