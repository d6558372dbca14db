"""The shipped systemd units: hardening score, offline verification, and the settings we rely on.

systemd-analyze is required (CI installs systemd): without it these tests fail, never skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parent.parent / "systemd"
SERVICES = ["responder.service", "responder@.service", "responder-once.service"]
ANALYZED_AS = {"responder@.service": "responder@alice.service"}
MAX_EXPOSURE = 2.0
BINARY = "/usr/local/bin/responder"


def _analyze(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("systemd-analyze")
    assert tool, "systemd-analyze is missing: install systemd (these tests must not skip)"
    return subprocess.run(
        [tool, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _directives(unit: str) -> dict[str, list[str]]:
    """``Section.Key`` -> every value it is given in *unit*, in order."""
    found: dict[str, list[str]] = {}
    section = ""
    for raw in (UNITS / unit).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        found.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return found


@pytest.fixture
def unit_copies(tmp_path: Path) -> Path:
    """The units with ExecStart's binary pointed at an executable stub, for ``verify``.

    That path is the only change: ``verify`` rightly fails while /usr/local/bin/responder is
    not installed on the test machine.
    """
    stub = tmp_path / "responder"
    stub.write_text("#!/bin/sh\nexit 0\n")
    stub.chmod(0o755)
    for unit in UNITS.iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace(BINARY, str(stub)))
    return tmp_path


@pytest.mark.parametrize("unit", SERVICES)
def test_exposure_is_at_most_two(unit: str, tmp_path: Path) -> None:
    name = ANALYZED_AS.get(unit, unit)
    shutil.copy(UNITS / unit, tmp_path / unit)
    done = _analyze(
        "security", "--offline=true", "--threshold=20", "--no-pager", name, cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+) (\w+)", done.stdout)
    assert match, done.stdout
    assert float(match.group(1)) <= MAX_EXPOSURE, match.group(0)


@pytest.mark.parametrize(
    "unit",
    [*SERVICES, "responder@alice.service", "responder-once.timer"],
)
def test_units_verify_cleanly(unit: str, unit_copies: Path) -> None:
    done = _analyze("verify", "--man=no", unit, cwd=unit_copies)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # unknown keys are only warnings: allow none


def test_verify_would_catch_a_typo(unit_copies: Path) -> None:
    broken = (unit_copies / "responder.service").read_text() + "WatchdogSecs=1min\n"
    (unit_copies / "typo.service").write_text(broken)
    done = _analyze("verify", "--man=no", "typo.service", cwd=unit_copies)
    assert "Unknown key" in done.stderr


@pytest.mark.parametrize("unit", ["responder.service", "responder@.service"])
def test_daemon_units_use_notify_watchdog_and_credentials(unit: str) -> None:
    d = _directives(unit)
    instance = "%i" if "@" in unit else ""
    env = f"/etc/responder/{instance or 'responder'}.env"
    assert d["Service.Type"] == ["notify"]
    assert d["Service.ExecStart"] == [f"{BINARY} run"]
    assert d["Service.EnvironmentFile"] == [env]
    assert d["Service.ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert d["Service.Restart"] == ["on-failure"]
    assert d["Service.TimeoutStopSec"] == ["15"]
    assert d["Service.WatchdogSec"]
    assert d["Service.DynamicUser"] == ["yes"]
    assert d["Service.MemoryDenyWriteExecute"] == ["yes"]
    if instance:
        assert d["Service.StateDirectory"] == ["responder/%i"]
        assert d["Service.LoadCredential"] == ["imap-password:/etc/responder/%i.password"]
    else:
        assert d["Service.StateDirectory"] == ["responder"]
        assert d["Service.LoadCredential"] == ["imap-password:/etc/responder/imap-password"]


def test_timer_runs_one_pass() -> None:
    service = _directives("responder-once.service")
    assert service["Service.Type"] == ["oneshot"]
    assert service["Service.ExecStart"] == [f"{BINARY} run --once"]
    timer = _directives("responder-once.timer")
    assert timer["Timer.OnUnitInactiveSec"]
    assert timer["Install.WantedBy"] == ["timers.target"]


def test_no_password_in_environment_or_argv() -> None:
    for unit in UNITS.iterdir():
        text = unit.read_text()
        assert "RESPONDER_IMAP_PASSWORD=" not in text
        assert not re.search(r"^Environment=.*(PASSWORD|TOKEN)", text, re.MULTILINE)


MDWE_PROBE = """
import ctypes, mmap, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    sys.exit(77)
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    sys.exit("a writable+executable mapping was allowed: the probe proves nothing")
except PermissionError:
    pass
import apscheduler.schedulers.background, imapclient, inscriptis, jinja2, spacy, ssl
doc = spacy.blank("en")("Would you have 20 minutes for a call next week?")
assert len(doc) == 11, len(doc)
assert jinja2.Template("{{ n + 1 }}").render(n=1) == "2"
assert ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda v: v + 1)(41) == 42
print("ok")
"""


def test_memory_deny_write_execute_keeps_python_and_spacy_working() -> None:
    """MemoryDenyWriteExecute=yes, approximated by the kernel's own PR_SET_MDWE (Linux >= 6.3).

    systemd's seccomp filter refuses the same thing (mappings that are or become writable and
    executable); CPython, spaCy and libffi callbacks never ask for one.
    """
    done = subprocess.run(
        [sys.executable, "-c", MDWE_PROBE], capture_output=True, text=True, timeout=300
    )
    if done.returncode == 77:
        pytest.skip("kernel has no PR_SET_MDWE (Linux < 6.3): cannot emulate the setting")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


@pytest.mark.parametrize("unit", ["responder.service", "responder@.service",
                                  "responder-once.service"])
def test_settings_come_from_environment_file_not_env_option(unit: str) -> None:
    """The dynamic user cannot read the 0600 root-owned settings file, so systemd must."""
    d = _directives(unit)
    assert d["Service.EnvironmentFile"]
    assert all("--env" not in line for line in d["Service.ExecStart"])
