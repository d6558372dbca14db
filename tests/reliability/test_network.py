"""Network faults: the connection breaks during FETCH, APPEND, STORE or MOVE, then recovers.

Passes run through ``tests/faultproxy.py`` with one Runner, which drops the connection after a
transient failure and reconnects on the next pass, as the daemon does. The fault fires once;
passes repeat until one completes. The mailbox must end exactly as in the fault-free run.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.dovecot import Dovecot
from tests.faultproxy import FaultProxy
from tests.reliability import harness
from tests.reliability.conftest import Ledger, Reference, new_account

pytestmark = pytest.mark.imap

TRIGGERS = {
    "FETCH body": b"BODY.PEEK[]",
    "APPEND draft": b"APPEND",
    "STORE $ResponderDrafted": b"$ResponderDrafted",
    "STORE $ResponderFiled": b"$ResponderFiled",
    "MOVE": b"MOVE",
    "STORE $ResponderSuspicious": b"$ResponderSuspicious",
}
#: (action, bytes of the answer let through first). 6 bytes is Dovecot's "+ OK\r\n"
#: continuation: APPEND's literal then reaches the server and only the tagged OK is lost.
ACTIONS = [("cut", 0), ("cut", 6), ("reset", 0), ("reset", 6), ("drop", 0), ("stall", 0),
           ("stall", 6)]


def _trial(dovecot: Dovecot, reference: Reference, tmp: Path,
           trigger: bytes | None, action: str, after: int) -> tuple[int, int, harness.Damage]:
    account = new_account(dovecot)
    delivered = harness.load_backlog(account)
    with FaultProxy(dovecot.port, trigger=trigger, action=action, after=after) as proxy:
        settings = harness.settings_for(
            account, tmp, RESPONDER_IMAP_PORT=str(proxy.port), RESPONDER_IMAP_TIMEOUT="2"
        )
        failures, _ = harness.run_until_done(settings, reference.engine)
        fired = proxy.fired
    damage = harness.compare(reference.state, harness.end_state(account), delivered)
    return fired, failures, damage


@pytest.mark.parametrize("what", sorted(TRIGGERS))
@pytest.mark.parametrize(("action", "after"), ACTIONS, ids=[f"{a}{n}" for a, n in ACTIONS])
def test_broken_connection_during_command_recovers_to_the_same_end_state(
    what: str, action: str, after: int, dovecot: Dovecot, reference: Reference,
    tmp_path: Path, ledger: Ledger,
) -> None:
    fired, failures, damage = _trial(dovecot, reference, tmp_path / "state", TRIGGERS[what],
                                     action, after)
    ledger.record("network", f"{action} after {after} B during {what}", faults=fired,
                  duplicates=damage.duplicates, losses=damage.losses,
                  note=f"{failures} failed pass(es) before recovery")
    assert fired == 1, "the fault must really have been injected"
    assert failures >= 1, "the pass must have noticed the fault"
    assert damage.clean, damage.differences


@pytest.mark.parametrize("seed", range(8))
def test_cut_after_random_byte_count_recovers(
    seed: int, dovecot: Dovecot, reference: Reference, tmp_path: Path, ledger: Ledger
) -> None:
    """Cut (or reset) the first connection after a seeded number of bytes from the server."""
    rng = random.Random(1000 + seed)
    after = rng.randint(100, 120_000)
    action = rng.choice(["cut", "reset"])
    fired, _, damage = _trial(dovecot, reference, tmp_path / "state", None, action, after)
    ledger.record("network", f"{action} after {after} B of server traffic", faults=fired,
                  duplicates=damage.duplicates, losses=damage.losses)
    assert damage.clean, damage.differences


@pytest.mark.parametrize(("what", "action", "after"), [("APPEND draft", "cut", 6),
                                                       ("MOVE", "reset", 0),
                                                       ("FETCH body", "stall", 0)])
def test_the_daemon_itself_recovers(
    what: str, action: str, after: int, dovecot: Dovecot, reference: Reference,
    tmp_path: Path, ledger: Ledger,
) -> None:
    """`responder run` (the daemon, real process and signals) through the proxy: it backs off
    after the broken pass, passes again, reaches the reference end state, stops on SIGTERM."""
    import os
    import signal
    import subprocess
    import sys
    import time

    account = new_account(dovecot)
    delivered = harness.load_backlog(account)
    with FaultProxy(dovecot.port, trigger=TRIGGERS[what], action=action, after=after) as proxy:
        env = account.env(tmp_path / "state", RESPONDER_IMAP_PORT=str(proxy.port),
                          RESPONDER_IMAP_TIMEOUT="2", RESPONDER_POLL_SECONDS="10")
        clean = {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")}
        log = (tmp_path / "daemon.log").open("w")
        daemon = subprocess.Popen([sys.executable, "-m", "responder", "run"],
                                  env={**clean, **env}, stdout=log, stderr=log)
        try:
            damage = harness.compare(reference.state, harness.end_state(account), delivered)
            deadline = time.monotonic() + 120
            while not damage.clean and time.monotonic() < deadline and daemon.poll() is None:
                time.sleep(1)
                damage = harness.compare(reference.state, harness.end_state(account),
                                         delivered)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=60)
            log.close()
        err = (tmp_path / "daemon.log").read_text()
        fired = proxy.fired
    ledger.record("network", f"daemon: {action} after {after} B during {what}", faults=fired,
                  duplicates=damage.duplicates, losses=damage.losses)
    assert fired == 1
    assert daemon.returncode == 0, err
    assert damage.clean, damage.differences
