"""Back-off delays and the once-per-state-change log lines."""

from __future__ import annotations

import random

from responder.backoff import (
    BackoffPolicy,
    Health,
    describe_seconds,
    permanent_delay,
    transient_delay,
)

POLICY = BackoffPolicy(base=1.0, cap=300.0, permanent=900.0, jitter=0.2)


def test_transient_delay_doubles_up_to_the_cap_within_jitter() -> None:
    rng = random.Random(7)
    for attempt in range(1, 40):
        nominal = min(300.0, 2.0 ** (attempt - 1))
        delay = transient_delay(attempt, POLICY, rng)
        assert 0.8 * nominal <= delay <= nominal
    assert transient_delay(10_000, POLICY, rng) <= 300.0


def test_delays_are_deterministic_under_a_seeded_rng() -> None:
    first = [transient_delay(n, POLICY, random.Random(1)) for n in range(1, 12)]
    second = [transient_delay(n, POLICY, random.Random(1)) for n in range(1, 12)]
    assert first == second
    assert permanent_delay(POLICY, random.Random(3)) == permanent_delay(POLICY, random.Random(3))


def test_jitter_spreads_clients() -> None:
    delays = {round(transient_delay(9, POLICY, random.Random(seed)), 6) for seed in range(20)}
    assert len(delays) > 10


def test_permanent_delay_is_slow_and_fixed_ish() -> None:
    rng = random.Random(5)
    assert all(720.0 <= permanent_delay(POLICY, rng) <= 900.0 for _ in range(100))


def test_transient_outage_logs_once_then_recovery_once() -> None:
    health = Health(POLICY, random.Random(0))
    steps = [health.failure("socket error: EOF", permanent=False) for _ in range(6)]
    news = [s.news for s in steps if s.news]
    assert news == ["connection lost: socket error: EOF; retrying with back-off"]
    delays = [s.delay for s in steps]
    assert all(d is not None for d in delays)
    assert delays == sorted(delays)  # type: ignore[type-var]
    restored = health.success()
    assert restored.news == "connection restored after 6 failed attempts"
    assert health.state == "ok"
    assert health.failures == 0
    assert health.success().news is None


def test_permanent_problem_logged_once_per_distinct_problem() -> None:
    health = Health(POLICY, random.Random(0))
    first = health.failure("login refused", permanent=True)
    assert first.news is not None
    assert first.news.startswith("login refused; will retry every 15 min")
    assert first.level == "error"
    assert health.failure("login refused", permanent=True).news is None
    assert health.failure("folder Drafts missing", permanent=True).news is not None
    after = health.failure("timeout", permanent=False)
    assert after.news == "connection lost: timeout; retrying with back-off"
    assert health.state == "transient"
    assert health.success().news == "connection restored after 4 failed attempts"


def test_backoff_restarts_from_the_base_after_recovery() -> None:
    health = Health(POLICY, random.Random(0))
    for _ in range(8):
        health.failure("x", permanent=False)
    health.success()
    step = health.failure("x", permanent=False)
    assert step.delay is not None
    assert step.delay <= 1.0


def test_describe_seconds() -> None:
    assert describe_seconds(0.5) == "0.5 s"
    assert describe_seconds(45) == "45 s"
    assert describe_seconds(900) == "15 min"
    assert describe_seconds(90) == "1.5 min"
    assert describe_seconds(7200) == "2 h"
