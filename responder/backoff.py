"""When to retry after a failed pass, and which failures are worth a log line.

Transient failures (a dropped connection) retry with capped exponential back-off and jitter;
permanent ones (a refused password, a missing folder) retry slowly so a fixed setting is picked
up without hammering the server or tripping an account lockout. ``Health`` reports a line only
when the state changes, not once per retry. Everything here is pure given a ``random.Random``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

State = Literal["ok", "transient", "permanent"]


@dataclass(frozen=True)
class BackoffPolicy:
    """Back-off settings: first delay, cap, the slow permanent retry, and the jitter fraction."""

    base: float = 1.0
    cap: float = 300.0
    permanent: float = 900.0
    jitter: float = 0.2


def transient_delay(attempt: int, policy: BackoffPolicy, rng: random.Random) -> float:
    """Seconds to wait before retry number *attempt* (1-based) after a transient failure.

    The nominal delay doubles from ``base`` up to ``cap``; jitter shortens it by up to
    ``jitter`` of itself so many clients do not retry in step.
    """
    exponent = min(max(attempt, 1) - 1, 32)
    nominal = min(policy.cap, policy.base * 2.0**exponent)
    return _jittered(nominal, policy, rng)


def permanent_delay(policy: BackoffPolicy, rng: random.Random) -> float:
    """Seconds to wait before retrying after a permanent failure: about ``permanent``."""
    return _jittered(policy.permanent, policy, rng)


def _jittered(nominal: float, policy: BackoffPolicy, rng: random.Random) -> float:
    return nominal * (1.0 - policy.jitter * rng.random())


def describe_seconds(seconds: float) -> str:
    """A short human duration: "45 s", "15 min", "2 h"."""
    if seconds < 60:
        return f"{seconds:.3g} s"
    if seconds < 3600:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"


@dataclass(frozen=True)
class Step:
    """What to do after one outcome: wait ``delay`` seconds, and log ``news`` if it is set."""

    delay: float | None
    news: str | None
    level: Literal["info", "warning", "error"] = "info"


class Health:
    """Tracks consecutive failures; says how long to wait and when something is worth saying."""

    def __init__(self, policy: BackoffPolicy | None = None, rng: random.Random | None = None):
        self.policy = policy or BackoffPolicy()
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self.state: State = "ok"
        self.failures = 0
        self._last_problem = ""

    def failure(self, problem: str, *, permanent: bool) -> Step:
        """Record a failed pass; the delay before the next try and a line on state change."""
        self.failures += 1
        previous, self.state = self.state, "permanent" if permanent else "transient"
        if permanent:
            delay = permanent_delay(self.policy, self.rng)
            changed = previous != "permanent" or problem != self._last_problem
            every = describe_seconds(self.policy.permanent)
            news = f"{problem}; will retry every {every} until fixed"
            self._last_problem = problem
            return Step(delay, news if changed else None, "error")
        delay = transient_delay(self.failures, self.policy, self.rng)
        self._last_problem = problem
        if previous == "transient":
            return Step(delay, None, "warning")
        return Step(delay, f"connection lost: {problem}; retrying with back-off", "warning")

    def success(self) -> Step:
        """Record a good pass; says "connection restored" once after failures."""
        failures, previous = self.failures, self.state
        self.failures, self.state, self._last_problem = 0, "ok", ""
        if previous == "ok":
            return Step(None, None)
        noun = "attempt" if failures == 1 else "attempts"
        return Step(None, f"connection restored after {failures} failed {noun}")
