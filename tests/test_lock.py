"""The single-instance lock, contended by two real processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from responder.errors import ResponderError
from responder.lock import InstanceLock, acquire_lock, lock_path

HOLDER = """
import sys
from pathlib import Path
from responder.lock import acquire_lock
lock = acquire_lock(Path(sys.argv[1]), sys.argv[2])
print("locked", flush=True)
sys.stdin.readline()
"""

TRY = """
import sys
from pathlib import Path
from responder.errors import ResponderError
from responder.lock import acquire_lock
try:
    acquire_lock(Path(sys.argv[1]), sys.argv[2])
except ResponderError as exc:
    print(exc)
    sys.exit(3)
print("locked")
"""


def _start_holder(state: Path, account: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(state), account],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def _try(state: Path, account: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", TRY, str(state), account],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_second_process_is_refused_with_pid_and_file(tmp_path: Path) -> None:
    holder = _start_holder(tmp_path, "alice@example.com")
    try:
        second = _try(tmp_path, "alice@example.com")
        assert second.returncode == 3
        expected = (
            f"another responder is already running for this account "
            f"(pid {holder.pid}, lock {lock_path(tmp_path, 'alice@example.com')})"
        )
        assert second.stdout.strip() == expected
        assert _try(tmp_path, "bob@example.com").returncode == 0
    finally:
        holder.communicate("\n", timeout=30)
    assert _try(tmp_path, "alice@example.com").returncode == 0


def test_lock_is_freed_when_the_holder_is_killed(tmp_path: Path) -> None:
    holder = _start_holder(tmp_path, "alice")
    holder.kill()
    holder.wait(timeout=30)
    assert _try(tmp_path, "alice").returncode == 0


def test_in_process_release_and_reacquire(tmp_path: Path) -> None:
    with acquire_lock(tmp_path / "state", "alice") as lock:
        assert lock.held
        assert lock.path.read_text().strip().isdigit()
        with pytest.raises(ResponderError, match="already running"):
            InstanceLock(lock.path).acquire()
    assert not lock.held
    InstanceLock(lock.path).acquire()


def test_lock_file_name_is_safe() -> None:
    assert lock_path(Path("/s"), "a/../b c") == Path("/s/responder-a_.._b_c.lock")
    assert lock_path(Path("/s"), "..") == Path("/s/responder-default.lock")
