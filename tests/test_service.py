"""The daemon loop in a real subprocess: real signals, a real notify socket, a scripted runner."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from responder.errors import MailboxError
from responder.models import PassSummary
from responder.service import describe_error, describe_pass, pass_jitter

HARNESS = Path(__file__).with_name("service_harness.py")
ROOT = HARNESS.parent.parent
PATIENCE = 30.0  # seconds a test waits for something that should happen at once


class DaemonProcess:
    """One harness process, its event log, its stderr and the notify socket it talks to."""

    def __init__(self, tmp_path: Path, spec: dict[str, Any], env: dict[str, str]) -> None:
        self.events_path = tmp_path / "events.jsonl"
        self.stderr_path = tmp_path / "stderr.log"
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify_path = str(tmp_path / "notify.sock")
        self.notify.bind(notify_path)
        self.notify.settimeout(0.2)
        self.datagrams: list[str] = []
        child_env = {**os.environ, "PYTHONPATH": str(ROOT), "NOTIFY_SOCKET": notify_path, **env}
        child_env.pop("JOURNAL_STREAM", None)
        with self.stderr_path.open("w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(HARNESS), json.dumps(spec), str(self.events_path)],
                stderr=err,
                env=child_env,
            )

    def events(self) -> list[tuple[str, Any]]:
        if not self.events_path.exists():
            return []
        lines = self.events_path.read_text().splitlines()
        return [(e["event"], e["value"]) for e in map(json.loads, lines)]

    def names(self) -> list[str]:
        return [name for name, _ in self.events()]

    def log(self) -> str:
        return self.stderr_path.read_text()

    def wait_until(self, what: str, check: Callable[[], bool]) -> None:
        deadline = time.monotonic() + PATIENCE
        while not check():
            if self.proc.poll() is not None and not check():
                pytest.fail(f"daemon exited ({self.proc.returncode}) before {what}:\n{self.log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"gave up waiting for {what}; events {self.names()}\n{self.log()}")
            time.sleep(0.05)

    def wait_for_event(self, name: str, count: int = 1) -> None:
        self.wait_until(f"{count}x {name}", lambda: self.names().count(name) >= count)

    def receive(self) -> list[str]:
        """Every datagram that has arrived so far."""
        while True:
            try:
                self.datagrams.append(self.notify.recv(4096).decode())
            except TimeoutError:
                return self.datagrams

    def wait_for_datagram(self, prefix: str) -> None:
        def seen() -> bool:
            return any(d.startswith(prefix) for d in self.receive())

        self.wait_until(f"notify {prefix!r}", seen)

    def stop(self, within: float = 10.0) -> int:
        """SIGTERM, then the exit status, which must come within *within* seconds."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=within)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.notify.close()


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., DaemonProcess]]:
    started: list[DaemonProcess] = []

    def _start(env: dict[str, str] | None = None, **spec: Any) -> DaemonProcess:
        daemon = DaemonProcess(tmp_path, spec, env or {})
        started.append(daemon)
        return daemon

    yield _start
    for daemon in started:
        daemon.kill()


def test_sigterm_mid_pass_finishes_the_message_in_hand(
    start: Callable[..., DaemonProcess],
) -> None:
    daemon = start(messages=100, message_seconds=0.3)
    daemon.wait_for_event("message_start", 3)
    assert daemon.stop(within=10) == 0
    events = daemon.names()
    started = [v for n, v in daemon.events() if n == "message_start"]
    finished = [v for n, v in daemon.events() if n == "message_done"]
    assert started == finished, "the message in hand was abandoned"
    assert len(started) < 100
    assert "pass_stopped" in events
    assert events[-2:] == ["close", "exit"]
    assert "stopped" in daemon.log()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stop_signal_while_waiting_for_news(
    start: Callable[..., DaemonProcess], signum: signal.Signals
) -> None:
    daemon = start(idle=True, messages=1)
    daemon.wait_for_event("wait")
    daemon.proc.send_signal(signum)
    assert daemon.proc.wait(timeout=10) == 0
    assert ("wait_end", True) in daemon.events()
    assert daemon.names()[-2:] == ["close", "exit"]


def test_sighup_reloads_between_passes(start: Callable[..., DaemonProcess]) -> None:
    daemon = start(messages=1)
    daemon.wait_for_event("pass_end")
    daemon.proc.send_signal(signal.SIGHUP)
    daemon.wait_for_event("reload")
    daemon.wait_until("the reload log line", lambda: "reloaded templates" in daemon.log())
    daemon.wait_for_datagram("RELOADING=1")
    assert daemon.stop() == 0
    assert "responder.service: reloaded templates and patterns" in daemon.log()
    received = daemon.receive()
    reloading = next(i for i, d in enumerate(received) if d.startswith("RELOADING=1"))
    assert "READY=1" in received[reloading:], "systemd needs READY=1 after RELOADING=1"


