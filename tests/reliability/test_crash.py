"""Crash anywhere: kill -9 a backlog pass at seeded points, restart, compare with a clean run.

Each seed picks one to three kill points (a store method, before or after its N-th call, or
inside a state-store transaction before its COMMIT) and runs a pass in a forked child for each,
killing it there; then passes run until one completes. The mailbox must end exactly as the
fault-free reference run left it (every draft once, every message in its one right place with
the same flags), and the state store must open and pass SQLite's integrity check.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dovecot import Dovecot
from tests.reliability import harness
from tests.reliability.conftest import Ledger, Reference, new_account

pytestmark = pytest.mark.imap

SEEDS = range(24)
PHASES = {"bodies": ("after",), "tx": ("after",)}


def reached(calls: dict[str, int]) -> list[str]:
    """The kill-point methods a clean pass over the backlog really calls."""
    return sorted(m for m in harness.KILL_METHODS if calls.get(m, 0) > 0)


def pick(rng: random.Random, calls: dict[str, int]) -> harness.KillPoint:
    method = rng.choice(reached(calls))
    phase = rng.choice(PHASES.get(method, ("before", "after")))
    return harness.KillPoint(method, rng.randint(1, calls[method]), phase)


@pytest.mark.parametrize("seed", SEEDS)
def test_kill_anywhere_then_restart_handles_every_mail_once(
    seed: int, dovecot: Dovecot, reference: Reference, tmp_path: Path, ledger: Ledger
) -> None:
    rng = random.Random(seed)
    account = new_account(dovecot)
    delivered = harness.load_backlog(account)
    settings = harness.settings_for(account, tmp_path / "state")
    points = [pick(rng, reference.calls) for _ in range(rng.randint(1, 3))]
    kills = 0
    for point in points:
        outcome = harness.forked_pass(settings, reference.engine, point)
        assert outcome in ("killed", "done"), f"{point}: {outcome}"
        kills += outcome == "killed"
    harness.run_until_done(settings, reference.engine)
    readable = harness.state_readable(settings)
    damage = harness.compare(reference.state, harness.end_state(account), delivered)
    ledger.record(
        "crash",
        f"seed {seed}: " + ", ".join(map(str, points)),
        faults=kills,
        duplicates=damage.duplicates,
        losses=damage.losses + (not readable),
    )
    assert kills >= 1
    assert readable
    assert damage.clean, damage.differences


def test_every_kill_point_once(
    dovecot: Dovecot, reference: Reference, tmp_path: Path, ledger: Ledger
) -> None:
    """Kill after the first, a middle and the last call of every method (full coverage)."""
    kills = trials = dup = lost = 0
    problems: list[str] = []
    for method in reached(reference.calls):
        n_calls = reference.calls[method]
        for n in sorted({1, (n_calls + 1) // 2, n_calls}):
            for phase in PHASES.get(method, ("before", "after")):
                point = harness.KillPoint(method, n, phase)
                account = new_account(dovecot)
                delivered = harness.load_backlog(account)
                settings = harness.settings_for(account, tmp_path / f"state-{point}")
                trials += 1
                kills += harness.forked_pass(settings, reference.engine, point) == "killed"
                harness.run_until_done(settings, reference.engine)
                damage = harness.compare(reference.state, harness.end_state(account), delivered)
                readable = harness.state_readable(settings)
                dup += damage.duplicates
                lost += damage.losses + (not readable)
                if not damage.clean or not readable:
                    problems.append(f"{point}: {damage.differences} readable={readable}")
    ledger.record("crash", "every method reached (" + ", ".join(reached(reference.calls))
                  + ") x first/middle/last call x before/after",
                  trials=trials, faults=kills, duplicates=dup, losses=lost)
    assert kills == trials
    assert not problems, problems


@pytest.mark.parametrize("method", ["append_draft", "bodies", "tx"])
def test_kill_the_real_cli_after_nth_call(
    method: str, dovecot: Dovecot, reference: Reference, tmp_path: Path, ledger: Ledger
) -> None:
    """The same through the real command line: crash_nth.py kills `run --once`, then rerun."""
    account = new_account(dovecot)
    delivered = harness.load_backlog(account)
    env = account.env(tmp_path / "state")
    n = max(1, (reference.calls.get(method, 0) + 1) // 2)
    crashed = _cli(env, str(harness.HERE / "crash_nth.py"), method, str(n), "run", "--once")
    _cli(env, "-m", "responder", "run", "--once")
    damage = harness.compare(reference.state, harness.end_state(account), delivered)
    ledger.record("crash", f"CLI run --once killed after {method}#{n}",
                  faults=int(crashed.returncode == -9),
                  duplicates=damage.duplicates, losses=damage.losses)
    assert crashed.returncode == -9, crashed.stderr
    assert damage.clean, damage.differences


def _cli(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    import os

    clean = {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")}
    clean.update(env)
    return subprocess.run([sys.executable, *argv], env=clean, capture_output=True, text=True,
                          timeout=300, check=False)
