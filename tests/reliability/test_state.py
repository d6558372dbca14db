"""The state store deleted, damaged in several ways, or killed mid-write: the next run moves a
damaged file aside (loudly), starts a new one, and answers nothing twice."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.dovecot import Dovecot
from tests.reliability import harness
from tests.reliability.conftest import Ledger, Reference, new_account

pytestmark = pytest.mark.imap


def _garbage(db: Path) -> None:
    db.write_bytes(os.urandom(8192))


def _truncated(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])


def _zeroed_pages(db: Path) -> None:
    data = bytearray(db.read_bytes())
    rng = random.Random(7)
    page = 4096
    for _ in range(3):
        start = rng.randrange(page, max(page + 1, len(data) - page), page)
        data[start : start + page] = bytes(page)
    db.write_bytes(bytes(data))


def _bad_header(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[:16] = b"not a database!\0"
    db.write_bytes(bytes(data))


def _wal_garbage(db: Path) -> None:
    db.with_name(db.name + "-wal").write_bytes(os.urandom(40000))


def _deleted(db: Path) -> None:
    for path in db.parent.glob(db.name + "*"):
        path.unlink()


def _empty_file(db: Path) -> None:
    _deleted(db)
    db.write_bytes(b"")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "deleted": _deleted,
    "empty file": _empty_file,
    "random bytes": _garbage,
    "truncated to a third": _truncated,
    "three pages zeroed": _zeroed_pages,
    "header overwritten": _bad_header,
    "garbage WAL": _wal_garbage,
}


def _checkpoint(db: Path) -> None:
    """Fold the WAL into the main file, so damage to the file hits real data."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


@pytest.mark.parametrize("how", sorted(DAMAGE))
def test_damaged_or_deleted_state_store_is_rebuilt_without_duplicates(
    how: str, dovecot: Dovecot, reference: Reference, tmp_path: Path, ledger: Ledger
) -> None:
    account = new_account(dovecot)
    delivered = harness.load_backlog(account)
    state_dir = tmp_path / "state"
    settings = harness.settings_for(account, state_dir)
    harness.run_until_done(settings, reference.engine)
    db = state_dir / "state.sqlite3"
    _checkpoint(db)
    DAMAGE[how](db)
    env = account.env(state_dir)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")}
    run = subprocess.run([sys.executable, "-m", "responder", "run", "--once"],
                         env={**clean, **env}, capture_output=True, text=True, timeout=300,
                         check=False)
    status = subprocess.run([sys.executable, "-m", "responder", "status"],
                            env={**clean, **env}, capture_output=True, text=True, timeout=300,
                            check=False)
    damage = harness.compare(reference.state, harness.end_state(account), delivered)
    readable = harness.state_readable(settings)
    aside = sorted(p.name for p in state_dir.iterdir() if ".corrupt-" in p.name)
    ledger.record("state", f"state store {how}", faults=1, duplicates=damage.duplicates,
                  losses=damage.losses + (not readable),
                  note="moved aside to state.sqlite3.corrupt-<time>" if aside else
                  "nothing to move aside")
    assert run.returncode == 0, run.stderr
    assert status.returncode == 0, status.stderr
    assert readable
    assert damage.clean, damage.differences
    if how in ("random bytes", "truncated to a third", "header overwritten"):
        assert any(name.startswith("state.sqlite3.corrupt-") for name in aside), aside
        assert "damaged" in run.stderr, "a damaged store is reported, loudly"


def test_kill_during_state_writes_keeps_the_store_readable(
    dovecot: Dovecot, reference: Reference, tmp_path: Path, ledger: Ledger
) -> None:
    """kill -9 inside every state transaction in turn: the store always opens intact."""
    n_tx = reference.calls.get("tx", 0)
    assert n_tx > 0
    rng = random.Random(11)
    picks = sorted(rng.sample(range(1, n_tx + 1), min(8, n_tx)))
    kills = unreadable = dup = lost = 0
    for n in picks:
        account = new_account(dovecot)
        delivered = harness.load_backlog(account)
        settings = harness.settings_for(account, tmp_path / f"tx{n}")
        kills += harness.forked_pass(settings, reference.engine,
                                     harness.KillPoint("tx", n)) == "killed"
        unreadable += not harness.state_readable(settings)
        harness.run_until_done(settings, reference.engine)
        d = harness.compare(reference.state, harness.end_state(account), delivered)
        dup, lost = dup + d.duplicates, lost + d.losses
    ledger.record("state", "kill -9 inside a state transaction, before COMMIT",
                  trials=len(picks), faults=kills, duplicates=dup, losses=lost + unreadable)
    assert kills == len(picks)
    assert unreadable == 0
    assert dup == 0
    assert lost == 0
