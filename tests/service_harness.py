"""Runs ``run_daemon`` over a scripted PassRunner in its own process, so signals are real.

Usage: python service_harness.py SPEC_JSON EVENTS_FILE. Every call the daemon makes on the
runner is appended to EVENTS_FILE as one JSON line, for tests/test_service.py to read.
The runner is a test double of the ``PassRunner`` protocol (the IMAP one lives in pipeline.py).
"""

from __future__ import annotations

import json
import logging
import random
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from responder.backoff import BackoffPolicy
from responder.errors import ConfigError, MailboxError, TransientMailboxError
from responder.logs import setup_logging
from responder.models import PassSummary
from responder.notify import Notifier
from responder.service import run_daemon


class Recorder:
    """Appends one JSON line per event and flushes it at once."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("a", encoding="utf-8")

    def __call__(self, event: str, value: Any = None) -> None:
        line = {"event": event, "value": value, "t": time.monotonic()}
        self.file.write(json.dumps(line) + "\n")
        self.file.flush()


class ScriptedRunner:
    """Fails as the spec says, then passes over ``messages`` slow messages; IDLE as told."""

    def __init__(self, spec: dict[str, Any], record: Recorder) -> None:
        self.spec = spec
        self.record = record
        self.passes = 0
        self.news_left = int(spec.get("news", 0))
        self.idle_failures_left = int(spec.get("idle_failures", 0))

    def run_pass(self, stop: threading.Event) -> PassSummary:
        started, n = datetime.now(UTC), self.passes
        self.passes += 1
        self.record("pass_start", n)
        self.fail_if_scripted(n)
        done = 0
        for i in range(int(self.spec.get("messages", 3))):
            if stop.is_set():
                self.record("pass_stopped", i)
                break
            self.record("message_start", i)
            time.sleep(float(self.spec.get("message_seconds", 0)))
            self.record("message_done", i)
            done += 1
        self.record("pass_end", n)
        counts = {"draft": min(done, 1), "file": max(done - 1, 0)}
        return PassSummary(started=started, seconds=0.1, considered=done, counts=counts)

    def fail_if_scripted(self, n: int) -> None:
        transient = int(self.spec.get("transient_failures", 0))
        permanent = int(self.spec.get("permanent_failures", 0))
        bugs = int(self.spec.get("bug_failures", 0))
        if n < transient:
            raise TransientMailboxError("socket error: EOF")
        if n < transient + permanent:
            raise MailboxError("login refused: [AUTHENTICATIONFAILED] Authentication failed.")
        if n < transient + permanent + bugs:
            raise KeyError("uid")

    def wait_for_news(self, timeout: float, stop: threading.Event) -> bool:
        self.record("wait", timeout)
        if self.idle_failures_left > 0:
            self.idle_failures_left -= 1
            raise TransientMailboxError("IDLE: socket error: EOF")
        if self.news_left > 0:
            self.news_left -= 1
            self.record("news")
            return True
        stop.wait(timeout)
        self.record("wait_end", stop.is_set())
        return False

    def reload(self) -> None:
        self.record("reload")
        if self.spec.get("reload_fails"):
            raise ConfigError("templates/genuine.txt line 3: unexpected '}'")

    def close(self) -> None:
        self.record("close")


def main(argv: list[str]) -> int:
    spec: dict[str, Any] = json.loads(argv[1])
    record = Recorder(Path(argv[2]))
    setup_logging("DEBUG", journal=False)
    policy = BackoffPolicy(base=0.05, cap=0.4, permanent=0.5, jitter=0.2)
    code = run_daemon(
        ScriptedRunner(spec, record),
        poll_seconds=int(spec.get("poll", 3600)),
        idle=bool(spec.get("idle", False)),
        notifier=Notifier.from_env(),
        logger=logging.getLogger("responder.service"),
        policy=policy,
        rng=random.Random(1),
    )
    record("exit", code)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