def test_failed_reload_keeps_the_old_ones_and_goes_on(
    start: Callable[..., DaemonProcess],
) -> None:
    daemon = start(messages=1, poll=1, reload_fails=True)
    daemon.wait_for_event("pass_end")
    daemon.proc.send_signal(signal.SIGHUP)
    daemon.wait_for_event("reload")
    passes_at_reload = daemon.names().count("pass_end")
    daemon.wait_for_event("pass_end", passes_at_reload + 1)
    assert daemon.stop() == 0
    assert (
        "reload failed, keeping the old ones: templates/genuine.txt line 3: unexpected '}'"
        in daemon.log()
    )


def test_transient_errors_back_off_and_recover_logged_once(
    start: Callable[..., DaemonProcess],
) -> None:
    daemon = start(transient_failures=4, messages=1)  # poll 3600: only back-off retries
    daemon.wait_for_event("pass_end")
    assert daemon.stop() == 0
    log = daemon.log()
    assert daemon.names().count("pass_start") == 5
    assert log.count("connection lost") == 1
    assert "connection lost: socket error: EOF; retrying with back-off" in log
    assert log.count("connection restored") == 1
    assert "connection restored after 4 failed attempts" in log


def test_permanent_error_is_reported_once_and_retried_slowly(
    start: Callable[..., DaemonProcess],
) -> None:
    daemon = start(permanent_failures=3, messages=1)
    daemon.wait_for_event("pass_end")
    assert daemon.stop() == 0
    log = daemon.log()
    assert log.count("login refused: [AUTHENTICATIONFAILED]") == 1
    assert "ERROR responder.service: login refused" in log
    assert log.count("connection restored after 3 failed attempts") == 1


def test_a_bug_is_logged_with_traceback_and_does_not_end_the_daemon(
    start: Callable[..., DaemonProcess],
) -> None:
    daemon = start(bug_failures=2, messages=1)
    daemon.wait_for_event("pass_end")
    assert daemon.stop() == 0
    log = daemon.log()
    assert log.count("Traceback") == 1
    assert "KeyError: 'uid'" in log


def test_idle_news_starts_a_pass_now(start: Callable[..., DaemonProcess]) -> None:
    daemon = start(idle=True, news=2, messages=1)  # poll 3600: passes 2 and 3 come from news
    daemon.wait_for_event("pass_end", 3)
    assert daemon.stop() == 0
    timeouts = [v for n, v in daemon.events() if n == "wait"]
    assert timeouts
    assert all(0 < t <= 3600 for t in timeouts)


def test_a_dropped_idle_connection_backs_off_then_passes_again(
    start: Callable[..., DaemonProcess],
) -> None:
    daemon = start(idle=True, idle_failures=2, messages=1)
    daemon.wait_for_event("pass_end", 3)  # start-up pass, then one retry per dropped IDLE
    assert daemon.stop() == 0
    log = daemon.log()
    # Two outages, each ended by a good pass: each reported once, each recovery once.
    assert log.count("connection lost: IDLE: socket error: EOF") == 2
    assert log.count("connection restored after 1 failed attempt\n") == 2


def test_notify_protocol(start: Callable[..., DaemonProcess]) -> None:
    daemon = start(messages=3, env={"WATCHDOG_USEC": "1000000"})
    daemon.wait_for_datagram("READY=1")
    daemon.wait_for_datagram("STATUS=last pass")
    daemon.wait_for_datagram("WATCHDOG=1")
    assert daemon.stop() == 0
    daemon.wait_for_datagram("STOPPING=1")
    received = daemon.receive()
    assert received.index("READY=1") < received.index("STOPPING=1")
    status = next(d for d in received if d.startswith("STATUS=last pass"))
    assert status.endswith(": 3 considered, draft 1, file 2")


def test_describe_pass_and_error() -> None:
    started = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    summary = PassSummary(
        started=started, seconds=1.0, considered=4, counts={"file": 3, "draft": 1, "leave": 0}
    )
    assert describe_pass(summary) == (
        "last pass 2026-01-02 03:04:05 UTC: 4 considered, draft 1, file 3"
    )
    failed = PassSummary(started=started, seconds=1.0, errors=2, note="Drafts missing")
    assert describe_pass(failed).endswith("0 considered, 2 errors, Drafts missing")
    assert describe_error(MailboxError("no Drafts")) == "no Drafts"
    assert describe_error(KeyError("uid")) == "KeyError: 'uid'"
    assert describe_error(TimeoutError()) == "TimeoutError"
    assert pass_jitter(300) == 30.0
    assert pass_jitter(3600) == 30.0
    assert pass_jitter(60) == 6.0
